import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmsWorksClient, type SendMessageRequest } from './client';
import { ValidationError } from './errors';

let server: Recorder;
let client: SmsWorksClient;

beforeAll(async () => {
  server = await startRecorder();
  client = new SmsWorksClient({ token: 'JWT test-token', baseUrl: server.url });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.replyAlways({ status: 201, json: { messageid: '1', status: 'SENT', credits: 1, creditsUsed: 1, batchid: '1' } });
});
afterEach(() => {
  // Every case in this file is refused before the wire.
  expect(server.requests).toHaveLength(0);
});

const ok: SendMessageRequest = { sender: 'YourCompany', destination: '447777777777', content: 'Hello' };

async function issuesOf(promise: Promise<unknown>) {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  const { issues } = error as ValidationError;
  // The vendor documents no error codes for these limits.
  for (const issue of issues) expect(issue.vendorCode).toBeUndefined();
  return issues.map(({ path, code }) => ({ path, code }));
}

describe('messages.send validation', () => {
  it('reports every issue of a request at once and sends nothing', async () => {
    const issues = await issuesOf(
      client.messages.send({
        sender: 'Your Company Ltd',
        destination: '12',
        content: '',
        tag: 'x'.repeat(281),
        validity: 0,
        ttl: 1.5,
        deliveryreporturl: 'not a url',
      } as SendMessageRequest),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: ['sender'], code: 'sender_alpha_length' },
        { path: ['sender'], code: 'sender_chars' },
        { path: ['content'], code: 'text_empty' },
        { path: ['tag'], code: 'text_too_long' },
        { path: ['validity'], code: 'validity_too_short' },
        { path: ['ttl'], code: 'invalid_type' },
        { path: ['deliveryreporturl'], code: 'url_invalid' },
      ]),
    );
    expect(issues.find((i) => i.path[0] === 'destination')?.code).toMatch(/^phone_/);
    expect(issues).toHaveLength(8);
  });

  it('reports missing required fields', async () => {
    const issues = await issuesOf(client.messages.send({} as SendMessageRequest));
    // In the order of the spec's fields.
    expect(issues).toEqual([
      { path: ['sender'], code: 'required' },
      { path: ['destination'], code: 'required' },
      { path: ['content'], code: 'required' },
    ]);
  });

  it('refuses a validity over 2880 minutes and a fractional one', async () => {
    expect(await issuesOf(client.messages.send({ ...ok, validity: 2881 }))).toEqual([{ path: ['validity'], code: 'validity_too_long' }]);
    expect(await issuesOf(client.messages.send({ ...ok, validity: 60.5 }))).toEqual([{ path: ['validity'], code: 'validity_not_integer' }]);
  });

  it('refuses content over 1280 characters, counting an emoji as one character', async () => {
    expect(await issuesOf(client.messages.send({ ...ok, content: 'a'.repeat(1281) }))).toEqual([{ path: ['content'], code: 'text_too_long' }]);
    expect(await issuesOf(client.messages.send({ ...ok, content: '😀'.repeat(1281) }))).toEqual([{ path: ['content'], code: 'text_too_long' }]);
  });

  it('applies the sender rules: 11 alphanumeric, 15 digits, no + or special characters', async () => {
    expect(await issuesOf(client.messages.send({ ...ok, sender: 'TwelveChars1' }))).toEqual([{ path: ['sender'], code: 'sender_alpha_length' }]);
    expect(await issuesOf(client.messages.send({ ...ok, sender: '1234567890123456' }))).toEqual([{ path: ['sender'], code: 'sender_numeric_length' }]);
    expect(await issuesOf(client.messages.send({ ...ok, sender: '+447777777777' }))).toEqual([{ path: ['sender'], code: 'sender_chars' }]);
    expect(await issuesOf(client.messages.send({ ...ok, sender: 'Shop&Co' }))).toEqual([{ path: ['sender'], code: 'sender_chars' }]);
    expect(await issuesOf(client.messages.send({ ...ok, sender: '' }))).toEqual([{ path: ['sender'], code: 'sender_empty' }]);
  });

  it("refuses a + before a numeric sender citing the vendor's own words, not msgkit's pattern", async () => {
    const error = (await client.messages.send({ ...ok, sender: '+447777777777' }).catch((e: unknown) => e)) as ValidationError;
    expect(error.issues[0]!.message).toContain('No spaces or special characters');
  });

  it('names the reason a destination is not a phone number', async () => {
    expect(await issuesOf(client.messages.send({ ...ok, destination: 'call me' }))).toEqual([{ path: ['destination'], code: 'phone_not_a_number' }]);
    expect(await issuesOf(client.messages.send({ ...ok, destination: 447777777777 as unknown as string }))).toEqual([{ path: ['destination'], code: 'invalid_type' }]);
  });
});

describe('messages.schedule validation', () => {
  it('requires a schedule, and refuses one that is not a date', async () => {
    expect(await issuesOf(client.messages.schedule({ ...ok } as never))).toEqual([{ path: ['schedule'], code: 'required' }]);
    expect(await issuesOf(client.messages.schedule({ ...ok, schedule: 'next tuesday-ish' }))).toEqual([{ path: ['schedule'], code: 'date_invalid' }]);
    expect(await issuesOf(client.messages.schedule({ ...ok, schedule: '2030-02-30T10:00:00Z' }))).toEqual([{ path: ['schedule'], code: 'date_invalid' }]);
  });
});

describe('batch validation', () => {
  const batch = { sender: 'YourCompany', destinations: ['447777777777'], content: 'Hello' };

  it('refuses more than 5000 destinations in one request', async () => {
    const destinations = Array.from({ length: 5001 }, (_, i) => `4477770${String(i).padStart(5, '0')}`);
    expect(await issuesOf(client.batch.send({ ...batch, destinations }))).toEqual([{ path: ['destinations'], code: 'recipients_too_many' }]);
  });

  it('refuses an empty destination list', async () => {
    expect(await issuesOf(client.batch.send({ ...batch, destinations: [] }))).toEqual([{ path: ['destinations'], code: 'recipients_empty' }]);
  });

  it('points at each invalid destination by its index, together with the other issues', async () => {
    const issues = await issuesOf(client.batch.send({ ...batch, destinations: ['447777777777', 'nope', '07777777778', '123'], validity: 3000 }));
    // In the order of the spec's fields.
    expect(issues).toEqual([
      { path: ['destinations', 1], code: 'phone_not_a_number' },
      { path: ['destinations', 3], code: expect.stringMatching(/^phone_/) },
      { path: ['validity'], code: 'validity_too_long' },
    ]);
  });

  it('requires a date for batch.schedule', async () => {
    expect(await issuesOf(client.batch.schedule({ ...batch, schedule: 'soon' }))).toEqual([{ path: ['schedule'], code: 'date_invalid' }]);
  });

  it('refuses more than 5000 messages in sendAny and points into each bad message', async () => {
    const many = Array.from({ length: 5001 }, () => ok);
    expect(await issuesOf(client.batch.sendAny(many))).toEqual([{ path: [], code: 'recipients_too_many' }]);
    const issues = await issuesOf(client.batch.sendAny([ok, { ...ok, sender: 'Way Too Long Sender' }, { ...ok, destination: 'x', content: '' }]));
    expect(issues).toEqual([
      { path: [1, 'sender'], code: 'sender_alpha_length' },
      { path: [1, 'sender'], code: 'sender_chars' },
      { path: [2, 'content'], code: 'text_empty' },
      { path: [2, 'destination'], code: 'phone_not_a_number' },
    ]);
    expect(await issuesOf(client.batch.sendAny([]))).toEqual([{ path: [], code: 'recipients_empty' }]);
  });

  it('refuses a missing or empty id before any lookup or cancel', async () => {
    expect(await issuesOf(client.batch.get(''))).toEqual([{ path: ['batchId'], code: 'invalid_type' }]);
    expect(await issuesOf(client.batch.cancelScheduled(undefined as never))).toEqual([{ path: ['batchId'], code: 'required' }]);
    expect(await issuesOf(client.messages.get(' '))).toEqual([{ path: ['messageId'], code: 'invalid_type' }]);
  });
});

describe('phone numbers', () => {
  beforeEach(() => server.replyAlways({ status: 201, json: { messageid: '1', status: 'SENT', credits: 1, creditsUsed: 1 } }));
  afterEach(() => server.reset());

  it.each([
    '447777777777',
    '+447777777777',
    '+44 7777 777777',
    '0044 7777 777777',
    '07777 777777',
    '07777-777-777',
    '(07777) 777777',
    'tel:+44-7777-777777',
  ])('sends %s as 447777777777', async (input) => {
    await client.messages.send({ ...ok, destination: input });
    expect(server.requests.at(-1)?.body).toMatchObject({ destination: '447777777777' });
  });

  it('reads national numbers with the defaultCountry option', async () => {
    const french = new SmsWorksClient({ token: 't', baseUrl: server.url, defaultCountry: 'FR' });
    await french.messages.send({ ...ok, destination: '06 12 34 56 78' });
    expect(server.requests.at(-1)?.body).toMatchObject({ destination: '33612345678' });
  });

  it('keeps international numbers of other countries as digits', async () => {
    await client.messages.send({ ...ok, destination: '+1 415 555 2671' });
    expect(server.requests.at(-1)?.body).toMatchObject({ destination: '14155552671' });
  });
});
