import type { $ZodIssue, $ZodLooseShape, $loose } from 'zod/v4/core';
import * as z from 'zod/mini';
import { ValidationError, type ValidationIssue } from '../errors';
import type { IssueCode, VendorCode } from './codes';
import { issueMessages, messageFor } from './messages';
import { listLengthIssue } from './lists';
import { isPlainRule, readError, ruleIssues, type PlainRule, type RuleIssue } from './rule';

// The field schemas of each requestRules() object, read from zod's own definition on first use.
const REQUEST_RULES = new WeakMap<object, Array<[string, object]> | null>();

/** A request's rules: known fields checked, unknown fields passed through (the generated models own the shape). */
export function requestRules<S extends $ZodLooseShape>(shape: S): z.ZodMiniObject<S, $loose> {
  const schema = z.looseObject(shape);
  REQUEST_RULES.set(schema, null);
  return schema;
}

// The fields of each plainRequestRules() object, in the shape's order.
const PLAIN_REQUEST_RULES = new WeakMap<object, Array<[string, PlainRule]>>();

/** @internal requestRules without zod: a request's plain rules (plainRule, plainOptional), reported as requestRules' schema would. */
export interface PlainRequestRules {
  /** Only a type marker. */
  readonly __plainRequestRules?: true;
}

/** @internal `requestRules(shape)` over plain rules: the same issues in the same order, with no zod schema built. */
export function plainRequestRules(shape: Record<string, PlainRule>): PlainRequestRules {
  const fields: Array<[string, PlainRule]> = [];
  for (const [key, field] of Object.entries(shape)) {
    if (!isPlainRule(field)) throw new TypeError(`plainRequestRules: the field ${key} is not a plain rule`);
    // zod's object parse leaves a `__proto__` key of the shape alone.
    if (key !== '__proto__') fields.push([key, field]);
  }
  const rules: PlainRequestRules = {};
  PLAIN_REQUEST_RULES.set(rules, fields);
  return rules;
}

/**
 * A zod schema (typically built with requestRules) or a function returning issues for checks zod
 * cannot express; internally also a plain rule or plainRequestRules.
 */
export type RequestCheck<T = unknown> = z.ZodMiniType | PlainRule | PlainRequestRules | ((request: T) => readonly ValidationIssue[]);

/**
 * Runs every check and returns all issues (empty when the request is valid). A request whose
 * getters or proxy traps throw while a check reads it gets an `unreadable` issue instead of the
 * exception; a check that is neither a schema nor a function is a ValidationError (a programming
 * mistake, reported before any request is looked at).
 */
export function collectIssues<T>(request: T, ...checks: ReadonlyArray<RequestCheck<T>>): ValidationIssue[] {
  return collect(request, checks, false);
}

/**
 * collectIssues for a request that is a plain object of data properties, such as the copy
 * `requestObject` returns or a spread of it: the same issues in the same order, but the rules of
 * a `requestRules` check run on the request's fields directly, without zod's object parse (which
 * reads every field again, known or not, for getters and proxy traps such a copy does not have).
 */
export function collectRequestIssues<T extends object>(request: T, ...checks: ReadonlyArray<RequestCheck<T>>): ValidationIssue[] {
  return collect(request, checks, true);
}

/** A check without zod: a plain rule, a plainRequestRules object or a function returning issues. */
export type PlainCheck<T = unknown> = PlainRule | PlainRequestRules | ((request: T) => readonly ValidationIssue[]);

/**
 * @internal collectIssues for plain checks alone (the providers' own): the same issues in the same
 * order. An app whose checks are all plain then carries none of the code that reads a zod schema.
 */
export function collectPlainIssues<T>(request: T, ...checks: ReadonlyArray<PlainCheck<T>>): ValidationIssue[] {
  return gather(request, checks, false, undefined);
}

/** @internal collectRequestIssues for plain checks alone, as collectPlainIssues is collectIssues'. */
export function collectPlainRequestIssues<T extends object>(request: T, ...checks: ReadonlyArray<PlainCheck<T>>): ValidationIssue[] {
  return gather(request, checks, true, undefined);
}

function collect<T>(request: T, checks: ReadonlyArray<RequestCheck<T>>, plain: boolean): ValidationIssue[] {
  return gather(request, checks, plain, schemaChecks);
}

/** How gather tells and reads a zod schema check: only collectIssues and collectRequestIssues give it. */
interface SchemaChecks {
  is(check: unknown): boolean;
  issues(check: z.ZodMiniType, request: unknown, plain: boolean): ValidationIssue[];
}

const schemaChecks: SchemaChecks = {
  is: isSchema,
  issues(check, request, plain) {
    // A rule runs without zod wherever zod would only have called it (its issues are the same).
    const direct = ruleIssues(check, request, []) ?? (plain ? fieldIssues(check, request) : undefined);
    if (direct !== undefined) return direct.map((issue) => withVendorCode({ path: issue.path, code: issue.code, message: issue.message }, issue.vendorCode));
    const parsed = check.safeParse(request, { reportInput: true });
    return parsed.success ? [] : parsed.error.issues.map(fromZodIssue);
  },
};

function gather<T>(request: T, checks: ReadonlyArray<RequestCheck<T>>, plain: boolean, schemas: SchemaChecks | undefined): ValidationIssue[] {
  let bad: number[] | undefined;
  for (let index = 0; index < checks.length; index++) {
    const check = checks[index];
    if (!(typeof check === 'function' || isPlain(check) || (schemas !== undefined && schemas.is(check)))) (bad ??= []).push(index);
  }
  if (bad !== undefined) {
    throw new ValidationError(bad.map((index) => ({ path: ['checks', index], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a zod schema or a function returning issues' }) })));
  }
  const issues: ValidationIssue[] = [];
  for (const check of checks) {
    try {
      if (typeof check === 'function') {
        const found = check(request);
        if (!Array.isArray(found)) throw new TypeError('a check function must return a list of issues');
        issues.push(...found);
      } else if (isPlain(check)) {
        for (const issue of plainIssues(check, request, plain)) issues.push(withVendorCode({ path: issue.path, code: issue.code, message: issue.message }, issue.vendorCode));
      } else {
        issues.push(...schemas!.issues(check as z.ZodMiniType, request, plain));
      }
    } catch (error) {
      issues.push({ path: [], code: 'unreadable', message: messageFor('unreadable', { reason: readError(error) }) });
    }
  }
  return issues;
}

/**
 * A requestRules check of a plain object whose every field is a rule (or optional() of one), run
 * field by field in the shape's order, as zod's object parse would; undefined for anything else.
 */
function fieldIssues(check: object, request: unknown): RuleIssue[] | undefined {
  let fields = REQUEST_RULES.get(check);
  if (fields === undefined || typeof request !== 'object' || request === null || Array.isArray(request)) return undefined;
  if (fields === null) {
    const shape = (check as { _zod: { def: { shape: Record<string, object> } } })._zod.def.shape;
    // zod's object parse leaves a `__proto__` key of the shape alone.
    fields = Object.entries(shape).filter(([key]) => key !== '__proto__');
    REQUEST_RULES.set(check, fields);
  }
  const issues: RuleIssue[] = [];
  for (const [key, field] of fields) {
    const found = ruleIssues(field, (request as Record<string, unknown>)[key], [key]);
    if (found === undefined) return undefined;
    for (const issue of found) issues.push(issue);
  }
  return issues;
}

function isPlain(check: unknown): check is PlainRule | PlainRequestRules {
  return isPlainRule(check) || (typeof check === 'object' && check !== null && PLAIN_REQUEST_RULES.has(check));
}

/**
 * The issues of a plain rule or plainRequestRules check, as the zod schemas they stand for report
 * them: a rule's own issues; for a request, a non-object is `invalid_type` (an object expected, or
 * `required` when there is none), else each field's rule in the shape's order, and, unless the
 * request is a plain copy, every other enumerable field read as zod's loose object parse reads it
 * (so a getter or proxy trap that throws makes the check `unreadable` alike).
 */
function plainIssues(check: PlainRule | PlainRequestRules, request: unknown, plain: boolean): RuleIssue[] {
  const fields = PLAIN_REQUEST_RULES.get(check);
  if (fields === undefined) return ruleIssues(check, request, [])!;
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    if (request === undefined) return [{ path: [], code: 'required', message: messageFor('required'), vendorCode: undefined }];
    return [{ path: [], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'object' }), vendorCode: undefined }];
  }
  const issues: RuleIssue[] = [];
  for (const [key, field] of fields) {
    for (const issue of ruleIssues(field, (request as Record<string, unknown>)[key], [key])!) issues.push(issue);
  }
  if (!plain) {
    const known = new Set(fields.map(([key]) => key));
    for (const key in request) if (!known.has(key) && key !== '__proto__') void (request as Record<string, unknown>)[key];
  }
  return issues;
}

function isSchema(check: unknown): check is z.ZodMiniType {
  try {
    return typeof check === 'object' && check !== null && typeof (check as { safeParse?: unknown }).safeParse === 'function';
  } catch {
    return false;
  }
}

/** Throws one ValidationError listing every issue of every check, or returns the request unchanged. */
export function assertValid<T>(request: T, ...checks: ReadonlyArray<RequestCheck<T>>): T {
  const issues = collectIssues(request, ...checks);
  if (issues.length > 0) throw new ValidationError(issues);
  return request;
}

/** Turns normalizeRecipients' `invalid` list into issues at `path` + index (e.g. `['to', 3]`). */
export function recipientIssues(
  invalid: ReadonlyArray<{ index: number; code: string }>,
  path: ReadonlyArray<string | number> = ['to'],
  vendorCode?: VendorCode,
): ValidationIssue[] {
  const wrong: ValidationIssue[] = [];
  let items: Array<{ index: unknown; code: unknown }> = [];
  let at: Array<string | number> = [];
  try {
    const tooLong = Array.isArray(invalid) ? listLengthIssue(invalid, ['invalid']) : undefined;
    if (tooLong) wrong.push(tooLong);
    else if (!Array.isArray(invalid)) wrong.push({ path: ['invalid'], code: 'invalid_type', message: messageFor('invalid_type', { expected: "normalizeRecipients' invalid list" }) });
    else items = Array.from(invalid, (item: unknown) => ({ index: (item as { index?: unknown })?.index, code: (item as { code?: unknown })?.code }));
    if (!Array.isArray(path) || path.length > 1000 || !path.every((key) => typeof key === 'string' || typeof key === 'number')) {
      wrong.push({ path: ['path'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a list of property names and indexes' }) });
    } else at = [...path];
  } catch (error) {
    wrong.push({ path: [], code: 'unreadable', message: messageFor('unreadable', { reason: readError(error) }) });
  }
  if (vendorCode !== undefined && typeof vendorCode !== 'string' && !(typeof vendorCode === 'number' && Number.isFinite(vendorCode))) {
    wrong.push({ path: ['vendorCode'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a number or a string' }) });
  }
  if (wrong.length > 0) throw new ValidationError(wrong);
  return items.map(({ index, code }) => phoneIssue(at, index, code, vendorCode));
}

/**
 * @internal recipientIssues for arguments the compiler has checked (a provider's own call with
 * normalizeRecipients' list): the same issues, and the same error for a list too long to handle,
 * without the checks of arguments of any shape, which would cost every app that bundles the provider.
 */
export function recipientIssuesUnchecked(
  invalid: ReadonlyArray<{ index: number; code: string }>,
  path: ReadonlyArray<string | number> = ['to'],
  vendorCode?: VendorCode,
): ValidationIssue[] {
  const tooLong = listLengthIssue(invalid, ['invalid']);
  if (tooLong) throw new ValidationError([tooLong]);
  return invalid.map(({ index, code }) => phoneIssue(path, index, code, vendorCode));
}

function phoneIssue(path: ReadonlyArray<string | number>, index: unknown, code: unknown, vendorCode: VendorCode | undefined): ValidationIssue {
  const issueCode = (typeof code === 'string' && asIssueCode(`phone_${code}`)) || 'phone_invalid';
  return withVendorCode({ path: [...path, typeof index === 'number' ? index : -1], code: issueCode, message: messageFor(issueCode) }, vendorCode);
}

function fromZodIssue(issue: $ZodIssue): ValidationIssue {
  const path = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
  const params = (issue as { params?: { msgkitCode?: IssueCode; vendorCode?: VendorCode } }).params;
  if (params?.msgkitCode) {
    return withVendorCode({ path, code: params.msgkitCode, message: issue.message }, params.vendorCode);
  }
  // Plain zod schemas a provider adds still get codes and prose from the one map.
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return { path, code: 'required', message: messageFor('required') };
    return { path, code: 'invalid_type', message: messageFor('invalid_type', { expected: issue.expected }) };
  }
  return { path, code: 'invalid', message: messageFor('invalid') };
}

function withVendorCode(issue: ValidationIssue, vendorCode: VendorCode | undefined): ValidationIssue {
  return vendorCode === undefined ? issue : { ...issue, vendorCode };
}

/**
 * The code, when it is one. Read from issueMessages' keys, which are ISSUE_CODES exactly (the type
 * and messages.test.ts hold them equal): the list itself would cost every app that checks recipients.
 */
function asIssueCode(code: string): IssueCode | undefined {
  return Object.prototype.hasOwnProperty.call(issueMessages, code) ? (code as IssueCode) : undefined;
}
