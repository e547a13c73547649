import { mapStatus, reportReader, reportTime, type DeliveryEvent, type DeliveryReportFormat, type StatusMapping } from '@msgkit/core/internal';
import { DeliveryReportFromJSON } from './generated/models/index';

/**
 * The SMS Works message statuses (shared/vendors/smsworks.md 5.1): SENT, DELIVERED, EXPIRED,
 * UNDELIVERABLE, REJECTED in the current Query description (SPEC19); ACCEPTED, DELETED, UNKNOWN in
 * 1.0.0 (SPEC10); SCHEDULED, CANCELLED, PROCESSED on scheduled messages. CANCELLED was withdrawn
 * by the sender before it went out (`failed`, final); DELETED means the vendor no longer holds the
 * message, so it cannot be asked again (`unknown`, final); UNKNOWN can still change (`getMessage`
 * asks again). INCOMING is an inbound message, not a delivery report: it yields no event.
 */
export const SMSWORKS_REPORT_STATUSES: Readonly<Record<string, StatusMapping>> = {
  ACCEPTED: { status: 'accepted', final: false },
  SCHEDULED: { status: 'scheduled', final: false },
  PROCESSED: { status: 'queued', final: false },
  SENT: { status: 'sent', final: false },
  DELIVERED: { status: 'delivered', final: true },
  UNDELIVERABLE: { status: 'undelivered', final: true },
  EXPIRED: { status: 'expired', final: true },
  REJECTED: { status: 'rejected', final: true },
  CANCELLED: { status: 'failed', final: true },
  DELETED: { status: 'unknown', final: true },
  UNKNOWN: { status: 'unknown', final: false },
};

const INBOUND = 'INCOMING';
const read = /* @__PURE__ */ reportReader('smsworks');

/** One MessageResponse-shaped object (a report, or a message the API returns) as an event; undefined for an INCOMING message. */
export function messageEvent(value: unknown, path: (string | number)[]): DeliveryEvent | undefined {
  const o = read.object(value, path);
  const messageId = read.string(o['messageid'], [...path, 'messageid']);
  const status = read.string(o['status'], [...path, 'status']);
  if (status === INBOUND) return undefined;
  const report = DeliveryReportFromJSON(o);
  const mapped = mapStatus(SMSWORKS_REPORT_STATUSES, status);
  const event: DeliveryEvent = { vendor: 'smsworks', messageId, status: mapped.status, final: mapped.final, raw: { status } };
  const reason = o['failurereason'] === undefined || o['failurereason'] === null ? undefined : read.object(o['failurereason'], [...path, 'failurereason']);
  if (reason) {
    const code = read.optionalNumber(reason['code'], [...path, 'failurereason', 'code']);
    if (code !== undefined) event.raw.code = code;
    if (typeof reason['details'] === 'string') event.raw.error = reason['details'];
    if (typeof reason['permanent'] === 'boolean') event.permanent = reason['permanent'];
  }
  const at = reportTime(report.modified);
  if (at) event.at = at;
  if (report.batchid) event.groupId = report.batchid;
  if (typeof o['destination'] === 'number' || typeof o['destination'] === 'string') event.to = String(o['destination']);
  const parts = read.optionalNumber(report.messageparts, [...path, 'messageparts']);
  if (parts !== undefined) event.parts = parts;
  if (report.tag) event.echo = report.tag;
  if (mapped.unmapped) event.unmapped = true;
  return event;
}

/**
 * Parses what The SMS Works posts to a `deliveryreporturl`. The vendor publishes no schema (spec
 * DECISION in specs/smsworks.yaml): one MessageResponse-shaped object, or a list of them. An
 * INCOMING message posted to the same URL yields no event.
 */
function parse(body: unknown): DeliveryEvent[] {
  const items = Array.isArray(body) ? body.map((item, i) => messageEvent(item, [i])) : [messageEvent(body, [])];
  return items.filter((e): e is DeliveryEvent => e !== undefined);
}

/** The SMS Works' delivery-report format, for `@msgkit/webhooks`. */
export const smsworksReports: DeliveryReportFormat = { vendor: 'smsworks', statuses: SMSWORKS_REPORT_STATUSES, parse };
