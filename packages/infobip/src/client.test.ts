import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  InfobipClient,
  NotFoundError,
  OmniChannel,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  ValidationError,
} from './index';

const KEY = '003026bbc133714df1834b8638bb496e-8f4b3d9a-e931-478d-a994-28a725159ab9';
let server: Recorder;
let client: InfobipClient;

beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  client = new InfobipClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 0 });
});

const pending = { groupId: 1, groupName: 'PENDING', id: 7, name: 'PENDING_ENROUTE', description: 'Message sent to next instance' };
const scenario = {
  key: 'AD9E01A5DC7BEE2C2B828D208182A611',
  name: 'Test SMS or Viber',
  flow: [
    { from: 'InfoSMS', channel: 'SMS' },
    { from: 'ViberSender', channel: 'VIBER' },
  ],
  default: false,
};
const errorBody = (messageId: string, text: string, validationErrors?: Record<string, string[]>) => ({
  requestError: { serviceException: { messageId, text, ...(validationErrors && { validationErrors }) } },
});

describe('omni.send', () => {
  it('posts the advanced message to /omni/1/advanced with the App key and the JSON body', async () => {
    const refused = await client.omni.send({
      scenarioKey: 'AD9E01A5DC7BEE2C2B828D208182A611',
      destinations: [{ to: { phoneNumber: '+41 79 302 67 27', emailAddress: 'email@example.com' } }],
      viber: { text: 'Viber message is going first.', validityPeriod: 1 },
      sms: { text: "After one minute I'm trying to reach the user on SMS", validityPeriod: 1 },
      email: { text: 'Two minutes after the initial message.', subject: 'Hey - turn on your mobile phone!', validityPeriod: 1 },
      sendAt: new Date(Date.UTC(2099, 0, 1, 10, 52, 15)),
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    // sendAt above is more than 180 days ahead: refused as a rejected promise, nothing sent.
    expect(server.requests).toHaveLength(0);

    const sendAt = new Date(Date.now() + 86_400_000);
    server.reply({ json: { messages: [{ to: { phoneNumber: '41793026727', emailAddress: 'email@example.com' }, status: pending, messageId: 'efcd006b-af37-40e1-9984-09735bf45f17' }] } });
    const result = await client.omni.send({
      scenarioKey: 'AD9E01A5DC7BEE2C2B828D208182A611',
      destinations: [{ to: { phoneNumber: '+41 79 302 67 27', emailAddress: 'email@example.com' } }],
      viber: { text: 'Viber message is going first.', validityPeriod: 1 },
      sms: { text: "After one minute I'm trying to reach the user on SMS", validityPeriod: 1 },
      email: { text: 'Two minutes after the initial message.', subject: 'Hey - turn on your mobile phone!', validityPeriod: 1 },
      sendAt,
    });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/omni/1/advanced');
    expect(request!.headers.authorization).toBe(`App ${KEY}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toEqual({
      scenarioKey: 'AD9E01A5DC7BEE2C2B828D208182A611',
      destinations: [{ to: { phoneNumber: '41793026727', emailAddress: 'email@example.com' } }],
      viber: { text: 'Viber message is going first.', validityPeriod: 1 },
      sms: { text: "After one minute I'm trying to reach the user on SMS", validityPeriod: 1 },
      email: { text: 'Two minutes after the initial message.', subject: 'Hey - turn on your mobile phone!', validityPeriod: 1 },
      sendAt: sendAt.toISOString().replace('Z', '+0000'),
    });
    expect(result.messages[0]).toEqual({ to: { phoneNumber: '41793026727', emailAddress: 'email@example.com' }, status: pending, messageId: 'efcd006b-af37-40e1-9984-09735bf45f17' });
  });

  it('sends the documented multi-destination example unchanged and reads the answer with its bulkId', async () => {
    const answer = {
      bulkId: 'Bulk-ID-12xyz',
      messages: [
        { to: { phoneNumber: '41793026727', emailAddress: 'email@example.com' }, status: pending, messageId: 'MESSAGE-ID-123-xyz' },
        { to: { phoneNumber: '41793026731' }, status: pending, messageId: '4adbe74a-a600-47b3-9f2e-e410d3224843' },
      ],
    };
    server.reply({ json: answer });
    const body = {
      bulkId: 'Bulk-ID-12xyz',
      destinations: [{ messageId: 'MESSAGE-ID-123-xyz', to: { phoneNumber: '41793026727', emailAddress: 'email@example.com' } }, { to: { phoneNumber: '41793026731' } }],
      viber: { text: 'Your parcel is on its way.', validityPeriod: 90, validityPeriodTimeUnit: 'SECONDS' as never },
      sms: { text: 'Your parcel is on its way.', transliteration: 'NONE' as never },
      notifyUrl: 'https://example.com/infobip/dlr',
      notifyContentType: 'application/json' as never,
      callbackData: 'order-4711',
    };
    const result = await client.omni.send(body);
    expect(server.requests[0]!.body).toEqual(body);
    expect(result).toEqual(answer);
  });

  it('reads the older ACCEPTED answer of the seed page', async () => {
    const accepted = { groupId: 0, groupName: 'ACCEPTED', id: 0, name: 'MESSAGE_ACCEPTED', description: 'Message accepted' };
    server.reply({ json: { messages: [{ to: { phoneNumber: '41793026727' }, status: accepted, messageId: 'MESSAGE-ID-123-xyz' }] } });
    const result = await client.omni.send({ destinations: [{ to: { phoneNumber: '41793026727' } }], sms: { text: 'Hi' } });
    expect(result.messages[0]!.status).toEqual(accepted);
    expect(result.bulkId).toBeUndefined();
  });

  it('turns the documented 400 with validationErrors into a BadRequestError naming the fields', async () => {
    server.reply({ status: 400, headers: { 'x-request-id': 'req-400' }, json: errorBody('BAD_REQUEST', 'Bad request', { 'destinations[0].to': ['must not be null'] }) });
    const error = await client.omni.send({ destinations: [{ to: { phoneNumber: '41793026727' } }], sms: { text: 'Hi' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, vendorCode: 'BAD_REQUEST', requestId: 'req-400', vendorMessage: 'Bad request: destinations[0].to: must not be null', outcomeUnknown: false });
    expect((error as ApiError).headers['x-request-id']).toBe('req-400');
    expect((error as ApiError).body).toEqual(errorBody('BAD_REQUEST', 'Bad request', { 'destinations[0].to': ['must not be null'] }));
  });

  it.each([
    [401, 'UNAUTHORIZED', 'Unauthorized', AuthenticationError],
    [401, 'UNAUTHORIZED', 'Invalid login details', AuthenticationError],
    [403, 'FORBIDDEN', 'Forbidden', PermissionDeniedError],
  ])('turns the documented %i %s (%s) into the matching typed error', async (status, code, text, Class) => {
    server.reply({ status, json: errorBody(code, text) });
    const error = await client.omni.send({ destinations: [{ to: { phoneNumber: '41793026727' } }], sms: { text: 'Hi' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Class);
    expect(error).toMatchObject({ status, vendorCode: code, vendorMessage: text });
  });

  it('keeps an unknown, non-JSON error body as raw text in an ApiError', async () => {
    server.reply({ status: 502, text: '<html>Bad gateway</html>', headers: { 'content-type': 'text/html' } });
    const error = await client.omni.send({ destinations: [{ to: { phoneNumber: '41793026727' } }], sms: { text: 'Hi' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, vendorCode: undefined, body: '<html>Bad gateway</html>', vendorMessage: '<html>Bad gateway</html>' });
  });
});

describe('omni.scenarios', () => {
  it('lists scenarios with GET /omni/1/scenarios and its query, reading `default` as _default', async () => {
    const second = { key: 'F9E67B67F89D2FD78611C910D7D40696', name: 'New scenario', flow: [{ from: 'TestSender', channel: 'SMS' }, { from: '3045', channel: 'VIBER' }], default: true };
    server.reply({ json: { scenarios: [scenario, second] } });
    const result = await client.omni.scenarios.list({ isDefault: true, limit: 10, page: 2 });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'GET', path: '/omni/1/scenarios', query: { isDefault: 'true', limit: '10', page: '2' }, text: '' });
    expect(request!.headers.authorization).toBe(`App ${KEY}`);
    expect(result.scenarios![1]).toEqual({ key: second.key, name: second.name, flow: second.flow, _default: true, defaultScenario: undefined });
  });

  it('lists scenarios without a query string when no query is given', async () => {
    server.reply({ json: { scenarios: [] } });
    await client.omni.scenarios.list();
    expect(server.requests[0]).toMatchObject({ path: '/omni/1/scenarios', query: {} });
  });

  it('creates a scenario with POST, writing `default` on the wire, and reads the 201 answer', async () => {
    const created = { key: 'CD0D2D8C36D3D3CFD4B4B7E1E5D7D1E9', name: 'SMS with e-mail fallback', flow: [{ from: 'Travel agency', channel: 'SMS' }, { from: 'info@travelagency.com', channel: 'EMAIL' }], default: false };
    server.reply({ status: 201, json: created });
    const result = await client.omni.scenarios.create({ name: created.name, flow: [{ from: 'Travel agency', channel: OmniChannel.SMS }, { from: 'info@travelagency.com', channel: OmniChannel.EMAIL }], _default: false });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/omni/1/scenarios' });
    expect(request!.headers.authorization).toBe(`App ${KEY}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toEqual({ name: created.name, flow: created.flow, default: false });
    expect(result.key).toBe(created.key);
  });

  it('accepts Infobip\'s own `default` spelling on create', async () => {
    server.reply({ status: 201, json: { ...scenario, default: true } });
    await client.omni.scenarios.create({ name: 'x', flow: [{ channel: OmniChannel.SMS, from: 'InfoSMS' }], default: true });
    expect(server.requests[0]!.body).toEqual({ name: 'x', flow: [{ channel: 'SMS', from: 'InfoSMS' }], default: true });
  });

  it('gets one scenario with GET /omni/1/scenarios/{key}, escaping the key, and refuses a key that is a path', async () => {
    server.reply({ json: scenario }, { json: scenario });
    const result = await client.omni.scenarios.get(scenario.key);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: `/omni/1/scenarios/${scenario.key}` });
    expect(result).toMatchObject({ key: scenario.key, _default: false });
    await client.omni.scenarios.get('b c');
    expect(server.requests[1]!.path).toBe('/omni/1/scenarios/b%20c');
    for (const key of ['a/b c', '..', '.', '%2e%2e']) {
      await expect(client.omni.scenarios.get(key)).rejects.toMatchObject({ code: 'validation_error', issues: [{ path: ['scenarioKey'], code: 'invalid' }] });
    }
    expect(server.requests).toHaveLength(2);
  });

  it('turns the 404 of an unknown scenario into a NotFoundError', async () => {
    server.reply({ status: 404, json: errorBody('NOT_FOUND', 'Scenario not found') });
    const error = await client.omni.scenarios.get('NOPE').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, vendorCode: 'NOT_FOUND', vendorMessage: 'Scenario not found' });
  });

  it('updates a scenario with PUT and the whole body', async () => {
    const updated = { key: scenario.key, name: 'Viber first, then SMS', flow: [{ from: 'ViberSender', channel: 'VIBER' }, { from: 'InfoSMS', channel: 'SMS' }], default: true };
    server.reply({ json: updated });
    const result = await client.omni.scenarios.update(scenario.key, { name: updated.name, flow: [{ from: 'ViberSender', channel: OmniChannel.VIBER }, { from: 'InfoSMS', channel: OmniChannel.SMS }], _default: true });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'PUT', path: `/omni/1/scenarios/${scenario.key}` });
    expect(request!.headers.authorization).toBe(`App ${KEY}`);
    expect(request!.body).toEqual({ name: updated.name, flow: updated.flow, default: true });
    expect(result).toMatchObject({ key: scenario.key, _default: true });
  });

  it('turns the 409 "invalid scenario" into a BadRequestError', async () => {
    server.reply({ status: 409, json: errorBody('CONFLICT', 'Invalid scenario') });
    const error = await client.omni.scenarios.update(scenario.key, { flow: [{ channel: OmniChannel.SMS }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 409, vendorCode: 'CONFLICT', vendorMessage: 'Invalid scenario' });
  });

  it('turns the 429 of a throttled create into a RateLimitError', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '600' }, json: errorBody('TOO_MANY_REQUESTS', 'Too many requests') });
    const error = await client.omni.scenarios.create({ flow: [{ channel: OmniChannel.SMS }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, vendorCode: 'TOO_MANY_REQUESTS', retryAfterMs: 600_000 });
  });
});

describe('omni.reports and omni.logs', () => {
  const report = {
    bulkId: 'bafdeb3d-719b-4cce-8762-54d47b40f3c5',
    messageId: '07e03aae-fabc-44ad-b1ce-222e14094d70',
    to: '41793026727',
    sentAt: '2015-02-23T16:41:11.833+0000',
    doneAt: '2015-02-23T16:41:11.843+0000',
    messageCount: 1,
    mccMnc: '22801',
    price: { pricePerMessage: 0.0104, currency: 'EUR' },
    status: { groupId: 3, groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET', description: 'Message delivered to handset' },
    error: { groupId: 0, groupName: 'OK', id: 0, name: 'NO_ERROR', description: 'No Error', permanent: false },
    channel: 'VIBER',
  };

  it('gets delivery reports with GET /omni/1/reports and its filters', async () => {
    server.reply({ json: { results: [report] } });
    const result = await client.omni.reports({ bulkId: report.bulkId, messageId: report.messageId, limit: 1, channel: OmniChannel.PUSH });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'GET', path: '/omni/1/reports', query: { bulkId: report.bulkId, messageId: report.messageId, limit: '1', channel: 'PUSH' } });
    expect(request!.headers.authorization).toBe(`App ${KEY}`);
    expect(result.results![0]).toMatchObject({ to: '41793026727', channel: 'VIBER', status: { id: 5 }, error: { permanent: false }, price: { pricePerMessage: 0.0104 } });
  });

  it('gets logs with GET /omni/1/logs, repeating list filters and formatting Dates', async () => {
    const log = { ...report, from: 'InfoSMS', text: 'Test SMS.', channel: 'SMS', error: undefined };
    server.reply({ json: { results: [log] } });
    const urls: string[] = [];
    const watched = new InfobipClient({ apiKey: KEY, baseUrl: server.url, fetch: (url, init) => (urls.push(url), fetch(url, init)) });
    const result = await watched.omni.logs({
      from: 'InfoSMS',
      to: '+41 79 302 67 27',
      bulkId: ['a', 'b'],
      messageId: ['m1'],
      generalStatus: 'DELIVERED' as never,
      channel: OmniChannel.SMS,
      sentSince: new Date(Date.UTC(2015, 1, 22, 16, 42, 5, 390)),
      sentUntil: '2015-02-22T17:44:05.390+01:00',
      limit: 1000,
      mcc: '228',
      mnc: '01',
    });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'GET', path: '/omni/1/logs' });
    expect(request!.query).toMatchObject({ from: 'InfoSMS', to: '41793026727', messageId: 'm1', generalStatus: 'DELIVERED', channel: 'SMS', sentSince: '2015-02-22T16:42:05.390+0000', sentUntil: '2015-02-22T17:44:05.390+01:00', limit: '1000', mcc: '228', mnc: '01' });
    expect(new URL(urls[0]!).searchParams.getAll('bulkId')).toEqual(['a', 'b']);
    expect(result.results![0]).toMatchObject({ from: 'InfoSMS', text: 'Test SMS.', to: '41793026727' });
  });

  it('turns a 429 of the logs into a RateLimitError after no retry when maxRetries is 0', async () => {
    server.reply({ status: 429, json: errorBody('TOO_MANY_REQUESTS', 'Too many requests') });
    const error = await client.omni.logs().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ vendorCode: 'TOO_MANY_REQUESTS', attempts: 1 });
  });

  it('turns the documented 500 of the reports into a ServerError', async () => {
    server.reply({ status: 500, json: errorBody('GENERAL_ERROR', 'Something went wrong. Please contact support.') });
    const error = await client.omni.reports().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, vendorCode: 'GENERAL_ERROR', outcomeUnknown: false });
  });
});

describe('construction', () => {
  it('refuses a missing key and a missing base URL at once, before any request', () => {
    const error = (() => {
      try {
        new InfobipClient({ apiKey: '', baseUrl: '' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path[0])).toEqual(['apiKey', 'baseUrl']);
    vi.stubEnv('INFOBIP_API_KEY', undefined);
    vi.stubEnv('INFOBIP_BASE_URL', undefined);
    try {
      expect(() => new InfobipClient({} as never)).toThrow(/infobip needs INFOBIP_API_KEY and INFOBIP_BASE_URL in the environment \(or the apiKey \/ baseUrl option\)/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('adds https:// to a bare host and drops trailing slashes', () => {
    expect(new InfobipClient({ apiKey: KEY, baseUrl: 'xyz.api.infobip.com' }).baseUrl).toBe('https://xyz.api.infobip.com');
    expect(new InfobipClient({ apiKey: KEY, baseUrl: 'https://xyz.api.infobip.com//' }).baseUrl).toBe('https://xyz.api.infobip.com');
  });

  it('refuses plain http to a non-loopback host, where the key could be read on the way', () => {
    expect(() => new InfobipClient({ apiKey: KEY, baseUrl: 'http://xyz.api.infobip.com' })).toThrow(ValidationError);
  });

  it('writes the App prefix once when the key already carries it', async () => {
    server.reply({ json: { scenarios: [] } });
    await new InfobipClient({ apiKey: `App ${KEY}`, baseUrl: server.url }).omni.scenarios.list();
    expect(server.requests[0]!.headers.authorization).toBe(`App ${KEY}`);
  });

  it('keeps a path prefix of the base URL (a sandbox mounted under /infobip)', async () => {
    server.reply({ json: { scenarios: [] } });
    await new InfobipClient({ apiKey: KEY, baseUrl: `${server.url}/infobip/` }).omni.scenarios.list();
    expect(server.requests[0]!.path).toBe('/infobip/omni/1/scenarios');
  });

  it('uses the fetch it is given', async () => {
    server.reply({ json: { scenarios: [] } });
    const seen: string[] = [];
    const custom = new InfobipClient({ apiKey: KEY, baseUrl: server.url, fetch: (url, init) => (seen.push(url), fetch(url, init)) });
    await custom.omni.scenarios.list();
    expect(seen).toEqual([`${server.url}/omni/1/scenarios`]);
  });
});
