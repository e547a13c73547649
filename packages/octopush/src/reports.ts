import { mapStatus, reportReader, reportTime, type DeliveryEvent, type DeliveryReportFormat, type StatusMapping } from '@msgkit/core/internal';
import { DeliveryReportFromJSON } from './generated/models/index';

const delivered: StatusMapping = { status: 'delivered', final: true };
const sent: StatusMapping = { status: 'sent', final: false };
const undelivered: StatusMapping = { status: 'undelivered', final: true };
const rejected: StatusMapping = { status: 'rejected', final: true };

/**
 * Octopush delivery statuses, from every source that lists them (shared/vendors/octopush.md §5):
 * RDM `get_callbacks-statuses` (2025: DELIVERED, READ, ACK, OPENED, CLICKED, TRANSMITTED,
 * ISP_SEND, UNDEFINED, UNKNOWN_DELIVERY, PROCESSED, SPAM_PRESUMPTION), DEV
 * `callbacks/acknowledge-receipt` (ACK, DELIVERED, NOT_DELIVERED, NOT_ALLOWED, UNKNOWN_DELIVERY,
 * BAD_DESTINATION, BLACKLISTED_NUMBER, UNDEFINED) and the older voice page (NOT_DELIVERABLE, BUSY,
 * REFUSED). READ, OPENED and CLICKED prove the message arrived; ACK, TRANSMITTED and ISP_SEND say
 * it left Octopush; UNKNOWN_DELIVERY is the operator's "no information", final because Octopush
 * has no status lookup to ask later; UNDEFINED is not final. SPAM_PRESUMPTION (e-mail) did not
 * reach the inbox.
 */
export const OCTOPUSH_REPORT_STATUSES: Readonly<Record<string, StatusMapping>> = {
  DELIVERED: delivered,
  READ: delivered,
  OPENED: delivered,
  CLICKED: delivered,
  ACK: sent,
  TRANSMITTED: sent,
  ISP_SEND: sent,
  PROCESSED: { status: 'queued', final: false },
  UNDEFINED: { status: 'unknown', final: false },
  UNKNOWN_DELIVERY: { status: 'unknown', final: true },
  NOT_DELIVERED: undelivered,
  NOT_DELIVERABLE: undelivered,
  BUSY: undelivered,
  REFUSED: undelivered,
  SPAM_PRESUMPTION: undelivered,
  NOT_ALLOWED: rejected,
  BAD_DESTINATION: rejected,
  BLACKLISTED_NUMBER: rejected,
};

const read = /* @__PURE__ */ reportReader('octopush');

/**
 * Parses one report Octopush posts to `callback_url_for_deliveries`. SMS, voice and RCS reports
 * carry `number` and `status`; an e-mail report carries `deliveries` (one per address) with their
 * `status_history`, and every status in that history becomes an event. `message_id` is the ticket
 * of the send ("Ticket of the original message", DEV callbacks/acknowledge-receipt), shared by all
 * its recipients, so each one's message is named `<message_id>#<number>` (`<message_id>#<email>`). `delivery_date` has no
 * zone (`Y-m-d H:i:s`) and is read as UTC: only the order of one message's reports depends on it.
 */
function parse(body: unknown): DeliveryEvent[] {
  const root = read.object(body, []);
  const messageId = read.string(root['message_id'], ['message_id']);
  const report = DeliveryReportFromJSON(root);
  const base = (id: string, rawStatus: string, date: unknown, price: number | undefined): DeliveryEvent => {
    const mapped = mapStatus(OCTOPUSH_REPORT_STATUSES, rawStatus);
    const event: DeliveryEvent = { vendor: 'octopush', messageId: id, status: mapped.status, final: mapped.final, raw: { status: rawStatus } };
    const at = reportTime(date);
    if (at) event.at = at;
    if (report.channel) event.channel = report.channel;
    if (price !== undefined) event.price = { amount: price };
    if (mapped.unmapped) event.unmapped = true;
    return event;
  };
  if (root['deliveries'] !== undefined) {
    const events: DeliveryEvent[] = [];
    read.array(root['deliveries'], ['deliveries']).forEach((item, i) => {
      const d = read.object(item, ['deliveries', i]);
      const email = read.string(d['email'], ['deliveries', i, 'email']);
      const price = read.optionalNumber(d['unit_price'], ['deliveries', i, 'unit_price']);
      const history = d['status_history'] === undefined ? [] : read.array(d['status_history'], ['deliveries', i, 'status_history']);
      history.forEach((h, j) => {
        const change = read.object(h, ['deliveries', i, 'status_history', j]);
        const status = read.string(change['status'], ['deliveries', i, 'status_history', j, 'status']);
        events.push({ ...base(`${messageId}#${email}`, status, change['delivery_date'], price), to: email });
      });
      if (d['status'] !== undefined) {
        events.push({ ...base(`${messageId}#${email}`, read.string(d['status'], ['deliveries', i, 'status']), d['delivery_date'], price), to: email });
      }
    });
    return events;
  }
  const status = read.string(root['status'], ['status']);
  const number = read.optionalString(root['number'], ['number']);
  // The ticket is the send's, shared by its recipients: each one's message is `<ticket>#<number>`.
  const event = base(number ? `${messageId}#${number}` : messageId, status, report.deliveryDate, read.optionalNumber(root['unit_price'], ['unit_price']));
  if (number) event.to = number;
  return [event];
}

/** Octopush's delivery-report format, for `@msgkit/webhooks`. */
export const octopushReports: DeliveryReportFormat = { vendor: 'octopush', statuses: OCTOPUSH_REPORT_STATUSES, parse };
