/**
 * What every sender's `validate` shares: the message's shape, its vendor options against the
 * sender's option facts, and moving the issues of a vendor request back onto the message's fields.
 */
import type { ValidationIssue } from '../errors';
import { messageFor } from '../rules/messages';
import type { CampaignMessage, MessageOptionFact } from './sender';

type Path = (string | number)[];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The options given for sender `name` (an empty record when none). */
export function senderOptions(message: CampaignMessage, name: string): Readonly<Record<string, unknown>> {
  const options = isRecord(message?.options) ? message.options[name] : undefined;
  return isRecord(options) ? options : {};
}

/** The message is an object with a string `text`, an optional string `from`, and options by sender. */
export function messageShapeIssues(message: unknown): ValidationIssue[] {
  if (!isRecord(message)) return [{ path: [], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a message object { text, from?, options? }' }) }];
  const issues: ValidationIssue[] = [];
  if (typeof message.text !== 'string') issues.push({ path: ['text'], code: message.text === undefined ? 'required' : 'invalid_type', message: message.text === undefined ? messageFor('required') : messageFor('invalid_type', { expected: 'a string' }) });
  if (message.from !== undefined && typeof message.from !== 'string') issues.push({ path: ['from'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a string' }) });
  if (message.options !== undefined) {
    if (!isRecord(message.options)) issues.push({ path: ['options'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'an object of options by sender name' }) });
    else for (const [name, value] of Object.entries(message.options)) if (!isRecord(value)) issues.push({ path: ['options', name], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'an object' }) });
  }
  return issues;
}

/**
 * The sender's options in `message`: a required one missing, a value the vendor does not document,
 * or a name the sender does not know (a typo must not be ignored) is an issue at
 * `['options', sender, name]`. Never a default: the caller chooses.
 */
export function optionIssues(sender: string, facts: readonly MessageOptionFact[], message: CampaignMessage): ValidationIssue[] {
  const given = senderOptions(message, sender);
  const issues: ValidationIssue[] = [];
  for (const fact of facts) {
    const value = given[fact.name];
    const path = ['options', sender, fact.name];
    const allowed = fact.values ? ` (${fact.values.map((v) => `'${v}'`).join(' or ')})` : '';
    if (value === undefined || value === '') {
      if (fact.required) issues.push({ path, code: 'required', message: `is required: ${fact.what}${allowed}; it is never assumed` });
    } else if (fact.values && !fact.values.includes(value as string)) {
      issues.push({ path, code: 'invalid', message: `must be one of ${fact.values.map((v) => `'${v}'`).join(', ')}` });
    }
  }
  const known = new Set(facts.map((f) => f.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) issues.push({ path: ['options', sender, name], code: 'unknown_option', message: `is not an option of ${sender}${facts.length ? ` (its options: ${[...known].join(', ')})` : ' (it takes none)'}` });
  }
  return issues;
}

/**
 * Issues of a vendor request moved onto the message: `fields` maps a request field to the message
 * path it came from (`{ content: ['text'], deliveryreporturl: ['callbackUrl'] }`), `null` drops the
 * field's issues (the recipients, checked by `send` per batch). Other fields keep their path.
 */
export function remapIssues(issues: readonly ValidationIssue[], fields: Readonly<Record<string, Path | null>>): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    const head = issue.path[0];
    const target = typeof head === 'string' && Object.hasOwn(fields, head) ? fields[head] : undefined;
    if (target === null) continue;
    out.push(target === undefined ? issue : { ...issue, path: [...target, ...issue.path.slice(1)] });
  }
  return out;
}
