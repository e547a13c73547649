/**
 * What became of a The SMS Works send: its batch by the `batchid` a send returned
 * (GET /batch/{batchid}), or, where the answer was lost and msgkit holds no id, a search
 * (POST /messages) by a recipient, the sender and the time of the send, recognized by its text and
 * reference; the batch of what it finds is then read whole. The vendor lets no client choose an
 * id and documents no retention, so not finding a send proves nothing (the DECISION at
 * searchMessages in specs/smsworks.yaml).
 */
import { type DeliveryEvent, type LookupProof, type LookupResult } from '@msgkit/core';
import { lookupRequests, matchRecipients, strictestRateLimit, type LookupOptions, type LookupQuery, type StatusLookupFact } from '@msgkit/core/internal';
import type { SmsWorksClient } from './client';
import { GetBatchRateLimit, GetMessageRateLimit, SearchMessagesRateLimit, type MessageResponse } from './generated/index';
import { messageEvent } from './reports';

/** Recipients searched before giving up: a batch accepted has a message for every destination, so one found is enough. */
const SEARCH_PROBES = 3;
/** How far before the recorded start of the send the search begins: the vendor's clock is not ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * How the SMS Works sender looks a send up: its batch by batch id, its messages by message id, and a
 * search by recipient and send time. A message found proves it was sent; one not found proves
 * nothing, since no id of a send is msgkit's own.
 */
export const smsworksStatusLookup = {
  endpoints: ['GET /batch/{batchid}', 'POST /messages', 'GET /messages/{messageid}'],
  by: ['ids', 'messages', 'recipients'],
  rateLimit: /* @__PURE__ */ strictestRateLimit(GetBatchRateLimit, SearchMessagesRateLimit, GetMessageRateLimit),
  absenceProof: false,
  source: 'specs/smsworks.yaml getBatch, searchMessages (and its DECISION: found proves sent, not found proves nothing), getMessage; no id is the client\'s (shared/vendors/smsworks.md §2)',
} as const satisfies StatusLookupFact;

export async function lookupSmsworks(client: SmsWorksClient, query: LookupQuery, options: LookupOptions = {}): Promise<LookupResult> {
  const recipients = query.recipients ?? [];
  const call = options.signal ? { signal: options.signal } : {};
  const proof: LookupProof[] = [];
  const events = new Map<string, DeliveryEvent>();
  const keep = (messages: readonly MessageResponse[]): void => {
    messages.forEach((m, i) => {
      const event = messageEvent(m, [i]);
      if (event) events.set(event.messageId, event);
    });
  };
  const ask = lookupRequests(proof, options);
  const readBatch = async (batchId: string): Promise<void> => keep((await ask(`GET /batch/${batchId}`, () => client.batch.get(batchId, call))) ?? []);

  const batchIds = [...new Set(query.ids ?? [])];
  const searchable = batchIds.length === 0 && recipients.length > 0 && query.message?.text !== undefined;
  const messageIds = (query.messages ?? []).map((m) => m.id);
  if (batchIds.length === 0 && messageIds.length === 0 && !searchable) return { found: [], missing: [...recipients], absenceProvesNotSent: false, reason: 'nothing_to_ask_by', proof };

  for (const id of batchIds) await readBatch(id);
  if (searchable) {
    for (const to of recipients.slice(0, SEARCH_PROBES)) {
      const criteria = searchFor(query, to);
      const hits = (await ask('POST /messages', () => client.messages.search(criteria, call), criteria)) ?? [];
      const ours = hits.filter((m) => m.content === query.message!.text && (query.reference === undefined || m.tag === query.reference));
      const batchId = ours.find((m) => m.batchid)?.batchid;
      if (batchId !== undefined) {
        await readBatch(batchId);
        break;
      }
      keep(ours);
      if (ours.length > 0) break;
    }
  }
  for (const id of messageIds) {
    if (events.has(id)) continue;
    const message = await ask(`GET /messages/${id}`, () => client.messages.get(id, call));
    if (message) keep([message]);
  }

  const byId = new Map((query.messages ?? []).map((m) => [m.id, m.to]));
  return { ...matchRecipients(events.values(), recipients, byId), absenceProvesNotSent: false, reason: 'vendor_gives_no_proof', proof };
}

function searchFor(query: LookupQuery, to: string): Parameters<SmsWorksClient['messages']['search']>[0] {
  return {
    destination: to,
    ...(query.message?.from !== undefined && { sender: query.message.from }),
    ...(query.sentAt !== undefined && { from: new Date(query.sentAt.getTime() - CLOCK_SKEW_MS) }),
  };
}
