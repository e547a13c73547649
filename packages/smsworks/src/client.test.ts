import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Note } from '@msgkit/core';
import { SmsWorksClient } from './client';
import { ApiError, AuthenticationError, BadRequestError, InsufficientCreditError, NotFoundError, ServerError } from './errors';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJrZXkiOiJ0ZXN0In0.c2lnbmF0dXJl';
const VENDOR_JSON = { 'content-type': 'application/json;charset=UTF-8' };
const FUTURE = '2099-10-28T13:10:00.000Z';

// The vendor's documented bodies (specs/smsworks.yaml examples).
const paymentRequired = { message: 'Insufficient credits', errorCode: 402, status: 'PAYMENT_REQUIRED', permanent: false };
const notFound = { message: 'Not found' };
const messageResponse = {
  messageid: '123456789',
  id: '123456789',
  batchid: '2586749',
  customerid: '0fca8c3c-6cbc-11e7-8154-a6006ad3dba0',
  sender: 'YourCompany',
  destination: 447777777777,
  identifier: '7777777777',
  keyword: 'CALRISSIAN',
  content: 'My super awesome message',
  status: 'UNDELIVERABLE',
  failurereason: { code: 34, details: 'Handset error', permanent: false },
  tag: 'campaign2',
  schedule: 'Wed Jul 19 2017 20:53:45 GMT+0100 (BST)',
  created: 'Wed Jul 19 2017 20:53:46 GMT+0100 (BST)',
  modified: 'Wed Jul 19 2017 20:53:49 GMT+0100 (BST)',
  deliveryreporturl: 'https://your.domain.com/delivery/report/path',
};

let server: Recorder;
let client: SmsWorksClient;

beforeAll(async () => {
  server = await startRecorder();
  client = new SmsWorksClient({ token: TOKEN, baseUrl: `${server.url}/v1/`, maxRetries: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

function only() {
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!;
}

function expectJsonPost(path: string) {
  const request = only();
  expect(request.method).toBe('POST');
  expect(request.path).toBe(path);
  expect(request.headers.authorization).toBe(`JWT ${TOKEN}`);
  expect(request.headers['content-type']).toBe('application/json');
  return request;
}

function expectBodiless(method: string, path: string) {
  const request = only();
  expect(request.method).toBe(method);
  expect(request.path).toBe(path);
  expect(request.headers.authorization).toBe(`JWT ${TOKEN}`);
  expect(request.headers['content-type']).toBeUndefined();
  expect(request.text).toBe('');
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('schedule, as the vendor documents it', () => {
  const notes: Note[] = [];
  const noting = () => new SmsWorksClient({ token: TOKEN, baseUrl: `${server.url}/v1/`, maxRetries: 0, onNote: (note) => notes.push(note) });
  beforeEach(() => {
    notes.length = 0;
  });

  it('sends a schedule given to a send, which those endpoints ignore ("only used by the … schedule service"), and says the message goes out now', async () => {
    server.reply(
      { status: 201, headers: VENDOR_JSON, json: { messageid: '1', status: 'SENT', credits: 1, creditsUsed: 1 } },
      { status: 201, headers: VENDOR_JSON, json: { batchid: '2', status: 'SCHEDULED' } },
      { status: 201, headers: VENDOR_JSON, json: { batchid: '3', status: 'SCHEDULED' } },
    );
    const client = noting();
    await client.messages.send({ sender: 'YourCompany', destination: '447777777777', content: 'Hi', schedule: FUTURE } as never);
    await client.batch.send({ sender: 'YourCompany', destinations: ['447777777777'], content: 'Hi', schedule: FUTURE } as never);
    await client.batch.sendAny([{ sender: 'YourCompany', destination: '447777777777', content: 'Hi', schedule: FUTURE }] as never);
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/message/send', '/v1/batch/send', '/v1/batch/any']);
    expect(server.requests.map((r) => JSON.stringify(r.body).includes(FUTURE))).toEqual([true, true, true]);
    expect(notes).toEqual([
      expect.objectContaining({ path: ['schedule'], code: 'schedule_ignored', message: expect.stringContaining('goes out now') }),
      expect.objectContaining({ path: ['schedule'], code: 'schedule_ignored' }),
      expect.objectContaining({ path: [0, 'schedule'], code: 'schedule_ignored' }),
    ]);
  });

  it('sends nothing when the onNote handler throws: a caller can turn notes into refusals', async () => {
    const refuse = (note: Note) => {
      throw new Error(`refused: ${note.code}`);
    };
    const strict = new SmsWorksClient({ token: TOKEN, baseUrl: `${server.url}/v1/`, maxRetries: 0, onNote: refuse });
    await expect(strict.messages.send({ sender: 'YourCompany', destination: '447777777777', content: 'Hi', schedule: FUTURE } as never)).rejects.toThrow('refused: schedule_ignored');
    expect(server.requests).toHaveLength(0);
  });

  it('schedules a date already past as given, since no SMS Works source refuses one, and says so', async () => {
    server.reply({ status: 200, headers: VENDOR_JSON, json: [{ messageid: '1', status: 'SCHEDULED' }] }, { status: 201, headers: VENDOR_JSON, json: { batchid: '2', status: 'SCHEDULED' } });
    const client = noting();
    await client.messages.schedule({ sender: 'YourCompany', destination: '447777777777', content: 'Greetings on schedule!', schedule: '2021-10-28T13:10:00.000Z' });
    await client.batch.schedule({ sender: 'YourCompany', destinations: ['447777777777'], content: 'Hi', schedule: 'Wed Jul 19 2017 20:26:28 GMT+0100 (BST)' });
    expect(server.requests.map((r) => (r.body as { schedule: string }).schedule)).toEqual(['2021-10-28T13:10:00.000Z', '2017-07-19T19:26:28.000Z']);
    expect(notes).toEqual([
      expect.objectContaining({ path: ['schedule'], code: 'date_in_past' }),
      expect.objectContaining({ path: ['schedule'], code: 'date_in_past' }),
    ]);
  });
});

describe('messages.send', () => {
  it('posts the message to /message/send with the JWT header and the normalized destination', async () => {
    server.reply({ status: 201, headers: VENDOR_JSON, json: { messageid: '123456789', status: 'SENT', credits: 180, creditsUsed: 2 } });
    const result = await client.messages.send({
      sender: 'YourCompany',
      destination: '07777 777777',
      content: 'Your super awesome message',
      tag: 'SummerSpecial',
      validity: 1440,
      ttl: 10,
      deliveryreporturl: 'https://your.domain.com/delivery/report/path',
      responseemail: ['my.email@mycompany.co.uk'],
      metadata: [{ key: 'orderId', value: 'A-1001' }],
      ai: false,
    });
    expect(expectJsonPost('/v1/message/send').body).toEqual({
      sender: 'YourCompany',
      destination: '447777777777',
      content: 'Your super awesome message',
      tag: 'SummerSpecial',
      validity: 1440,
      ttl: 10,
      deliveryreporturl: 'https://your.domain.com/delivery/report/path',
      responseemail: ['my.email@mycompany.co.uk'],
      metadata: [{ key: 'orderId', value: 'A-1001' }],
      ai: false,
    });
    expect(result).toEqual({ messageid: '123456789', status: 'SENT', credits: 180, creditsUsed: 2 });
  });

  it('turns a 402 ExtendedErrorModel into an InsufficientCreditError with the vendor code and status', async () => {
    server.reply({ status: 402, headers: VENDOR_JSON, json: paymentRequired });
    const error = await failure(client.messages.send({ sender: 'YourCompany', destination: '447777777777', content: 'Hi' }));
    expect(error).toBeInstanceOf(InsufficientCreditError);
    expect(error).toMatchObject({ status: 402, vendorCode: 402, vendorType: 'PAYMENT_REQUIRED', vendorMessage: 'Insufficient credits', requestId: undefined, outcomeUnknown: false, attempts: 1 });
    expect(error.body).toEqual(paymentRequired);
    expect(error.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(error.message).toContain('Insufficient credits');
  });

  it('turns a 401 default error into an AuthenticationError', async () => {
    server.reply({ status: 401, headers: VENDOR_JSON, json: { message: 'Unauthorized', errorCode: 401, status: 'UNAUTHORIZED' } });
    const error = await failure(client.messages.send({ sender: 'YourCompany', destination: '447777777777', content: 'Hi' }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, vendorCode: 401, vendorType: 'UNAUTHORIZED', vendorMessage: 'Unauthorized' });
  });

  it('keeps a body that is not JSON as raw text on a plain ApiError', async () => {
    server.reply({ status: 418, headers: { 'content-type': 'text/plain' }, text: 'upstream teapot' });
    const error = await failure(client.messages.send({ sender: 'YourCompany', destination: '447777777777', content: 'Hi' }));
    expect(error.constructor).toBe(ApiError);
    expect(error).toMatchObject({ status: 418, vendorCode: undefined, vendorMessage: 'upstream teapot', body: 'upstream teapot' });
  });
});

describe('messages.schedule', () => {
  it('posts to /message/schedule with the schedule as ISO 8601 UTC and returns the array', async () => {
    server.reply({ status: 200, headers: VENDOR_JSON, json: [{ messageid: '123456789', status: 'SCHEDULED' }] });
    const result = await client.messages.schedule({
      sender: 'YourCompany',
      destination: '+44 7777 777777',
      content: 'Greetings on schedule!',
      schedule: new Date(FUTURE),
    });
    expect(expectJsonPost('/v1/message/schedule').body).toEqual({
      sender: 'YourCompany',
      destination: '447777777777',
      content: 'Greetings on schedule!',
      schedule: FUTURE,
    });
    expect(result).toEqual([{ messageid: '123456789', status: 'SCHEDULED' }]);
  });

  it('reads date text with an offset and sends it as UTC', async () => {
    server.reply({ status: 200, headers: VENDOR_JSON, json: [{ messageid: '1', status: 'SCHEDULED' }] });
    await client.messages.schedule({ sender: 'YourCompany', destination: '447777777777', content: 'Hi', schedule: '2099-10-28T14:10:00+01:00' });
    expect(only().body).toMatchObject({ schedule: FUTURE });
  });

  it('wraps the single object older API versions answered with 201 in an array', async () => {
    server.reply({ status: 201, headers: VENDOR_JSON, json: { messageid: '5620320', status: 'SCHEDULED' } });
    const result = await client.messages.schedule({ sender: 'YourCompany', destination: '447777777777', content: 'Hi', schedule: FUTURE });
    expect(result).toEqual([{ messageid: '5620320', status: 'SCHEDULED' }]);
  });

  it('turns a 400 ExtendedErrorModel into a BadRequestError', async () => {
    server.reply({ status: 400, headers: VENDOR_JSON, json: { message: 'Invalid schedule', errorCode: 400, status: 'BAD_REQUEST', permanent: true } });
    const error = await failure(client.messages.schedule({ sender: 'YourCompany', destination: '447777777777', content: 'Hi', schedule: FUTURE }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, vendorCode: 400, vendorType: 'BAD_REQUEST', vendorMessage: 'Invalid schedule' });
  });
});

describe('messages.get', () => {
  it('gets /messages/{messageid} and parses the documented MessageResponse', async () => {
    server.reply({ status: 200, headers: VENDOR_JSON, json: messageResponse });
    const result = await client.messages.get('123456789');
    expectBodiless('GET', '/v1/messages/123456789');
    expect(result).toEqual(messageResponse);
  });

  it('turns a 404 ErrorModel into a NotFoundError without a vendor code', async () => {
    server.reply({ status: 404, headers: VENDOR_JSON, json: notFound });
    const error = await failure(client.messages.get('999'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, vendorCode: undefined, vendorType: undefined, vendorMessage: 'Not found', requestId: undefined });
  });

  it('refuses an id that is a path rather than escaping it, and sends nothing', async () => {
    for (const id of ['12/34?x', '..', '.', '%2e%2e']) {
      await expect(client.messages.get(id)).rejects.toMatchObject({ code: 'validation_error', issues: [{ path: ['messageId'], code: 'invalid' }] });
    }
    expect(server.requests).toHaveLength(0);
  });
});

describe('messages.search', () => {
  it('posts the query to /messages with the destination as digits and dates as ISO 8601 UTC, and returns the messages', async () => {
    server.reply({ status: 200, headers: VENDOR_JSON, json: [messageResponse] });
    const result = await client.messages.search({ sender: 'YourCompany', destination: '07777 777777', from: new Date('2017-07-12T19:26:28Z'), to: '2017-07-19 19:26:28', limit: 50, skip: 100 });
    const request = expectJsonPost('/v1/messages');
    expect(request.body).toEqual({ sender: 'YourCompany', destination: '447777777777', from: '2017-07-12T19:26:28.000Z', to: '2017-07-19T19:26:28.000Z', limit: 50, skip: 100 });
    expect(result).toEqual([messageResponse]);
  });

  it('returns an empty list when nothing matches', async () => {
    server.reply({ status: 200, headers: VENDOR_JSON, json: [] });
    expect(await client.messages.search({ destination: '447777777777' })).toEqual([]);
    expect(only().body).toEqual({ destination: '447777777777' });
  });

  it('refuses every bad criterion at once and sends nothing', async () => {
    const error = await client.messages.search({ destination: '12', from: 'not a date', limit: 0, skip: -1.5, tag: 'x' } as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'validation_error' });
    const issues = (error as { issues: Array<{ path: unknown[]; code: string }> }).issues.map((i) => [i.path.join('.'), i.code]);
    expect(issues).toEqual(
      expect.arrayContaining([
        ['destination', expect.stringMatching(/^phone_/)],
        ['from', 'date_invalid'],
        ['limit', 'invalid_type'],
        ['skip', 'invalid_type'],
        ['tag', 'unknown_field'],
      ]),
    );
    expect(server.requests).toHaveLength(0);
  });

  it('names a field of a metadata criterion that the search would not send', async () => {
    const error = await client.messages.search({ metadata: [{ key: 'order', value: '1', vaule: '2' }] } as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    const issues = (error as { issues: Array<{ path: unknown[]; code: string }> }).issues.map((i) => [i.path.join('.'), i.code]);
    expect(issues).toEqual([['metadata.0.vaule', 'unknown_field']]);
    expect(server.requests).toHaveLength(0);
  });

  it('is a read: a 500 is asked again and the second answer returned', async () => {
    const retrying = new SmsWorksClient({ token: TOKEN, baseUrl: `${server.url}/v1/`, maxRetries: 1 });
    server.reply({ status: 500, headers: VENDOR_JSON, json: { message: 'Server error' } }, { status: 200, headers: VENDOR_JSON, json: [messageResponse] });
    expect(await retrying.messages.search({ sender: 'YourCompany' })).toEqual([messageResponse]);
    expect(server.requests).toHaveLength(2);
  });
});

describe('batch.send', () => {
  it('posts to /batch/send with every destination as digits and each number once', async () => {
    server.reply({ status: 201, headers: VENDOR_JSON, json: { batchid: '2586749', status: 'SCHEDULED' } });
    const result = await client.batch.send({
      sender: 'YourCompany',
      destinations: ['447777777777', '07777 777778', '+44 (0) 7777 777779', '+447777777777'],
      content: 'My super awesome batch message',
      tag: 'SummerSpecial',
      validity: 1440,
      deliveryreporturl: 'https://your.domain.com/delivery/report/path',
    });
    expect(expectJsonPost('/v1/batch/send').body).toEqual({
      sender: 'YourCompany',
      destinations: ['447777777777', '447777777778', '447777777779'],
      content: 'My super awesome batch message',
      tag: 'SummerSpecial',
      validity: 1440,
      deliveryreporturl: 'https://your.domain.com/delivery/report/path',
    });
    expect(result).toEqual({ batchid: '2586749', status: 'SCHEDULED' });
  });

  it('turns a 402 into an InsufficientCreditError', async () => {
    server.reply({ status: 402, headers: VENDOR_JSON, json: paymentRequired });
    const error = await failure(client.batch.send({ sender: 'YourCompany', destinations: ['447777777777'], content: 'Hi' }));
    expect(error).toBeInstanceOf(InsufficientCreditError);
    expect(error).toMatchObject({ vendorCode: 402, vendorType: 'PAYMENT_REQUIRED', outcomeUnknown: false });
  });
});

describe('batch.sendAny', () => {
  it('posts a top-level JSON array of messages to /batch/any', async () => {
    server.reply({ status: 201, headers: VENDOR_JSON, json: { batchid: '2586749', status: 'SCHEDULED' } });
    const result = await client.batch.sendAny([
      { sender: 'YourCompany', destination: '07777777777', content: 'Hello Anna, your order has shipped.' },
      { sender: 'YourCompany', destination: '+447777777778', content: 'Hello Ben, your order has shipped.', tag: 'shipping' },
    ]);
    expect(expectJsonPost('/v1/batch/any').body).toEqual([
      { sender: 'YourCompany', destination: '447777777777', content: 'Hello Anna, your order has shipped.' },
      { sender: 'YourCompany', destination: '447777777778', content: 'Hello Ben, your order has shipped.', tag: 'shipping' },
    ]);
    expect(result).toEqual({ batchid: '2586749', status: 'SCHEDULED' });
  });

  it('turns a 500 into a ServerError', async () => {
    server.reply({ status: 500, headers: VENDOR_JSON, json: { message: 'Internal error', errorCode: 500, status: 'INTERNAL_SERVER_ERROR' } });
    const error = await failure(client.batch.sendAny([{ sender: 'YourCompany', destination: '447777777777', content: 'Hi' }]));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, vendorCode: 500, vendorType: 'INTERNAL_SERVER_ERROR', vendorMessage: 'Internal error' });
  });
});

describe('batch.schedule', () => {
  it('posts to /batch/schedule with the schedule and parses the ScheduledBatchResponse', async () => {
    server.reply({ status: 201, headers: VENDOR_JSON, json: { batchid: '3200562', status: 'SCHEDULED' } });
    const result = await client.batch.schedule({
      sender: 'YourCompany',
      destinations: ['447777777777', '447777777778'],
      content: 'Our summer sale starts now!',
      schedule: '2099-10-28 13:10',
      tag: 'SummerSpecial',
    });
    expect(expectJsonPost('/v1/batch/schedule').body).toEqual({
      sender: 'YourCompany',
      destinations: ['447777777777', '447777777778'],
      content: 'Our summer sale starts now!',
      schedule: FUTURE,
      tag: 'SummerSpecial',
    });
    expect(result).toEqual({ batchid: '3200562', status: 'SCHEDULED' });
  });
});

describe('batch.get', () => {
  it('gets /batch/{batchid} and parses the array of MessageResponse', async () => {
    server.reply({ status: 200, headers: VENDOR_JSON, json: [messageResponse, { ...messageResponse, messageid: '123456790', status: 'DELIVERED' }] });
    const result = await client.batch.get('2586749');
    expectBodiless('GET', '/v1/batch/2586749');
    expect(result).toEqual([messageResponse, { ...messageResponse, messageid: '123456790', status: 'DELIVERED' }]);
  });

  it('turns a 404 ErrorModel into a NotFoundError', async () => {
    server.reply({ status: 404, headers: VENDOR_JSON, json: notFound });
    const error = await failure(client.batch.get('0'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.vendorMessage).toBe('Not found');
  });
});

describe('batch.cancelScheduled', () => {
  it('deletes /batches/schedule/{batchid} (plural) and parses the CancelledMessageResponse', async () => {
    server.reply({ status: 200, headers: VENDOR_JSON, json: { messageid: '3200562', status: 'CANCELLED' } });
    const result = await client.batch.cancelScheduled('3200562');
    expectBodiless('DELETE', '/v1/batches/schedule/3200562');
    expect(result).toEqual({ messageid: '3200562', status: 'CANCELLED' });
  });

  it('turns a 4XX ExtendedErrorModel into the typed error of its status', async () => {
    server.reply({ status: 404, headers: VENDOR_JSON, json: { message: 'Batch not found', errorCode: 404, status: 'NOT_FOUND' } });
    const error = await failure(client.batch.cancelScheduled('3200562'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, vendorCode: 404, vendorType: 'NOT_FOUND', vendorMessage: 'Batch not found' });
  });
});

describe('the client', () => {
  it('targets the vendor production URL when no baseUrl is given', async () => {
    const seen: string[] = [];
    const production = new SmsWorksClient({
      token: TOKEN,
      // Answers locally: nothing may leave this machine.
      fetch: async (input) => {
        seen.push(String(input));
        return new Response(JSON.stringify(messageResponse), { status: 200, headers: VENDOR_JSON });
      },
    });
    await production.messages.get('1');
    expect(seen).toEqual(['https://api.thesmsworks.co.uk/v1/messages/1']);
  });

  it('sends through the fetch it was given', async () => {
    const seen: string[] = [];
    const own = new SmsWorksClient({
      token: TOKEN,
      baseUrl: server.url,
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    server.reply({ status: 200, headers: VENDOR_JSON, json: messageResponse });
    await own.messages.get('1');
    expect(seen).toEqual([`${server.url}/messages/1`]);
  });
});
