import { mapStatus, reportReader, reportTime, type DeliveryEvent, type DeliveryReportFormat, type StatusMapping } from '@msgkit/core/internal';
import { DlrUpdateCallbackFromJSON, DlrUpdateStatusEnum } from './generated/models/index';

/**
 * SMS.CX delivery-report statuses (the `status` enum of DataDlrUpdate: smscx-api-python-library
 * @36fe3da `smscx_client/model/data_dlr_update.py`, specs/smscx.yaml `DlrUpdate`). FAILED is the
 * vendor's "could not be delivered" final report, so it is `undelivered`; REJECTED (opted-out
 * number) and NO COVERAGE are refusals before sending.
 */
export const SMSCX_REPORT_STATUSES: Readonly<Record<DlrUpdateStatusEnum, StatusMapping>> = {
  [DlrUpdateStatusEnum.ACCEPTED]: { status: 'accepted', final: false },
  [DlrUpdateStatusEnum.SCHEDULED]: { status: 'scheduled', final: false },
  [DlrUpdateStatusEnum.SENT]: { status: 'sent', final: false },
  [DlrUpdateStatusEnum.DELIVERED]: { status: 'delivered', final: true },
  [DlrUpdateStatusEnum.FAILED]: { status: 'undelivered', final: true },
  [DlrUpdateStatusEnum.REJECTED]: { status: 'rejected', final: true },
  [DlrUpdateStatusEnum.NOCOVERAGE]: { status: 'rejected', final: true },
};

const read = /* @__PURE__ */ reportReader('smscx');

/**
 * Parses the body SMS.CX posts to a `dlrCallbackUrl`: `{ event: 'dlr_update', data: [...] }`, up to
 * 200 reports. `datetime` has no documented format; `YYYY-MM-DD HH:MM:SS` is read as UTC.
 */
function parse(body: unknown): DeliveryEvent[] {
  const root = read.object(body, []);
  if (root['event'] !== 'dlr_update') read.fail(['event'], `expected "dlr_update", got ${JSON.stringify(root['event'])}`);
  const items = read.array(root['data'], ['data']);
  if (items.length === 0) read.fail(['data'], 'expected at least one report');
  items.forEach((item, i) => {
    const o = read.object(item, ['data', i]);
    read.string(o['msgId'], ['data', i, 'msgId']);
    read.string(o['status'], ['data', i, 'status']);
  });
  const typed = DlrUpdateCallbackFromJSON(root);
  return typed.data.map((report, i) => {
    const mapped = mapStatus(SMSCX_REPORT_STATUSES, report.status);
    const errorCode = read.optionalNumber(report.errorCode, ['data', i, 'errorCode']);
    const event: DeliveryEvent = {
      vendor: 'smscx',
      messageId: report.msgId,
      status: mapped.status,
      final: mapped.final,
      raw: { status: report.status, ...(errorCode !== undefined ? { code: errorCode } : {}) },
    };
    const at = reportTime(report.datetime);
    if (at) event.at = at;
    const campaignId = read.optionalString(report.campaignId, ['data', i, 'campaignId']);
    if (campaignId) event.groupId = campaignId;
    if (report.trackData) event.echo = report.trackData;
    if (mapped.unmapped) event.unmapped = true;
    return event;
  });
}

/** SMS.CX's delivery-report format, for `@msgkit/webhooks`. */
export const smscxReports: DeliveryReportFormat = { vendor: 'smscx', statuses: SMSCX_REPORT_STATUSES, parse };
