/**
 * Which failures of a send prove the attempt did not act, so the next vendor of a chain may take
 * the batch. The rule starts from `outcomeOfError`: an error that may have reached the vendor
 * (`outcomeUnknown` true, or one that does not say) is never failed over, whatever it is. Among the
 * refusals, only these move on: the vendor's documented refusals before acting (its `refusals`
 * table), a connection refused before a byte was sent, an unfollowed 301/307/308, and msgkit's own
 * ValidationError. A refusal of any other kind (a 429 documented as a refusal, a bad parameter, an
 * abort before sending) is recorded as refused and stops there: waiting or fixing the request is
 * the answer, not another vendor.
 *
 * Errors are read by their `code` and fields, not `instanceof`, so an error built by another copy
 * of core (an ESM and a CJS build in one process) is classified the same.
 */
import { outcomeOfError, type BatchOutcome } from '../batch/journal';
import type { FailoverClass, FailoverDecision, RecipientRefusal, RecipientRefusalRule, RefusalRule } from './sender';

interface ErrorFields {
  code?: unknown;
  status?: unknown;
  vendorCode?: unknown;
  vendorType?: unknown;
}

const BY_CODE: Partial<Record<string, FailoverClass>> = {
  validation_error: 'validation',
  redirect: 'redirect',
  connection_error: 'not_sent',
};

/** The first rule every given field of which equals the error's; vendor codes compare as text. */
export function matchRefusal(error: unknown, refusals: readonly RefusalRule[]): RefusalRule | undefined {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorFields;
  const same = (a: unknown, b: unknown) => (typeof a === 'number' || typeof a === 'string') && String(a) === String(b);
  return refusals.find(
    (rule) =>
      (rule.status === undefined || e.status === rule.status) &&
      (rule.vendorCode === undefined || same(e.vendorCode, rule.vendorCode)) &&
      (rule.vendorType === undefined || e.vendorType === rule.vendorType),
  );
}

/** A sender's `classify`, from its refusal table. */
export function classifyError(error: unknown, refusals: readonly RefusalRule[]): FailoverDecision {
  // outcomeOfError describes a failure: refused or unknown, never sent.
  const outcome = outcomeOfError(error) as Exclude<BatchOutcome, { status: 'sent' }>;
  if (outcome.status !== 'refused') return { failover: false, outcome };
  const code = (error as ErrorFields | null)?.code;
  const byCode = typeof code === 'string' ? BY_CODE[code] : undefined;
  if (byCode) return { failover: true, class: byCode, outcome };
  const rule = matchRefusal(error, refusals);
  return rule ? { failover: true, class: rule.class, outcome } : { failover: false, outcome };
}

/**
 * A recipient's status in a successful answer, as a refusal when the vendor's table says it was
 * not sent; undefined for a status that means accepted (or one the table does not know, which is
 * then taken as accepted: the vendor answered 2xx and did not say otherwise).
 */
export function recipientRefusal(to: string, status: string, rules: readonly RecipientRefusalRule[], reason?: string): RecipientRefusal | undefined {
  const rule = rules.find((r) => r.status === status);
  if (!rule) return undefined;
  return { to, failover: rule.class !== undefined, ...(rule.class !== undefined && { class: rule.class }), code: status, ...(reason !== undefined && { reason }) };
}
