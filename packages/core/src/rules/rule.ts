import * as z from 'zod/mini';
import { vendorCodeFor, type IssueCode, type VendorCode, type VendorCodes } from './codes';
import { messageFor, show, type IssueParams } from './messages';

/** Reports one issue; `path` is relative to the value the rule checks. */
export type Report = (code: IssueCode, params?: IssueParams, path?: (string | number)[], vendorCode?: VendorCode) => void;

/** Options every rule factory takes. */
export interface RuleOptions {
  vendorCode?: VendorCodes;
}

/** A rule as `rule()` was given it: what `ruleIssues` runs without going through zod. */
interface RuleDefinition {
  options: RuleOptions | undefined;
  check: (value: unknown, report: Report) => void;
}

/** Receives one reported issue, with the rule's vendor code already applied. */
type Emit = (code: IssueCode, params: IssueParams, path: (string | number)[], vendorCode: VendorCode | undefined) => void;

// The schemas rule() and optional() built, so checks can run them directly; a schema derived from
// one (`.check()`, another wrapper) is a new object, not found here, and goes through zod.
const RULES = new WeakMap<object, RuleDefinition>();
const OPTIONAL_RULES = new WeakMap<object, RuleDefinition>();
// The rules plainRule() and plainOptional() made: objects, not zod schemas.
const PLAIN_RULES = new WeakSet<object>();

/** The one place a rule runs: zod's refinement and ruleIssues both call it, so they report alike. */
function runRule(rule: RuleDefinition, value: unknown, emit: Emit): void {
  const report: Report = (code, params = {}, path = [], vendorCode = vendorCodeFor(rule.options?.vendorCode, code)) => emit(code, params, path, vendorCode);
  if (value === undefined || value === null) return report('required');
  try {
    rule.check(value, report);
  } catch (error) {
    report('unreadable', { reason: readError(error) });
  }
}

/** What a rule checks a value with: reports each issue it finds. */
export type RuleCheck = (value: unknown, report: Report) => void;

/** @internal A rule factory's validated options and check, for `rule` or `plainRule` to make a rule of. */
export type RuleParts = readonly [options: RuleOptions | undefined, check: RuleCheck];

/**
 * @internal A rule without zod: the same definition `rule()` wraps in a zod schema, as a plain
 * object that `collectIssues` and `plainRequestRules` run directly (and report exactly as the
 * schema would). The provider packages check requests with these, so an app that imports one does
 * not carry zod; the schemas remain the public API.
 */
export interface PlainRule<T = unknown> {
  /** Only a type marker: the value type the rule accepts. */
  readonly __plainRule?: T;
}

/** @internal `rule(options, check)` without zod (see PlainRule). */
export function plainRule<T>(options: RuleOptions | undefined, check: RuleCheck): PlainRule<T> {
  const plain: PlainRule<T> = {};
  RULES.set(plain, { options, check });
  PLAIN_RULES.add(plain);
  return plain;
}

/** @internal `optional()` of a plain rule: `undefined` passes, anything else is checked. */
export function plainOptional<T>(plain: PlainRule<T>): PlainRule<T | undefined> {
  const definition = RULES.get(plain);
  if (definition === undefined) throw new TypeError('plainOptional takes a rule made by plainRule');
  const wrapped: PlainRule<T | undefined> = {};
  OPTIONAL_RULES.set(wrapped, definition);
  PLAIN_RULES.add(wrapped);
  return wrapped;
}

/** @internal A plain rule (plainRule or plainOptional), not a zod schema. */
export function isPlainRule(check: unknown): check is PlainRule {
  return typeof check === 'object' && check !== null && PLAIN_RULES.has(check);
}

/**
 * A zod schema whose checks emit msgkit issue codes (carried in `params`) instead of zod's
 * generic ones, so one message map and the vendor's codes apply to every rule alike.
 * `undefined` and `null` are `required`; wrap with `optional()` for optional fields.
 * A value whose getters or proxy traps throw while it is checked is reported as `unreadable`.
 */
export function rule<T>(options: RuleOptions | undefined, check: (value: unknown, report: Report) => void): z.ZodMiniType<T> {
  const definition: RuleDefinition = { options, check };
  const schema = z.custom<T>(() => true).check(z.superRefine((value, ctx) => {
    runRule(definition, value, (code, params, path, vendorCode) => {
      ctx.addIssue({ code: 'custom', message: messageFor(code, params), path, params: { ...params, msgkitCode: code, vendorCode } });
    });
  }));
  RULES.set(schema, definition);
  return schema;
}

/**
 * @internal What zod would report for `value` under `schema`, as msgkit issues at `at` + the rule's
 * own path, when `schema` is a rule (or `optional()` of one); undefined for any other schema. The
 * same issues as `schema.safeParse` (zod calls the same function), without zod's parse machinery.
 */
export function ruleIssues(schema: object, value: unknown, at: readonly (string | number)[]): RuleIssue[] | undefined {
  let definition = RULES.get(schema);
  if (definition === undefined) {
    definition = OPTIONAL_RULES.get(schema);
    if (definition === undefined) return undefined;
    if (value === undefined) return [];
  }
  const issues: RuleIssue[] = [];
  let unlike = false;
  runRule(definition, value, (code, params, path, vendorCode) => {
    const message = messageFor(code, params);
    // An empty code or message is zod's to replace with its own: only zod can say with what.
    if (message === '' || !code) unlike = true;
    const full = [...at];
    for (const key of path) full.push(typeof key === 'number' ? key : String(key));
    issues.push({ path: full, code, message, vendorCode });
  });
  return unlike ? undefined : issues;
}

/** An issue a rule reported, before `vendorCode` is dropped where it is undefined. */
export interface RuleIssue {
  path: (string | number)[];
  code: IssueCode;
  message: string;
  vendorCode: VendorCode | undefined;
}

/** What a getter or proxy trap threw, as text for an issue. */
export function readError(error: unknown): string {
  try {
    return show(error instanceof Error ? error.message : error);
  } catch {
    return 'an exception that cannot be shown';
  }
}

export function isString(value: unknown, report: Report): value is string {
  if (typeof value === 'string') return true;
  report('invalid_type', { expected: 'a string' });
  return false;
}

/** Makes a rule accept `undefined` (an absent field); `null` is still reported as required. */
export function optional<T>(schema: z.ZodMiniType<T>): z.ZodMiniOptional<z.ZodMiniType<T>> {
  const wrapped = z.optional(schema);
  const definition = RULES.get(schema);
  if (definition !== undefined) OPTIONAL_RULES.set(wrapped, definition);
  return wrapped;
}
