// omniSend (the send-only entry) against InfobipClient#omni.send: the same options, inputs and
// answers through both, over a real loopback server, must give the same requests on the wire, the
// same results, the same refusals and the same notes.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Note } from '@msgkit/core';
import { InfobipClient, ServerError, ValidationError, type InfobipClientOptions, type OmniSendRequest } from './index';
import { omniSend } from './omni-send';

const KEY = '003026bbc133714df1834b8638bb496e-8f4b3d9a-e931-478d-a994-28a725159ab9';
const pending = { groupId: 1, groupName: 'PENDING', id: 7, name: 'PENDING_ENROUTE', description: 'Message sent to next instance' };
let server: Recorder;

beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** What one send through `send` gives: the requests the server saw, and the answer or the error as data. */
async function outcome(send: (request: OmniSendRequest) => Promise<unknown>, request: OmniSendRequest) {
  server.reset();
  server.reply({ json: { bulkId: 'B', messages: [{ to: { phoneNumber: '41793026727' }, status: pending, messageId: 'M' }] } });
  const answer = await send(request).then(
    (value) => ({ value, requestId: (value as { requestId?: unknown }).requestId, status: (value as { response: { status: number } }).response.status }),
    (error: unknown) => ({ error: error instanceof Error ? { name: error.name, ...(error as unknown as { toJSON(): object }).toJSON() } : error }),
  );
  const requests = server.requests.map((r) => ({ method: r.method, path: r.path, authorization: r.headers.authorization, contentType: r.headers['content-type'], body: r.body }));
  return { answer, requests };
}

describe('omniSend', () => {
  const requests: OmniSendRequest[] = [
    { destinations: [{ to: { phoneNumber: '+41 79 302 67 27' } }], sms: { text: 'Hi' } },
    { destinations: [{ to: { phoneNumber: '079 302 67 27' } }], sms: { text: 'Hi', validityPeriod: 3, validityPeriodTimeUnit: 'DAYS' as never }, callbackData: 'order-4711' },
    { bulkId: 'Bulk-ID-12xyz', destinations: [{ messageId: 'x', to: { phoneNumber: '41793026727', emailAddress: 'email@example.com' } }], viber: { text: 'Parcel' }, email: { text: 'Parcel', subject: 'S' } },
    // Refused before sending: no destination, a number that is none, an unknown field.
    { destinations: [], sms: { text: 'Hi' } },
    { destinations: [{ to: { phoneNumber: 'call me' } }], sms: { text: 'Hi' } },
    { destinations: [{ to: { phoneNumber: '41793026727' } }], sms: { text: 'Hi' }, smsText: 'typo' } as never,
  ];

  it('sends and answers as InfobipClient#omni.send does: the same requests on the wire, results, refusals and notes', async () => {
    const notes: { client: Note[]; send: Note[] } = { client: [], send: [] };
    const options = (into: Note[]): InfobipClientOptions => ({ apiKey: `App ${KEY}`, baseUrl: server.url, defaultCountry: 'CH', maxRetries: 0, onNote: (note) => void into.push(note) });
    const client = new InfobipClient(options(notes.client));
    const send = omniSend(options(notes.send));
    for (const request of requests) {
      const viaClient = await outcome((r) => client.omni.send(r), request);
      const viaSend = await outcome(send, request);
      expect(viaSend, JSON.stringify(request)).toEqual(viaClient);
    }
    expect(notes.send).toEqual(notes.client);
    expect(notes.send.map((note) => note.code)).toContain('validity_capped');
    // The three good requests were sent, by each.
    const sent = await outcome(send, requests[0]!);
    expect(sent.requests).toEqual([{ method: 'POST', path: '/omni/1/advanced', authorization: `App ${KEY}`, contentType: 'application/json', body: { destinations: [{ to: { phoneNumber: '41793026727' } }], sms: { text: 'Hi' } } }]);
  });

  it('never repeats a send that may have reached Infobip (a 5xx), like the client', async () => {
    const send = omniSend({ apiKey: KEY, baseUrl: server.url, maxRetries: 2 });
    server.reply({ status: 503, json: {} });
    const error = await send(requests[0]!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).outcomeUnknown).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  describe('options', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });

    it('refuses the options the client refuses, with the same issues', () => {
      const bad: unknown[] = [{}, { apiKey: 'a b', baseUrl: 'http://example.com' }, { apiKey: KEY, baseUrl: server.url, timeoutMs: -1, onNote: 'x' }];
      delete process.env.INFOBIP_API_KEY;
      delete process.env.INFOBIP_BASE_URL;
      for (const options of bad) {
        const fromClient = (() => {
          try {
            return new InfobipClient(options as InfobipClientOptions);
          } catch (error) {
            return error;
          }
        })();
        const fromSend = (() => {
          try {
            return omniSend(options as InfobipClientOptions);
          } catch (error) {
            return error;
          }
        })();
        expect(fromSend).toBeInstanceOf(ValidationError);
        expect(fromClient).toBeInstanceOf(fromSend!.constructor as typeof ValidationError);
        expect((fromSend as ValidationError).issues).toEqual((fromClient as ValidationError).issues);
        expect((fromSend as Error).message).toBe((fromClient as Error).message);
      }
    });

    it('reads the key and the host from INFOBIP_API_KEY and INFOBIP_BASE_URL when not given', async () => {
      process.env.INFOBIP_API_KEY = KEY;
      process.env.INFOBIP_BASE_URL = server.url;
      const sent = await outcome(omniSend(), requests[0]!);
      expect(sent.requests.map((r) => [r.path, r.authorization])).toEqual([['/omni/1/advanced', `App ${KEY}`]]);
    });
  });
});
