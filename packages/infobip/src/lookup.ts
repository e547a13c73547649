/**
 * What became of an Infobip send, from its message logs (GET /omni/1/logs): by the bulkId and the
 * per-destination messageIds msgkit derives from a batch's key (`clientIds`), or by the ids an
 * answer returned. Infobip keeps every accepted message in the logs for 48 hours, so a lookup by
 * msgkit's own ids that finds nothing, inside that window, proves nothing was accepted (the
 * DECISION at getOmniLogs in specs/infobip.yaml). Delivery reports (/omni/1/reports) are not read:
 * each is handed out once, and those pushed to a webhook are not there at all.
 */
import { type DeliveryEvent, type LookupProof, type LookupResult } from '@msgkit/core';
import { absenceVerdict, lookupRequests, matchRecipients, recipientMessageId, type LookupOptions, type LookupQuery, type StatusLookupFact } from '@msgkit/core/internal';
import type { InfobipClient } from './client';
import { GetOmniLogsRateLimit, GetOmniLogsRetentionHours } from './generated';
import { reportEvent } from './reports';

/** The most logs one request returns (specs/infobip.yaml getOmniLogs `limit` maximum). */
const LOGS_LIMIT = 1000;
/** messageIds per request: 100 UUIDs keep the URL near 5 kB, well inside what servers take. */
const IDS_PER_REQUEST = 100;

/**
 * How the Infobip sender looks a send up: the omni logs by bulk id (msgkit's dedupe key) and
 * message ids. Infobip keeps logs 48 hours, so a message missing from them proves it was not sent
 * when the send used msgkit's ids and is 10 minutes to 47 hours old.
 */
export const infobipStatusLookup = {
  endpoints: ['GET /omni/1/logs'],
  by: ['dedupeKey', 'ids', 'messages'],
  rateLimit: GetOmniLogsRateLimit,
  absenceProof: {
    retentionHours: GetOmniLogsRetentionHours,
    marginHours: 1,
    settleMinutes: 10,
    source: 'specs/infobip.yaml getOmniLogs: x-retention-hours 48 (S11 "All logs are available for the last 48 hours") and its reconciliation DECISION (msgkit ids only; trusted from 10 minutes to 47 hours after the send)',
  },
  source: 'specs/infobip.yaml getOmniLogs (S1 get-omni-failover-message-logs: filters bulkId and messageId, x-throttling-info 120 per minute)',
} as const satisfies StatusLookupFact;

export async function lookupInfobip(client: InfobipClient, query: LookupQuery, options: LookupOptions = {}): Promise<LookupResult> {
  const recipients = query.recipients ?? [];
  // Every id we expect a log under, with the recipient it was sent to.
  const expected = new Map<string, string | undefined>();
  if (query.dedupeKey !== undefined) for (const to of recipients) expected.set(recipientMessageId(query.dedupeKey, to), to);
  for (const m of query.messages ?? []) expected.set(m.id, m.to);
  const bulkIds = [...new Set([...(query.dedupeKey !== undefined ? [query.dedupeKey] : []), ...(query.ids ?? [])])];
  const verdict = absenceVerdict(infobipStatusLookup, query, options.now ?? new Date());
  if (bulkIds.length === 0 && expected.size === 0) return { found: [], missing: [...recipients], absenceProvesNotSent: false, reason: 'nothing_to_ask_by', proof: [] };

  const proof: LookupProof[] = [];
  const request = lookupRequests(proof, options);
  const logs = new Map<string, DeliveryEvent>();
  const ask = async (params: { bulkId?: string[]; messageId?: string[] }, endpoint: string): Promise<void> => {
    const answer = await request(endpoint, () => client.omni.logs({ ...params, limit: LOGS_LIMIT }, options.signal ? { signal: options.signal } : {}));
    answer?.results.forEach((log, i) => {
      const event = reportEvent(log, ['results', i]);
      if (event) logs.set(event.messageId, event);
    });
  };
  for (const bulkId of bulkIds) await ask({ bulkId: [bulkId] }, `GET /omni/1/logs?bulkId=${encodeURIComponent(bulkId)}&limit=${LOGS_LIMIT}`);
  // What the bulk queries did not return (more than a page, or a bulk id Infobip did not keep), by id.
  const unseen = [...expected.keys()].filter((id) => !logs.has(id));
  for (let i = 0; i < unseen.length; i += IDS_PER_REQUEST) {
    const ids = unseen.slice(i, i + IDS_PER_REQUEST);
    await ask({ messageId: ids }, `GET /omni/1/logs?${ids.map((id) => `messageId=${encodeURIComponent(id)}`).join('&')}&limit=${LOGS_LIMIT}`);
  }
  const { found, missing } = matchRecipients(logs.values(), recipients, expected);
  return { found, missing, absenceProvesNotSent: verdict.proves, ...(!verdict.proves && { reason: verdict.reason }), proof };
}
