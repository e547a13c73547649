import { mapStatus, reportReader, reportTime, type DeliveryEvent, type DeliveryReportFormat, type StatusMapping } from '@msgkit/core/internal';
import { DeliveryReportFromJSON, GeneralStatus } from './generated/models/index';

const accepted: StatusMapping = { status: 'accepted', final: false };
const queued: StatusMapping = { status: 'queued', final: false };
const sent: StatusMapping = { status: 'sent', final: false };
const delivered: StatusMapping = { status: 'delivered', final: true };
const undelivered: StatusMapping = { status: 'undelivered', final: true };
const expired: StatusMapping = { status: 'expired', final: true };
const rejected: StatusMapping = { status: 'rejected', final: true };
const unknownFinal: StatusMapping = { status: 'unknown', final: true };

/**
 * Infobip's status groups (`status.groupName`, IpCoreGeneralStatus in Infobip's OpenAPI,
 * `api-evangelist/infobip@b3be778` `openapi/infobip-omni-failover-openapi.json`; response-status
 * docs, shared/vendors/infobip.md 4.1). A status name not listed below is read by its group.
 */
export const INFOBIP_REPORT_GROUPS: Readonly<Record<GeneralStatus, StatusMapping>> = {
  [GeneralStatus.ACCEPTED]: accepted,
  [GeneralStatus.PENDING]: queued,
  [GeneralStatus.UNDELIVERABLE]: undelivered,
  [GeneralStatus.DELIVERED]: delivered,
  [GeneralStatus.EXPIRED]: expired,
  [GeneralStatus.REJECTED]: rejected,
};

/**
 * The status names Infobip documents (message-status-codes docs and the legacy v1 table,
 * shared/vendors/infobip.md 4.2), where the name says more than its group: DELIVERED_TO_OPERATOR
 * is an intermediate report (the handset report follows), EXPIRED_DLR_UNKNOWN means no operator
 * report ever came (final, and Infobip cannot tell), UNDELIVERABLE_NOT_SENT never left Infobip.
 */
export const INFOBIP_REPORT_NAMES: Readonly<Record<string, StatusMapping>> = {
  MESSAGE_ACCEPTED: accepted,
  PENDING_ACCEPTED: accepted,
  PENDING_TIME_VIOLATION: queued,
  PENDING_WAITING_DELIVERY: sent,
  PENDING_ENROUTE: sent,
  UNDELIVERABLE_REJECTED_OPERATOR: undelivered,
  UNDELIVERABLE_NOT_DELIVERED: undelivered,
  UNDELIVERABLE_NOT_SENT: { status: 'failed', final: true },
  NO_ANSWER: undelivered,
  BUSY: undelivered,
  CANCELLED: undelivered,
  DELIVERED_TO_OPERATOR: sent,
  DELIVERED_TO_HANDSET: delivered,
  EXPIRED_EXPIRED: expired,
  EXPIRED_DLR_UNKNOWN: unknownFinal,
  EXPIRED_UNKNOWN: unknownFinal,
  REJECTED_NETWORK: rejected,
  REJECTED_PREFIX_MISSING: rejected,
  REJECTED_DND: rejected,
  REJECTED_SOURCE: rejected,
  REJECTED_NOT_ENOUGH_CREDITS: rejected,
  REJECTED_SENDER: rejected,
  REJECTED_DESTINATION_BLOCKLISTED: rejected,
  REJECTED_DESTINATION: rejected,
  REJECTED_PREPAID_PACKAGE_EXPIRED: rejected,
  REJECTED_DESTINATION_NOT_REGISTERED: rejected,
  REJECTED_ROUTE_NOT_AVAILABLE: rejected,
  REJECTED_FLOODING_FILTER: rejected,
  REJECTED_SYSTEM_ERROR: rejected,
  REJECTED_DUPLICATE_MESSAGE_ID: rejected,
  REJECTED_INVALID_UDH: rejected,
  REJECTED_MESSAGE_TOO_LONG: rejected,
  MISSING_TO: rejected,
  UNDELIVERABLE_REJECTED_PLATFORM: rejected,
};

/** Every status string Infobip documents (names and groups), with its meaning. */
export const INFOBIP_REPORT_STATUSES: Readonly<Record<string, StatusMapping>> = /* @__PURE__ */ Object.assign({}, INFOBIP_REPORT_GROUPS, INFOBIP_REPORT_NAMES);

const read = /* @__PURE__ */ reportReader('infobip');

/**
 * Parses the body Infobip posts to `notifyUrl` (or the account's webhook): `{ results: [...] }`
 * (S1 webhook `receive-omni-failover-message-delivery-reports`). Seen reports come to the same URL
 * ("Use one URL for all report types", S1) as `{messageId, seenAt, ...}` without a status: they
 * say nothing about delivery and yield no event.
 */
function parse(body: unknown): DeliveryEvent[] {
  const root = read.object(body, []);
  const items = read.array(root['results'], ['results']);
  const events: DeliveryEvent[] = [];
  items.forEach((item, i) => {
    const event = reportEvent(item, ['results', i]);
    if (event) events.push(event);
  });
  return events;
}

/**
 * One delivery report, or one log entry (the same fields less `error`: GET /omni/1/logs), as an
 * event; undefined for a seen report, which says nothing about delivery.
 */
export function reportEvent(item: unknown, path: (string | number)[]): DeliveryEvent | undefined {
  const o = read.object(item, path);
  if (o['status'] === undefined && o['seenAt'] !== undefined) return undefined;
  const messageId = read.string(o['messageId'], [...path, 'messageId']);
  const status = read.object(o['status'], [...path, 'status']);
  const groupName = read.string(status['groupName'], [...path, 'status', 'groupName']);
  const name = read.optionalString(status['name'], [...path, 'status', 'name']);
  const report = DeliveryReportFromJSON(o);
  const byName = name !== undefined ? INFOBIP_REPORT_NAMES[name] : undefined;
  const mapped = byName ?? mapStatus(INFOBIP_REPORT_GROUPS, groupName);
  const event: DeliveryEvent = { vendor: 'infobip', messageId, status: mapped.status, final: mapped.final, raw: { status: name ?? groupName } };
  const id = read.optionalNumber(status['id'], [...path, 'status', 'id']);
  if (id !== undefined) event.raw.code = id;
  const error = o['error'] === undefined || o['error'] === null ? undefined : read.object(o['error'], [...path, 'error']);
  if (error && error['id'] !== 0 && error['id'] !== undefined) {
    event.raw.error = [error['name'], error['description']].filter((s) => typeof s === 'string' && s !== '').join(': ');
    if (typeof error['permanent'] === 'boolean') event.permanent = error['permanent'];
  }
  const at = reportTime(report.doneAt) ?? reportTime(report.sentAt);
  if (at) event.at = at;
  if (report.bulkId) event.groupId = report.bulkId;
  if (report.to) event.to = report.to;
  if (report.channel) event.channel = report.channel;
  const amount = read.optionalNumber(report.price?.pricePerMessage, [...path, 'price', 'pricePerMessage']);
  if (amount !== undefined) event.price = { amount, ...(report.price?.currency ? { currency: report.price.currency } : {}) };
  const parts = read.optionalNumber(report.messageCount, [...path, 'messageCount']);
  if (parts !== undefined) event.parts = parts;
  if (report.callbackData) event.echo = report.callbackData;
  if ('unmapped' in mapped && mapped.unmapped) event.unmapped = true;
  return event;
}

/** Infobip's delivery-report format (OMNI `notifyUrl` and account webhooks), for `@msgkit/webhooks`. */
export const infobipReports: DeliveryReportFormat = { vendor: 'infobip', statuses: INFOBIP_REPORT_STATUSES, parse };
