/**
 * The SMS Works' per-request limits. Sources: specs/smsworks.yaml (from the vendor's OAS 1.9.0 and
 * Swagger 1.8.0) and shared/vendors/smsworks.md §3. The vendor publishes no error codes for any of
 * them, so no issue carries a vendorCode.
 */
import {
  callbackUrl,
  collectIssues,
  maxRecipients,
  messageFor,
  messageText,
  optional,
  type Note,
  type RequestCheck,
  requestRules,
  rule,
  scheduleDate,
  senderId,
  type ValidationIssue,
  validity,
} from '@msgkit/core/internal';

/** "Batches may contain up to 5000 messages at a time" (/batch/send and /batch/any descriptions). */
export const MAX_BATCH_SIZE = 5000;

/** "up to 1280 characters" (Message.content, 1.9.0; it was 640 in 1.0.0). */
export const MAX_CONTENT_LENGTH = 1280;

/** "A maximum of 280 characters" (tag). */
export const MAX_TAG_LENGTH = 280;

/** validity: integer minutes, minimum 1, maximum 2880 (48 h), default 2880. */
export const VALIDITY_MINUTES = { min: 1, max: 2880 } as const;

/** The vendor's own words for `sender` (Message, BatchMessage, ScheduledMessage, OTP descriptions). */
const SENDER_RULE = "Should be no longer than 11 characters for alphanumeric or 15 characters for numeric sender ID's. No spaces or special characters.";
const sender = senderId({ alpha: [1, 11], numeric: [1, 15] });

/**
 * senderId tolerates a `+` before a numeric sender (other vendors take one); The SMS Works' rule
 * above does not ("No spaces or special characters"), and neither does the pattern msgkit's spec
 * writes from it.
 */
const noPlusInSender: RequestCheck = (request) =>
  typeof (request as { sender?: unknown })?.sender === 'string' && (request as { sender: string }).sender.startsWith('+')
    ? [{ path: ['sender'], code: 'sender_chars', message: `${messageFor('sender_chars', { chars: ['+'] })} (The SMS Works: "${SENDER_RULE}")` }]
    : [];

/** ttl: "number of minutes before the delivery report is deleted"; an integer, no range documented. */
const ttlMinutes = rule<number>(undefined, (value, report) => {
  if (typeof value !== 'number' || !Number.isInteger(value)) report('invalid_type', { expected: 'a whole number of minutes' });
});

const common = {
  sender,
  content: messageText({ maxLength: MAX_CONTENT_LENGTH }),
  tag: optional(messageText({ minLength: 0, maxLength: MAX_TAG_LENGTH })),
  validity: optional(validity({ unit: 'minutes', ...VALIDITY_MINUTES })),
  ttl: optional(ttlMinutes),
  // The vendor POSTs delivery reports here, so it must be an absolute http(s) URL.
  deliveryreporturl: optional(callbackUrl()),
};

const messageRules = requestRules(common);
const batchRules = requestRules({ ...common, destinations: maxRecipients({ max: MAX_BATCH_SIZE }) });
/** No SMS Works source refuses a past `schedule`; scheduleNotes says it is one. */
const scheduleRules = requestRules({ schedule: scheduleDate({ allowPast: true }) });
const messageListRules = maxRecipients({ max: MAX_BATCH_SIZE });

export type Mode = 'send' | 'schedule';

const modeChecks = (mode: Mode): RequestCheck[] => (mode === 'schedule' ? [scheduleRules] : []);

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

/** Issues of one Message (destination excepted: the client normalizes and checks it). */
export function messageIssues(request: unknown, mode: Mode): ValidationIssue[] {
  return collectIssues(request, messageRules, noPlusInSender, ...modeChecks(mode));
}

/** Issues of one BatchMessage (each destination's format excepted, as above). */
export function batchIssues(request: unknown, mode: Mode): ValidationIssue[] {
  return collectIssues(request, batchRules, noPlusInSender, ...modeChecks(mode));
}

/** Issues of the /batch/any array itself (its items are checked one by one with messageIssues). */
export function messageListIssues(messages: unknown): ValidationIssue[] {
  return collectIssues(messages, messageListRules);
}
