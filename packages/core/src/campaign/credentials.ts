import { ValidationError } from '../errors';
import type { CredentialVariable, EnvRecord } from './sender';

/**
 * A sender could not be created: credential variables are missing from the environment. Nothing
 * was sent. `missing` lists each requirement not met, as the variables any one of which would
 * meet it (`[['SMSCX_API_KEY', 'SMSCX_ACCESS_TOKEN'], ['…']]`). Never holds a value.
 */
export class MissingCredentialsError extends ValidationError {
  readonly sender: string;
  readonly missing: string[][];

  constructor(sender: string, missing: string[][], hint?: string) {
    const names = missing.map((group) => group.join(' or '));
    super(
      missing.map((group) => ({ path: ['env', group.join('|')], code: 'required', message: `${group.join(' or ')} is not set` })),
      `${sender} needs ${names.join(' and ')} in the environment${hint ? ` (${hint})` : ''}`,
    );
    this.sender = sender;
    this.missing = missing;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), sender: this.sender, missing: this.missing };
  }
}

/**
 * The credential values a sender needs, read from `env`: an empty value counts as unset. Throws
 * MissingCredentialsError naming every requirement not met (all at once, not the first), with
 * `alsoMissing`: requirements the sender worked out itself (Infobip's host, from a variable or an option).
 */
export function readCredentials(sender: string, credentials: readonly CredentialVariable[], env: EnvRecord, hint?: string, alsoMissing: readonly string[][] = []): Record<string, string> {
  const values: Record<string, string> = {};
  for (const c of credentials) {
    const value = env[c.env];
    if (typeof value === 'string' && value.trim() !== '') values[c.env] = value;
  }
  const missing: string[][] = [];
  const groups = new Map<string, string[]>();
  for (const c of credentials) {
    if (c.anyOf !== undefined) groups.set(c.anyOf, [...(groups.get(c.anyOf) ?? []), c.env]);
    else if (!c.optional && values[c.env] === undefined) missing.push([c.env]);
  }
  for (const names of groups.values()) if (!names.some((name) => values[name] !== undefined)) missing.push(names);
  missing.push(...alsoMissing.map((group) => [...group]));
  if (missing.length > 0) throw new MissingCredentialsError(sender, missing, hint);
  return values;
}
