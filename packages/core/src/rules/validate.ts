import type { $ZodIssue, $ZodLooseShape, $loose } from 'zod/v4/core';
import * as z from 'zod/mini';
import { ValidationError, type ValidationIssue } from '../errors';
import { ISSUE_CODES, type IssueCode, type VendorCode } from './codes';
import { messageFor } from './messages';

/** A request's rules: known fields checked, unknown fields passed through (the generated models own the shape). */
export function requestRules<S extends $ZodLooseShape>(shape: S): z.ZodMiniObject<S, $loose> {
  return z.looseObject(shape);
}

/** A zod schema (typically built with requestRules) or a function returning issues for checks zod cannot express. */
export type RequestCheck<T = unknown> = z.ZodMiniType | ((request: T) => readonly ValidationIssue[]);

/** Runs every check and returns all issues (empty when the request is valid). */
export function collectIssues<T>(request: T, ...checks: ReadonlyArray<RequestCheck<T>>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const check of checks) {
    if (typeof check === 'function') issues.push(...check(request));
    else {
      const parsed = check.safeParse(request, { reportInput: true });
      if (!parsed.success) issues.push(...parsed.error.issues.map(fromZodIssue));
    }
  }
  return issues;
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
  return invalid.map(({ index, code }) => {
    const issueCode = asIssueCode(`phone_${code}`) ?? 'phone_invalid';
    return withVendorCode({ path: [...path, index], code: issueCode, message: messageFor(issueCode) }, vendorCode);
  });
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

function asIssueCode(code: string): IssueCode | undefined {
  return (ISSUE_CODES as readonly string[]).includes(code) ? (code as IssueCode) : undefined;
}
