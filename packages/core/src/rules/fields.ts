import type { ValidationIssue } from '../errors';
import { messageFor } from './messages';

const isPlain = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
};

/**
 * The fields of `given` that `kept` lacks, deeply: `kept` is what the generated model makes of the
 * request (its ToJSON, where the wire names are the property names), which silently drops every
 * property it does not know. A field the caller gave must reach the wire or be named; `explain` may
 * say more about a known legacy name.
 */
export function unknownFieldIssues(given: unknown, kept: unknown, explain: (path: (string | number)[]) => string | undefined = () => undefined, at: (string | number)[] = []): ValidationIssue[] {
  if (Array.isArray(given) && Array.isArray(kept)) {
    return given.flatMap((item, index) => unknownFieldIssues(item, kept[index], explain, [...at, index]));
  }
  if (!isPlain(given) || !isPlain(kept)) return [];
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(given)) {
    if (given[key] === undefined) continue;
    const path = [...at, key];
    if (!Object.prototype.hasOwnProperty.call(kept, key)) {
      const known = Object.keys(kept).find((name) => name.toLowerCase() === key.toLowerCase());
      const why = explain(path) ?? (known === undefined ? 'it would not be sent' : `it would not be sent; the field is \`${known}\``);
      issues.push({ path, code: 'unknown_field', message: messageFor('unknown_field', { why }) });
    } else issues.push(...unknownFieldIssues(given[key], kept[key], explain, path));
  }
  return issues;
}
