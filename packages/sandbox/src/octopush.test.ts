import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSandbox } from './index';
import { call, startReceiver, type Receiver } from './test/helpers';
import type { Sandbox } from './types';

let sandbox: Sandbox;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ dlrDelayMs: 5, webhooks: { octopush: receiver.url } });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
beforeEach(() => {
  sandbox.reset();
  receiver.bodies.length = 0;
});

const TICKET = /^sms_[0-9a-f]{13}$/;
/** A request_id's lifetime: 24 h (shared/vendors/octopush.md §3.1, seeds/003 metadata.request_id). */
const DAY_MS = 24 * 3600 * 1000;
const campaign = { text: 'Your order is ready', recipients: [{ phone_number: '+33611223344' }, { phone_number: '+33611223345' }], type: 'sms_premium', sender: 'MyShop', purpose: 'alert' };
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe('The Octopush sandbox', () => {
  it('sends an SMS campaign with an sms_ ticket, counts and cost', async () => {
    const res = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', campaign);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sms_ticket: expect.stringMatching(TICKET), number_of_contacts: 2, total_cost: 0.13, number_of_sms_needed: 2, residual_credit: 999.87 });
    expect(sandbox.messages('octopush').map((m) => m.to)).toEqual(['+33611223344', '+33611223345']);
  });

  it('bills a text by Octopush\'s own count, with & $ @ and line breaks as two characters', async () => {
    // 155 plain characters and 3 of Octopush's double-counted ones: 161 by its count, 2 parts; GSM 03.38 says 158, 1 part.
    const text = `${'a'.repeat(155)}&$\n`;
    const res = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, text, recipients: [{ phone_number: '+33611223344' }] });
    expect(res.body).toMatchObject({ number_of_sms_needed: 2, total_cost: 0.13 });
    expect(sandbox.messages('octopush')[0]).toMatchObject({ parts: 2 });
    const plain = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, text: 'a'.repeat(160), recipients: [{ phone_number: '+33611223344' }] });
    expect(plain.body).toMatchObject({ number_of_sms_needed: 1 });
  });

  it('sends on every multi-channel channel with the ticket shape of that channel', async () => {
    const sms = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', { channel: 'sms', text: 'Hi', recipients: [{ phone_number: '+33611223344' }], metadata: { type: 'sms_low_cost' } });
    expect(sms.body).toMatchObject({ sms_ticket: expect.stringMatching(TICKET), number_of_contacts: 1, number_of_sms_needed: 1, message: '******' });
    const voice = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', {
      channel: 'voice_sms', text: 'Hello', recipients: [{ phone_number: '+33611223344' }], metadata: { type: 'voice_sms', voice_gender: 'male', voice_language: 'en-US' },
    });
    expect(voice.body).toMatchObject({ ticket_number: expect.stringMatching(/^voice_[0-9a-f]{13}$/), estimated_duration: expect.any(Number) });
    const email = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', {
      channel: 'email', text: 'Body', recipients: [{ email: 'jane@example.com' }], metadata: { email_from: 'news@example.com', name_from: 'Shop', subject: 'Hi' },
    });
    expect(email.body.ticket_number).toMatch(/^email_[0-9a-f]{13}$/);
    const chat = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', { channel: 'live_chat', text: 'Hi', recipients: [{ conversation_id: crypto.randomUUID() }] });
    expect(chat.body).toMatchObject({ ticket_number: null, total_cost: 0 });
    expect(sandbox.received('octopush')).toHaveLength(4);
  });

  it('refuses a repeated request_id with HTTP 400 {code: 120}, naming no ticket, charging and sending nothing, on both send endpoints', async () => {
    const first = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, request_id: 'order-4711' });
    expect(first.status).toBe(200);
    const second = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, request_id: 'order-4711' });
    expect(second).toMatchObject({ status: 400, body: { code: 120, message: 'An SMS with the same request_id has already been sent' } });
    expect(Object.keys(second.body).sort()).toEqual(['code', 'message']);
    const mc = { channel: 'sms', text: 'Hi', recipients: [{ phone_number: '+33611223344' }], metadata: { type: 'sms_premium', request_id: 'mc-1' } };
    const a = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', mc);
    const b = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', mc);
    expect([a.status, b.status]).toEqual([200, 400]);
    expect(b.body).toEqual({ code: 120, message: 'An SMS with the same request_id has already been sent' });
    expect(sandbox.received('octopush')).toHaveLength(2);
    expect(sandbox.messages('octopush')).toHaveLength(3);
    const balance = await call(sandbox, 'octopush', 'GET', '/wallet/check-balance');
    expect(balance.body.amount).toBe(a.body.residual_credit);
  });

  it('refuses a repeated request_id only while it lives: 24 h after the send that used it, the id sends again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const start = Date.now();
      expect((await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, request_id: 'day-1' })).status).toBe(200);
      vi.setSystemTime(start + DAY_MS - 1);
      expect((await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, request_id: 'day-1' })).body).toMatchObject({ code: 120 });
      vi.setSystemTime(start + DAY_MS);
      const again = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, request_id: 'day-1' });
      expect(again).toMatchObject({ status: 200, body: { sms_ticket: expect.stringMatching(TICKET) } });
      // The new send starts a new lifetime.
      expect((await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, request_id: 'day-1' })).body).toMatchObject({ code: 120 });
      expect(sandbox.received('octopush')).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps no request_id of a refused or simulated send: the same id then sends', async () => {
    const refused = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, purpose: 'wholesale', request_id: 'retry-me' });
    expect(refused.body).toMatchObject({ code: 121 });
    const simulated = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, simulation_mode: true, request_id: 'retry-me' });
    expect(simulated.status).toBe(200);
    expect((await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, request_id: 'retry-me' })).status).toBe(200);
  });

  it('keeps request_ids per send endpoint, so the same id on the other endpoint is a new campaign', async () => {
    const sms = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, request_id: 'shared-1' });
    const mc = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', { channel: 'sms', text: 'Hi', recipients: [{ phone_number: '+33611223344' }], metadata: { type: 'sms_premium', request_id: 'shared-1' } });
    expect(mc.status).toBe(200);
    expect(mc.body).not.toEqual(sms.body);
    expect(sandbox.received('octopush')).toHaveLength(2);
  });

  it('answers spec violations with {code: 400, message, errors} keyed by field, and 442 for a voice language', async () => {
    const res = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { text: '', recipients: [{ phone_number: '0611223344' }], type: 'sms', sender: 'My Shop' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 400, message: 'Payload validation error.' });
    expect(Object.keys(res.body.errors).sort()).toEqual(['recipients[0].phone_number', 'sender', 'text', 'type']);
    const voice = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', {
      channel: 'voice_sms', text: 'Hello', recipients: [{ phone_number: '+33611223344' }], metadata: { type: 'voice_sms', voice_gender: 'male', voice_language: 'xx-XX' },
    });
    expect(voice.body.errors.voice_language).toEqual({ code: 442, message: 'Voice language not supported.' });
    const tooMany = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, recipients: Array.from({ length: 501 }, () => ({ phone_number: '+33611223344' })) });
    expect(tooMany.body.errors).toHaveProperty('recipients');
    expect(sandbox.received()).toHaveLength(0);
  });

  it('applies the business rules: STOP mention (121), e-mail recipients (2005), missing channel fields', async () => {
    const stop = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, purpose: 'wholesale' });
    expect(stop).toMatchObject({ status: 400, body: { code: 121, message: 'Mention STOP is missing.' } });
    expect((await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, purpose: 'wholesale', text: 'Sale! STOP au 30101' })).status).toBe(200);
    const email = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', { channel: 'email', text: 'x', recipients: [{ email: 'not-an-email' }], metadata: {} });
    expect(email.body.code).toBe(2005);
    const sms = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', { channel: 'sms', recipients: [{ phone_number: '+33611223344' }] });
    expect(Object.keys(sms.body.errors).sort()).toEqual(['text']);
  });

  it('accepts what the vendor accepts: no sms type, no e-mail name_from, an empty request_id', async () => {
    const sms = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', { channel: 'sms', text: 'Hi', recipients: [{ phone_number: '+33611223344' }] });
    expect(sms).toMatchObject({ status: 200, body: { sms_ticket: expect.stringMatching(TICKET), total_cost: 0.065 } });
    const email = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', { channel: 'email', text: 'Body', recipients: [{ email: 'jane@example.com' }], metadata: { email_from: 'news@example.com', subject: 'Hi' } });
    expect(email.status).toBe(200);
    const first = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, request_id: '' });
    const second = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, request_id: '' });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.sms_ticket).not.toBe(first.body.sms_ticket);
  });

  it.each([
    ['an offset without a colon', '2031-01-01T00:01:00+0100', '2030-12-31T23:01:00.000Z'],
    ['an offset with a colon', '2031-01-01T00:01:00+01:00', '2030-12-31T23:01:00.000Z'],
    ['Z', '2031-07-01T00:01:00Z', '2031-07-01T00:01:00.000Z'],
    ['a zone-less winter time (Paris, UTC+01:00)', '2031-01-01 00:01:00', '2030-12-31T23:01:00.000Z'],
    ['a zone-less summer time (Paris, UTC+02:00)', '2031-07-01 00:01:00', '2031-06-30T22:01:00.000Z'],
  ])('schedules a send_at with %s at the instant Octopush documents', async (_, sendAt, instant) => {
    const res = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, send_at: sendAt });
    expect(res.status).toBe(200);
    expect(sandbox.messages('octopush')[0]!.scheduledAt!.toISOString()).toBe(instant);
  });

  it.each(['2030-02-30T10:00:00+01:00', '2030-02-31 10:00:00'])('sends at once a send_at that names no real day (%s): Octopush ignores what it cannot read (SEED)', async (sendAt) => {
    const res = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, send_at: sendAt });
    expect(res.status).toBe(200);
    // Sent at once: its report may already have made it DELIVERED on a loaded machine (dlrDelayMs).
    const messages = sandbox.messages('octopush');
    expect(messages.map((m) => m.scheduledAt)).toEqual([undefined, undefined]);
    expect(messages.map((m) => ['SENT', 'DELIVERED'].includes(m.status))).toEqual([true, true]);
  });

  it("accepts the SEED's live_chat conversation_id 00000000-0000-0000-0000-000000000001, which is no UUID v4", async () => {
    const res = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', { channel: 'live_chat', text: 'Hi', sender: 'AgentName', recipients: [{ conversation_id: '00000000-0000-0000-0000-000000000001' }] });
    expect(res).toMatchObject({ status: 200, body: { ticket_number: null, number_of_contacts: 1 } });
  });

  it('refuses a send_at with a T time and no zone, which no Octopush source shows', async () => {
    const res = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, send_at: '2031-01-01T00:01:00' });
    expect(res).toMatchObject({ status: 400, body: { code: 400, errors: { send_at: expect.any(Object) } } });
  });

  it('cancels a scheduled campaign (204) until ten minutes before it is due; 131 unknown, 132 not cancellable', async () => {
    const scheduled = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, send_at: inAnHour() });
    const ticket = scheduled.body.sms_ticket;
    expect(sandbox.messages('octopush')[0]).toMatchObject({ status: 'SCHEDULED', scheduledAt: expect.any(Date) });
    const done = await call(sandbox, 'octopush', 'DELETE', '/sms-campaign/cancel', { ticket_number: ticket });
    expect(done).toEqual(expect.objectContaining({ status: 204, body: undefined }));
    expect((await call(sandbox, 'octopush', 'DELETE', '/sms-campaign/cancel', { ticket_number: ticket })).body.code).toBe(132);
    expect((await call(sandbox, 'octopush', 'DELETE', '/sms-campaign/cancel', { ticket_number: 'sms_000000000000a' })).body.code).toBe(131);
    const soon = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', { ...campaign, send_at: new Date(Date.now() + 5 * 60_000).toISOString() });
    expect((await call(sandbox, 'octopush', 'DELETE', '/sms-campaign/cancel', { ticket_number: soon.body.sms_ticket })).body).toMatchObject({ code: 132, message: expect.stringMatching(/10 minutes/) });
    const mc = await call(sandbox, 'octopush', 'POST', '/multi-channel/send', { channel: 'sms', text: 'Hi', recipients: [{ phone_number: '+33611223344' }], metadata: { type: 'sms_premium' }, send_at: inAnHour() });
    expect((await call(sandbox, 'octopush', 'DELETE', '/multi-channel/cancel', { channel: 'sms', ticket_number: mc.body.sms_ticket })).status).toBe(204);
  });

  it('answers the balance in euros or per product; country_code and product_name go together', async () => {
    expect((await call(sandbox, 'octopush', 'GET', '/wallet/check-balance')).body).toEqual({ amount: 1000, unit: 'euros' });
    const product = await call(sandbox, 'octopush', 'GET', '/wallet/check-balance?country_code=FR&product_name=sms_premium&with_details=true');
    expect(product.body).toMatchObject({ amount: 15384, unit: 'sms_premium', wallet_packs: [{ credit: 1000 }] });
    const php = await call(sandbox, 'octopush', 'GET', '/wallet/check-balance?country_code=LU&product_name=sms_low_cost&with_details=1');
    expect(php).toMatchObject({ status: 200, body: { unit: 'sms_low_cost', wallet_packs: [{ credit: 1000 }] } });
    expect((await call(sandbox, 'octopush', 'GET', '/wallet/check-balance?with_details=0')).body).toEqual({ amount: 1000, unit: 'euros' });
    expect((await call(sandbox, 'octopush', 'GET', '/wallet/check-balance?country_code=FR')).status).toBe(400);
    expect((await call(sandbox, 'octopush', 'GET', '/wallet/check-balance?product_name=nope&country_code=FR')).status).toBe(400);
    // The PHP client's ProductEnum adds these to DEV's four.
    for (const product of ['euro', 'virtual_number', 'database_renting_b2c', 'database_renting_b2b']) {
      expect(await call(sandbox, 'octopush', 'GET', `/wallet/check-balance?country_code=FR&product_name=${product}`)).toMatchObject({ status: 200, body: { unit: product } });
    }
  });

  it('answers 401 unless both api-login and api-key are given', async () => {
    for (const headers of [{}, { 'api-login': 'dev@example.com' }, { 'api-login': 'dev@example.com', 'api-key': 'invalid' }]) {
      expect(await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', campaign, headers)).toMatchObject({ status: 401, body: { code: 401, message: 'Unauthorized.' } });
    }
  });

  it("posts one delivery report per message to the back-office callback URL, naming the send's ticket as its message_id", async () => {
    const res = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', campaign);
    const reports = await receiver.waitFor(2);
    expect(reports).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: 'sms', number: '+33611223344', status: 'DELIVERED', message_id: res.body.sms_ticket, delivery_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/) }),
      ]),
    );
    // DEV callbacks/acknowledge-receipt: message_id is the "Ticket of the original message", the one the send answered.
    expect(reports.every((r) => (r as { message_id: string }).message_id === res.body.sms_ticket)).toBe(true);
    expect(sandbox.messages('octopush').every((m) => m.groupId === res.body.sms_ticket)).toBe(true);
  });
});
