import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { OctopushClient } from './client';
import { ApiError, AuthenticationError, BadRequestError, InsufficientCreditError, PermissionDeniedError, ServerError, ValidationError } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FUTURE = new Date('2031-03-04T09:30:00.000Z');

let server: Recorder;
let client: OctopushClient;
beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  client = new OctopushClient({ apiLogin: 'owner@example.com', apiKey: 'key-123', baseUrl: `${server.url}/v1/public/`, maxRetries: 0 });
});

const only = () => {
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!;
};

function expectAuthHeaders(headers: Record<string, unknown>) {
  expect(headers['api-login']).toBe('owner@example.com');
  expect(headers['api-key']).toBe('key-123');
  expect(headers['cache-control']).toBe('no-cache');
  expect(headers.authorization).toBeUndefined();
}

describe('multichannel.send', () => {
  it('posts an sms send with the auth headers, E.164 numbers and a generated request_id, and reads the sms answer', async () => {
    server.reply({ json: { sms_ticket: 'sms_5f3fbce61266e', number_of_contacts: 5, total_cost: 5.00502839, number_of_sms_needed: 5, residual_credit: 50.75, message: '******' } });
    const result = await client.multichannel.send({
      channel: 'sms',
      text: 'Hello, this is a test message.',
      recipients: [{ phoneNumber: '06 11 22 33 44' }, { phoneNumber: '+33 6 11 22 33 45' }],
      sender: 'MyShop',
      sendAt: FUTURE,
      purpose: 'alert',
      listName: 'sms_list',
      simulationMode: false,
      recipientTracking: true,
      autoOptimizeText: true,
      autoDeleteOptoutContacts: true,
      metadata: { type: 'sms_premium', withReplies: true },
    });
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/public/multi-channel/send');
    expect(request.headers['content-type']).toBe('application/json');
    expectAuthHeaders(request.headers);
    const body = request.body as { metadata: { request_id: string } };
    expect(body).toEqual({
      channel: 'sms',
      text: 'Hello, this is a test message.',
      recipients: [{ phone_number: '+33611223344' }, { phone_number: '+33611223345' }],
      sender: 'MyShop',
      send_at: '2031-03-04T09:30:00+00:00',
      purpose: 'alert',
      list_name: 'sms_list',
      simulation_mode: false,
      recipient_tracking: true,
      auto_optimize_text: true,
      auto_delete_optout_contacts: true,
      metadata: { type: 'sms_premium', with_replies: true, request_id: body.metadata.request_id },
    });
    expect(body.metadata.request_id).toMatch(UUID);
    expect(result).toEqual({ smsTicket: 'sms_5f3fbce61266e', numberOfContacts: 5, totalCost: 5.00502839, numberOfSmsNeeded: 5, residualCredit: 50.75, message: '******' });
    expect(result.requestId).toBe(body.metadata.request_id);
    expect(Object.keys(result)).not.toContain('requestId');
  });

  it.each([
    ['an ISO 8601 offset without a colon (PHP DATE_ISO8601)', '2031-01-01T00:01:00+0100'],
    ['an ISO 8601 offset with a colon (PHP DateTime::ATOM)', '2031-01-01T00:01:00+01:00'],
    ['a UTC time with Z', '2031-01-01T00:01:00Z'],
    ['a Date.toISOString() string', '2031-01-01T00:01:00.000Z'],
    ['a zone-less time, which Octopush reads as Central European time', '2031-01-01 00:01:00'],
  ])('sends send_at given as %s exactly as written', async (_, sendAt) => {
    server.reply({ json: { sms_ticket: 'sms_5f3fbce61266e', number_of_contacts: 1, total_cost: 0.05 } });
    await client.multichannel.send({ channel: 'sms', text: 'Hi', recipients: [{ phoneNumber: '+33611223344' }], sendAt, metadata: { type: 'sms_low_cost' } });
    expect((only().body as { send_at: unknown }).send_at).toBe(sendAt);
  });

  it('sends an sms without metadata.type (optional in the SEED), adding none', async () => {
    server.reply({ json: { sms_ticket: 'sms_5f3fbce61266e', number_of_contacts: 1, total_cost: 0.05 } });
    await client.multichannel.send({ channel: 'sms', text: 'Hi', recipients: [{ phoneNumber: '+33611223344' }] });
    const body = only().body as { metadata: Record<string, unknown> };
    expect(Object.keys(body.metadata)).toEqual(['request_id']);
  });

  it('reads an empty request_id as none and sends a generated one', async () => {
    server.reply({ json: { sms_ticket: 'sms_5f3fbce61266e', number_of_contacts: 1, total_cost: 0.05 } });
    const result = await client.multichannel.send({ channel: 'sms', text: 'Hi', recipients: [{ phoneNumber: '+33611223344' }], metadata: { type: 'sms_low_cost', requestId: '' } });
    const sent = (only().body as { metadata: { request_id: string } }).metadata.request_id;
    expect(sent).toMatch(UUID);
    expect(result.requestId).toBe(sent);
  });

  it("sends the caller's own request_id unchanged", async () => {
    server.reply({ json: { sms_ticket: 'sms_5f3fbce61266e', number_of_contacts: 1, total_cost: 0.05 } });
    const result = await client.multichannel.send({ channel: 'sms', text: 'Hi', recipients: [{ phoneNumber: '+33611223344' }], metadata: { type: 'sms_low_cost', requestId: 'order-4711' } });
    expect((only().body as { metadata: unknown }).metadata).toEqual({ type: 'sms_low_cost', request_id: 'order-4711' });
    expect(result.requestId).toBe('order-4711');
  });

  it('posts a voice_sms send, filling metadata.type, and reads the voice answer', async () => {
    server.reply({ json: { ticket_number: 'voice_5f44ebf9e47b7', number_of_contacts: 1, total_cost: 0.05, estimated_duration: 30, residual_credit: 149.95 } });
    const result = await client.multichannel.send({
      channel: 'voice_sms',
      text: 'Hello, this is a voice message test.',
      recipients: [{ phoneNumber: '0611223344' }],
      sender: 'MyShop',
      purpose: 'alert',
      metadata: { voiceGender: 'male', voiceLanguage: 'en-US', getBackPressedKeys: true },
    });
    const body = only().body as { metadata: { request_id: string } };
    expect(body).toEqual({
      channel: 'voice_sms',
      text: 'Hello, this is a voice message test.',
      recipients: [{ phone_number: '+33611223344' }],
      sender: 'MyShop',
      purpose: 'alert',
      metadata: { type: 'voice_sms', voice_gender: 'male', voice_language: 'en-US', get_back_pressed_keys: true, request_id: body.metadata.request_id },
    });
    expect(result).toEqual({ ticketNumber: 'voice_5f44ebf9e47b7', numberOfContacts: 1, totalCost: 0.05, estimatedDuration: 30, residualCredit: 149.95 });
  });

  it('posts an rcs send whose sender is the free-text agent name', async () => {
    server.reply({ json: { ticket_number: 'rcs_5f44ebf9e47b7', number_of_contacts: 1, total_cost: 0.05, residual_credit: 149.9 } });
    await client.multichannel.send({ channel: 'rcs', text: 'Hello RCS', recipients: [{ phoneNumber: '+33611223344' }], sender: 'My Agent (FR)', metadata: { withReplies: true } });
    const body = only().body as { metadata: { request_id: string } };
    expect(body).toEqual({ channel: 'rcs', text: 'Hello RCS', recipients: [{ phone_number: '+33611223344' }], sender: 'My Agent (FR)', metadata: { with_replies: true, request_id: body.metadata.request_id } });
  });

  it('posts an email send with its metadata and reads the email answer', async () => {
    server.reply({ json: { ticket_number: 'email_5f44ebf9e47b7', number_of_contacts: 1, total_cost: 0.05, residual_credit: 149.95 } });
    const result = await client.multichannel.send({
      channel: 'email',
      recipients: [{ email: 'jane.doe@example.com' }],
      sender: 'MyShop',
      purpose: 'alert',
      metadata: { emailFrom: 'news@example.com', nameFrom: 'My Shop', subject: 'Test Email', emailingService: 'gateway', templateName: 'welcome_email_template' },
    });
    const body = only().body as { metadata: { request_id: string } };
    expect(body).toEqual({
      channel: 'email',
      recipients: [{ email: 'jane.doe@example.com' }],
      sender: 'MyShop',
      purpose: 'alert',
      metadata: { email_from: 'news@example.com', name_from: 'My Shop', subject: 'Test Email', emailing_service: 'gateway', template_name: 'welcome_email_template', request_id: body.metadata.request_id },
    });
    expect(result).toEqual({ ticketNumber: 'email_5f44ebf9e47b7', numberOfContacts: 1, totalCost: 0.05, residualCredit: 149.95 });
  });

  it('posts a live_chat send to a phone, an e-mail and a conversation, and reads the ticketless answer', async () => {
    server.reply({ json: { ticket_number: null, number_of_contacts: 1, total_cost: 0.0, residual_credit: 149.95 } });
    const result = await client.multichannel.send({
      channel: 'live_chat',
      text: 'Hello, this is a live chat message.',
      recipients: [{ phoneNumber: '06.11.22.33.44' }, { email: 'jane.doe@example.com' }, { conversationId: '6f1c2a7e-3b4d-4c5e-8f90-1a2b3c4d5e6f' }],
      sender: 'AgentName',
    });
    const body = only().body as { recipients: unknown };
    expect(body.recipients).toEqual([{ phone_number: '+33611223344' }, { email: 'jane.doe@example.com' }, { conversation_id: '6f1c2a7e-3b4d-4c5e-8f90-1a2b3c4d5e6f' }]);
    expect(result).toEqual({ numberOfContacts: 1, totalCost: 0, residualCredit: 149.95 });
  });
});

describe('multichannel.cancel', () => {
  it('sends DELETE with a JSON body and resolves on 204', async () => {
    server.reply({ status: 204 });
    await expect(client.multichannel.cancel({ channel: 'sms', ticketNumber: 'sms_5f3fbce61266e' })).resolves.toEqual({});
    const request = only();
    expect(request.method).toBe('DELETE');
    expect(request.path).toBe('/v1/public/multi-channel/cancel');
    expect(request.headers['content-type']).toBe('application/json');
    expectAuthHeaders(request.headers);
    expect(request.body).toEqual({ channel: 'sms', ticket_number: 'sms_5f3fbce61266e' });
  });

  it("reads the documented 400 for a ticket that cannot be cancelled", async () => {
    server.reply({ status: 400, json: { code: 400, message: 'Payload validation error.', errors: { ticket_number: { code: 400, message: '[ticket_number] field is required.' } } } });
    const error = await client.multichannel.cancel({ channel: 'email', ticketNumber: 'email_0' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, vendorCode: 400, vendorType: 'ticket_number', requestId: undefined, attempts: 1 });
    expect((error as ApiError).vendorMessage).toBe('Payload validation error. ticket_number: [ticket_number] field is required.');
  });
});

describe('sms.send', () => {
  it('posts the campaign with a top-level request_id, personalisation, both opt-out names, and reads the answer', async () => {
    server.reply({ json: { sms_ticket: 'sms_5fec89fe97109', number_of_contacts: 2, total_cost: 0.124, number_of_sms_needed: 2, residual_credit: 99.5 } });
    const result = await client.sms.send({
      text: 'Hello {first_name}, your order is ready. STOP au XXXXX',
      recipients: [{ phoneNumber: '+33611223344', firstName: 'Alex', param1: '4711' }, { phoneNumber: '0033 6 11 22 33 45', firstName: 'John' }],
      type: 'sms_premium',
      sender: 'MyShop',
      sendAt: '2031-03-04T10:30:00+01:00',
      purpose: 'wholesale',
      withReplies: false,
      simulationMode: false,
      autoOptimizeText: true,
      autoRemoveBlacklistedNumbers: true,
    });
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/public/sms-campaign/send');
    expectAuthHeaders(request.headers);
    const body = request.body as { request_id: string };
    expect(body).toEqual({
      text: 'Hello {first_name}, your order is ready. STOP au XXXXX',
      recipients: [{ phone_number: '+33611223344', first_name: 'Alex', param1: '4711' }, { phone_number: '+33611223345', first_name: 'John' }],
      type: 'sms_premium',
      sender: 'MyShop',
      send_at: '2031-03-04T10:30:00+01:00',
      purpose: 'wholesale',
      with_replies: false,
      simulation_mode: false,
      request_id: body.request_id,
      auto_optimize_text: true,
      auto_remove_blacklisted_numbers: true,
      auto_delete_optout_contacts: true,
    });
    expect(body.request_id).toMatch(UUID);
    expect(result).toEqual({ smsTicket: 'sms_5fec89fe97109', numberOfContacts: 2, totalCost: 0.124, numberOfSmsNeeded: 2, residualCredit: 99.5 });
    expect(result.requestId).toBe(body.request_id);
  });

  it('reads an empty top-level request_id as none and sends a generated one', async () => {
    server.reply({ json: { sms_ticket: 'sms_5fec89fe97109', number_of_contacts: 1, total_cost: 0.062 } });
    const result = await client.sms.send({ text: 'Hi', recipients: [{ phoneNumber: '+33611223344' }], type: 'sms_premium', purpose: 'alert', requestId: '' });
    const sent = (only().body as { request_id: string }).request_id;
    expect(sent).toMatch(UUID);
    expect(result.requestId).toBe(sent);
  });

  it('reads the older answer without number_of_sms_needed and residual_credit', async () => {
    server.reply({ json: { sms_ticket: 'sms_5f6c4ba715694', number_of_contacts: 1, total_cost: 0.062 } });
    const result = await client.sms.send({ text: 'Code 1234', recipients: [{ phoneNumber: '+447911123456' }], type: 'sms_low_cost', purpose: 'alert', requestId: 'otp-1' });
    expect((only().body as { request_id: string }).request_id).toBe('otp-1');
    expect(result).toEqual({ smsTicket: 'sms_5f6c4ba715694', numberOfContacts: 1, totalCost: 0.062 });
  });

  it('turns the documented 121 "Mention STOP is missing." into a BadRequestError', async () => {
    server.reply({ status: 400, json: { code: 121, message: 'Mention STOP is missing.' } });
    const error = await client.sms.send({ text: 'Sale!', recipients: [{ phoneNumber: '+447911123456' }], type: 'sms_premium' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ code: 'bad_request', status: 400, vendorCode: 121, vendorType: undefined, vendorMessage: 'Mention STOP is missing.', requestId: undefined, outcomeUnknown: false });
    expect((error as ApiError).body).toEqual({ code: 121, message: 'Mention STOP is missing.' });
    expect((error as ApiError).headers['content-type']).toBe('application/json');
  });
});

describe('sms.cancel', () => {
  it('sends DELETE /sms-campaign/cancel with the ticket in a JSON body', async () => {
    server.reply({ status: 204 });
    await client.sms.cancel({ ticketNumber: 'sms_5fec89fe97109' });
    const request = only();
    expect(request.method).toBe('DELETE');
    expect(request.path).toBe('/v1/public/sms-campaign/cancel');
    expectAuthHeaders(request.headers);
    expect(request.body).toEqual({ ticket_number: 'sms_5fec89fe97109' });
  });
});

describe('wallet.balance', () => {
  it('gets the balance in euros without a query string', async () => {
    server.reply({ json: { amount: 12.54, unit: 'euros' } });
    await expect(client.wallet.balance()).resolves.toEqual({ amount: 12.54, unit: 'euros' });
    const request = only();
    expect(request.method).toBe('GET');
    expect(request.path).toBe('/v1/public/wallet/check-balance');
    expect(request.query).toEqual({});
    expect(request.text).toBe('');
    expectAuthHeaders(request.headers);
  });

  it('sends with_details=1 as the PHP client does, and true as DEV does', async () => {
    server.replyAlways({ json: { amount: 12.54, unit: 'euros' } });
    await client.wallet.balance({ withDetails: 1 });
    await client.wallet.balance({ withDetails: true });
    await client.wallet.balance({ withDetails: 0 });
    expect(server.requests.map((r) => r.query)).toEqual([{ with_details: '1' }, { with_details: 'true' }, { with_details: '0' }]);
  });

  it('asks for one product in one country with details and reads the wallet packs', async () => {
    server.reply({ json: { amount: 204, unit: 'sms_premium', wallet_packs: [{ wallet_pack_id: 'bacf3d83-1524-13eb-a5e2-0242af120002', credit: 12.54, expiration_date: '2030-10-23T13:41:46+02:00' }] } });
    const result = await client.wallet.balance({ withDetails: true, countryCode: 'fr', productName: 'sms_premium' });
    expect(only().query).toEqual({ with_details: 'true', country_code: 'FR', product_name: 'sms_premium' });
    expect(result).toEqual({ amount: 204, unit: 'sms_premium', walletPacks: [{ walletPackId: 'bacf3d83-1524-13eb-a5e2-0242af120002', credit: 12.54, expirationDate: new Date('2030-10-23T11:41:46Z') }] });
  });
});

describe('vendor error bodies', () => {
  const send = () => client.multichannel.send({ channel: 'voice_sms', text: 'Hi', recipients: [{ phoneNumber: '+33611223344' }], metadata: { voiceGender: 'female', voiceLanguage: 'fr-FR' } });

  it('reads a payload validation error by its single field code', async () => {
    server.reply({ status: 400, json: { code: 400, message: 'Payload validation error.', errors: { voice_language: { code: 442, message: 'Voice language not supported.' } } } });
    const error = await send().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, vendorCode: 442, vendorType: 'voice_language', vendorMessage: 'Payload validation error. voice_language: Voice language not supported.' });
    expect(String(error)).toContain('vendor code 442');
  });

  it('reads the invalid destination e-mail code 2005', async () => {
    server.reply({ status: 400, json: { code: 2005, message: '[destination email] field should be valid.' } });
    const error = await send().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, vendorCode: 2005, vendorMessage: '[destination email] field should be valid.' });
  });

  it.each([
    [401, { code: 401, message: 'Unauthorized.' }, AuthenticationError],
    [403, { code: 403, message: 'Forbidden to view.' }, PermissionDeniedError],
    [400, { code: 104, message: 'Out of credit' }, InsufficientCreditError],
  ] as const)('turns HTTP %i %j into its typed error', async (status, body, Class) => {
    server.reply({ status, json: body });
    const error = await client.wallet.balance().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Class);
    expect(error).toMatchObject({ status, vendorCode: body.code, vendorMessage: body.message });
  });

  it('keeps a body that is not JSON as raw text', async () => {
    server.reply({ status: 502, headers: { 'content-type': 'text/html' }, text: '<h1>Bad gateway</h1>' });
    const error = await client.wallet.balance().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, vendorCode: undefined, body: '<h1>Bad gateway</h1>', vendorMessage: '<h1>Bad gateway</h1>' });
  });

  it('treats a 2xx whose body carries a non-zero code as an error', async () => {
    server.reply({ status: 200, json: { code: 125, message: 'Undefined error, contact support' } });
    const error = await send().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 200, vendorCode: 125, vendorMessage: 'Undefined error, contact support', attempts: 1 });
  });
});

describe('construction', () => {
  it('refuses a missing api key or login at once, naming the field, or both variables when neither is given nor set', () => {
    expect(() => new OctopushClient({ apiLogin: 'owner@example.com', apiKey: '' })).toThrow(ValidationError);
    const error = (() => {
      try {
        new OctopushClient({ apiLogin: '', apiKey: '' });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error?.issues.map((i) => i.path[0])).toEqual(['apiLogin', 'apiKey']);
    vi.stubEnv('OCTOPUSH_API_LOGIN', undefined);
    vi.stubEnv('OCTOPUSH_API_KEY', undefined);
    try {
      expect(() => new OctopushClient({} as never)).toThrow(/octopush needs OCTOPUSH_API_LOGIN and OCTOPUSH_API_KEY in the environment \(or the apiLogin \/ apiKey option\)/);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(server.requests).toHaveLength(0);
  });

  it('uses the production base URL by default', async () => {
    const seen: string[] = [];
    const fake = new OctopushClient({ apiLogin: 'a@b.c', apiKey: 'k', fetch: async (url) => (seen.push(url), new Response('{"amount":1,"unit":"euros"}', { headers: { 'content-type': 'application/json' } })) });
    await fake.wallet.balance();
    expect(seen).toEqual(['https://api.octopush.com/v1/public/wallet/check-balance']);
  });
});
