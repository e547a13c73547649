export { DELIVERY_STATUSES, FINAL_DELIVERY_STATUSES, NEGATIVE_DELIVERY_STATUSES, deliveryProgress, isDeliveryStatus, isFinalDeliveryStatus, isNegativeDeliveryStatus } from './status';
export type { DeliveryStatus } from './status';
export type { DeliveryEvent, DeliveryReference, DeliveryReportFormat, StatusMapping } from './report';
export { InvalidReportError, mapStatus, reportReader, reportTime } from './parse';
export { NOT_SENT_REASON, compareMessageReports, recipientStanding, reportReason } from './standing';
export type { MessageReport, RecipientDeliveryStanding, RecipientDeliveryState, StandingInput, StandingLookup } from './standing';
