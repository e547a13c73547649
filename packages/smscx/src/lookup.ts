/**
 * What became of an SMS.CX send: its campaign report, page by page, by the `info.campaignId` a
 * send returned (GET /reports/campaigns/{campaignId}), and single reports by `msgId` for what that
 * did not list (GET /reports/single/{msgId}). No report carries the `idempotencyId` or `trackData`
 * a client chose, so a send whose answer was lost cannot be looked up: SMS.CX's own remedy is the
 * resend with the same idempotencyId, which replays the first answer. A 404 proves nothing (the
 * DECISION at ReportNotFound in specs/smscx.yaml).
 */
import { type DeliveryEvent, type LookupProof, type LookupResult } from '@msgkit/core';
import { lookupRequests, mapStatus, matchRecipients, strictestRateLimit, type LookupOptions, type LookupQuery, type StatusLookupFact } from '@msgkit/core/internal';
import type { SmscxClient } from './client';
import { GetCampaignReportRateLimit, GetSingleReportRateLimit } from './generated/apis/index';
import type { MessageReport } from './generated/models/index';
import { SMSCX_REPORT_STATUSES } from './reports';
import { MAX_REPORT_PAGE } from './rules';

/**
 * How the SMS.CX sender looks a send up: the campaign report by campaign id and the single report
 * by message id. A message missing from them proves nothing, since no id of a send is msgkit's own.
 */
export const smscxStatusLookup = {
  endpoints: ['GET /reports/campaigns/{campaignId}', 'GET /reports/single/{msgId}'],
  by: ['ids', 'messages'],
  rateLimit: /* @__PURE__ */ strictestRateLimit(GetCampaignReportRateLimit, GetSingleReportRateLimit),
  absenceProof: false,
  source: 'specs/smscx.yaml getCampaignReport, getSingleReport (ReportsApi.md @36fe3da) and the DECISION at ReportNotFound; what a client chooses is in no report (the note at the top of the spec)',
} as const satisfies StatusLookupFact;

function reportEvent(m: MessageReport, campaignId: string | undefined): DeliveryEvent {
  const mapped = mapStatus(SMSCX_REPORT_STATUSES, m.status);
  const event: DeliveryEvent = { vendor: 'smscx', messageId: m.msgId, status: mapped.status, final: mapped.final, raw: { status: m.status } };
  if (m.errorCode !== null && m.errorCode !== undefined) event.raw.code = m.errorCode;
  const at = m.updatedAt ?? m.createdAt;
  if (at instanceof Date && !Number.isNaN(at.getTime())) event.at = at.toISOString();
  if (campaignId !== undefined) event.groupId = campaignId;
  event.to = m.to;
  event.channel = m.channel;
  event.price = { amount: m.cost };
  if (m.textAnalysis?.parts !== undefined) event.parts = m.textAnalysis.parts;
  if ('unmapped' in mapped) event.unmapped = true;
  return event;
}

export async function lookupSmscx(client: SmscxClient, query: LookupQuery, options: LookupOptions = {}): Promise<LookupResult> {
  const recipients = query.recipients ?? [];
  const call = options.signal ? { signal: options.signal } : {};
  const campaignIds = [...new Set(query.ids ?? [])];
  const messages = query.messages ?? [];
  if (campaignIds.length === 0 && messages.length === 0) return { found: [], missing: [...recipients], absenceProvesNotSent: false, reason: 'nothing_to_ask_by', proof: [] };

  const proof: LookupProof[] = [];
  const events = new Map<string, DeliveryEvent>();
  const ask = lookupRequests(proof, options);
  for (const campaignId of campaignIds) {
    let next: string | undefined;
    do {
      const cursor = next;
      const page = await ask(`GET /reports/campaigns/${campaignId}?limit=${MAX_REPORT_PAGE}${cursor !== undefined ? `&next=${cursor}` : ''}`, () =>
        client.reports.campaign(campaignId, { limit: MAX_REPORT_PAGE, ...(cursor !== undefined && { next: cursor }) }, call),
      );
      for (const m of page?.data ?? []) events.set(m.msgId, reportEvent(m, campaignId));
      next = page?.paging.next ?? undefined;
    } while (next !== undefined);
  }
  for (const m of messages) {
    if (events.has(m.id)) continue;
    const single = await ask(`GET /reports/single/${m.id}`, () => client.reports.single(m.id, call));
    if (single) events.set(m.id, reportEvent(single.data, undefined));
  }

  const byId = new Map(messages.map((m) => [m.id, m.to]));
  return { ...matchRecipients(events.values(), recipients, byId), absenceProvesNotSent: false, reason: 'vendor_gives_no_proof', proof };
}
