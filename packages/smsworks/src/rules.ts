/**
 * The SMS Works' rules beyond its spec. Every length, range and pattern of a request is the spec's
 * (src/generated-checks, which the client runs first; specs/smsworks.yaml is from the vendor's OAS
 * 1.9.0 and Swagger 1.8.0, shared/vendors/smsworks.md §3); what is here is what a schema cannot
 * say. The vendor publishes no error codes, so no issue carries a vendorCode.
 */
import {
  callbackUrlPartsUnchecked,
  checkShape,
  collectPlainIssues,
  mergeIssues,
  messageFor,
  messageTextPartsUnchecked,
  type Note,
  plainOptional,
  plainRequestRules,
  plainRule,
  type PlainCheck,
  scheduleDatePartsUnchecked,
  senderIdPartsUnchecked,
  type SpecCode,
  type SpecCodes,
  type ValidationIssue,
} from '@msgkit/core/internal';
import * as checks from './generated-checks/index';

const message = checks.sendMessage.body!.properties!;

/** "Batches may contain up to 5000 messages at a time" (spec maxItems of /batch/send and /batch/any). */
export const MAX_BATCH_SIZE: number = checks.sendBatch.body!.properties!.destinations!.maxItems!;
/** "up to 1280 characters" (Message.content, 1.9.0; it was 640 in 1.0.0). */
export const MAX_CONTENT_LENGTH: number = message.content!.maxLength!;
/** "A maximum of 280 characters" (tag). */
export const MAX_TAG_LENGTH: number = message.tag!.maxLength!;
/** validity: integer minutes, 1 to 2880 (48 h), default 2880. */
export const VALIDITY_MINUTES: { readonly min: number; readonly max: number } = { min: message.validity!.minimum!, max: message.validity!.maximum! };

const minutes = { unit: 'minutes' };
const messageCodes: Record<string, Partial<Record<'type' | 'format' | 'minimum' | 'maximum', SpecCode>>> = {
  validity: {
    type: { code: 'validity_not_integer' },
    format: { code: 'validity_not_integer' },
    minimum: { code: 'validity_too_short', params: minutes },
    maximum: { code: 'validity_too_long', params: minutes },
  },
};
const tooMany = { maxItems: { code: 'recipients_too_many' } } as const;
/** msgkit's codes for what the spec constrains (one Message, or each of /batch/any's list). */
export const specCodes: SpecCodes = {
  fields: {
    ...messageCodes,
    ...Object.fromEntries(Object.entries(messageCodes).map(([field, codes]) => [`[].${field}`, codes])),
    destinations: tooMany,
    '': tooMany,
  },
};

/** The vendor's own words for `sender` (Message, BatchMessage, ScheduledMessage, OTP descriptions). */
const SENDER_RULE = "Should be no longer than 11 characters for alphanumeric or 15 characters for numeric sender ID's. No spaces or special characters.";
/** Says which part of the vendor's rule a sender the spec's pattern refused breaks. */
const sender = plainOptional(plainRule<string>(...senderIdPartsUnchecked({ alpha: [1, 11], numeric: [1, 15] })));

/** senderId tolerates a `+` before a numeric sender (other vendors take one); this vendor does not. */
const noPlusInSender: PlainCheck = (request) =>
  typeof (request as { sender?: unknown })?.sender === 'string' && (request as { sender: string }).sender.startsWith('+')
    ? [{ path: ['sender'], code: 'sender_chars', message: `${messageFor('sender_chars', { chars: ['+'] })} (The SMS Works: "${SENDER_RULE}")` }]
    : [];

const common = {
  // The spec sets no minimum length; an empty text is no message.
  content: plainOptional(plainRule<string>(...messageTextPartsUnchecked())),
  // The vendor POSTs delivery reports here, so it must be an absolute http(s) URL.
  deliveryreporturl: plainOptional(plainRule<string>(...callbackUrlPartsUnchecked())),
};

// Plain rules (no zod schema is built), reported as requestRules' schemas would.
const messageRules = plainRequestRules(common);
// The spec sets no minimum either: a batch to no one sends nothing.
const atLeastOne = (list: unknown): boolean => !Array.isArray(list) || list.length > 0;
const batchRules: PlainCheck = (request) =>
  atLeastOne((request as { destinations?: unknown })?.destinations) ? [] : [{ path: ['destinations'], code: 'recipients_empty', message: messageFor('recipients_empty') }];
/** No SMS Works source refuses a past `schedule`; scheduleNotes says it is one. */
const scheduleRules = plainRequestRules({ schedule: plainRule<string | Date>(...scheduleDatePartsUnchecked({ allowPast: true })) });

export type Mode = 'send' | 'schedule';

const modeChecks = (mode: Mode): PlainCheck[] => (mode === 'schedule' ? [scheduleRules] : []);

/**
 * What goes out as given but is not what it looks like (spec DECISION on `schedule`):
 * - on a send, `schedule` is part of the vendor's Message and BatchMessage schemas, and their own
 *   examples carry one, but it "is only used by the message/schedule service and can be left empty
 *   for other services" (batch: "only used by the batch/schedule service"): the send goes out now;
 * - on a schedule, a time already past: no SMS Works source says what happens then.
 */
export function scheduleNotes(mode: Mode, scheduledAt: Date | undefined, at: (string | number)[] = [], now = Date.now()): Note[] {
  if (scheduledAt === undefined) return [];
  const path = [...at, 'schedule'];
  if (mode === 'send') {
    return [{ path, code: 'schedule_ignored', message: 'is sent as given, but The SMS Works uses it only on its schedule endpoints: this message goes out now (use schedule() to send later)' }];
  }
  if (Number.isNaN(scheduledAt.getTime()) || scheduledAt.getTime() >= now) return [];
  return [{ path, code: 'date_in_past', message: 'is in the past: sent as given, since no SMS Works source refuses one or says when such a message goes out' }];
}

/** Issues of one Message beyond its spec (destination excepted: the client normalizes and checks it). */
export function messageIssues(request: unknown, mode: Mode): ValidationIssue[] {
  return collectPlainIssues(request, messageRules, ...modeChecks(mode));
}

/** Issues of one BatchMessage beyond its spec (each destination's format excepted, as above). */
export function batchIssues(request: unknown, mode: Mode): ValidationIssue[] {
  return collectPlainIssues(request, messageRules, batchRules, ...modeChecks(mode));
}

/** Issues of the /batch/any list itself beyond its spec (its items are checked one by one with messageIssues). */
export function messageListIssues(messages: unknown): ValidationIssue[] {
  return atLeastOne(messages) ? [] : [{ path: [], code: 'recipients_empty', message: messageFor('recipients_empty') }];
}

/** A batch send's issues without the network or its numbers: the spec's, then batchIssues, with the sender's terms. */
export function batchSendIssues(request: unknown): ValidationIssue[] {
  const shape = checks.sendBatch.body!;
  return mergeIssues(checkShape(shape, request, specCodes), batchIssues(request, 'send'), shape, senderExplanations(request));
}

/** The vendor's terms for a sender its spec's pattern refused: which length, which characters. */
export function senderExplanations(request: unknown): ValidationIssue[] {
  return collectPlainIssues(request, senderRules, noPlusInSender);
}
// Built once: a send checks its sender with it, and a failover chain does on every batch.
const senderRules = /* @__PURE__ */ plainRequestRules({ sender });
