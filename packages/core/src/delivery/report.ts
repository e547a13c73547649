import type { DeliveryStatus } from './status';

/** msgkit's own reference for a message, carried in its callback URL or echoed by the vendor. */
export interface DeliveryReference {
  campaign?: string;
  batch?: number;
  /** The recipient as sent (E.164 or the vendor's digits), where the report or the URL names it. */
  recipient?: string;
}

/**
 * One normalized delivery report: what one vendor said about one message (or one part of it) at
 * one time. Produced by each provider package's report parser; reduced by `@msgkit/webhooks`.
 */
export interface DeliveryEvent {
  vendor: string;
  /** The vendor's message id (SMS.CX msgId, The SMS Works messageid, Octopush message_id, Infobip messageId). */
  messageId: string;
  status: DeliveryStatus;
  /** The vendor says no further report follows (set from the vendor's status, not guessed). */
  final: boolean;
  /** Set only where the vendor says whether a failure is permanent (Infobip `error.permanent`, The SMS Works `failurereason.permanent`). */
  permanent?: boolean;
  /** The vendor's own words, kept as given. */
  raw: { status: string; code?: number | string; error?: string };
  /** The vendor's time of the status change, ISO 8601 (UTC when the vendor gives no zone and says none). */
  at?: string;
  /** The vendor's grouping id (SMS.CX campaignId, The SMS Works batchid, Infobip bulkId). */
  groupId?: string;
  /** The recipient as the vendor reports it. */
  to?: string;
  /** The channel that carried it, in the vendor's words (sms, VIBER, email, ...). */
  channel?: string;
  price?: { amount: number; currency?: string };
  /** SMS parts the vendor counted for the message. */
  parts?: number;
  /** Which part this report is about, where the vendor's format says so (1-based). */
  part?: { index: number; count: number };
  /** What the send asked the vendor to echo back (SMS.CX trackData, Infobip callbackData, The SMS Works tag). */
  echo?: string;
  reference?: DeliveryReference;
  /** The vendor's status is not in msgkit's table: `status` is `unknown` and says nothing. */
  unmapped?: true;
}

/** A status table entry: what a vendor's status string means in msgkit's vocabulary. */
export interface StatusMapping {
  status: DeliveryStatus;
  final: boolean;
}

/**
 * One vendor's delivery-report format, exported by that vendor's package. `parse` takes the parsed
 * JSON body of one callback POST and returns its reports (several per POST where the vendor
 * batches them; none for a callback that carries no delivery status, e.g. Infobip's seen reports).
 * It throws `InvalidReportError` for a body that is not the vendor's documented shape.
 */
export interface DeliveryReportFormat {
  readonly vendor: string;
  /** Every status string the vendor documents, with its meaning. */
  readonly statuses: Readonly<Record<string, StatusMapping>>;
  /** The reports of one callback body (parsed JSON); throws `InvalidReportError` for a body of another shape. */
  parse(body: unknown): DeliveryEvent[];
}
