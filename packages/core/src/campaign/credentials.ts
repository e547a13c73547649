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

type Given = object;

/**
 * Which credentials are set: every variable with a value (an empty or blank one counts as unset),
 * except those whose `option` is given, and the other variables of a group one given option settles.
 * Returns them with every requirement neither an option nor a variable meets.
 */
function lookup(credentials: readonly CredentialVariable[], env: EnvRecord, given: Given): { values: Record<string, string>; missing: string[][] } {
  const isGiven = (c: CredentialVariable) => c.option !== undefined && (given as Record<string, unknown>)[c.option] !== undefined;
  const settled = new Set(credentials.filter((c) => c.anyOf !== undefined && isGiven(c)).map((c) => c.anyOf));
  const values: Record<string, string> = {};
  for (const c of credentials) {
    if (isGiven(c) || settled.has(c.anyOf)) continue;
    const value = env[c.env];
    if (typeof value === 'string' && value.trim() !== '') values[c.env] = value;
  }
  const missing: string[][] = [];
  const groups = new Map<string, string[]>();
  for (const c of credentials) {
    if (c.anyOf !== undefined) groups.set(c.anyOf, [...(groups.get(c.anyOf) ?? []), c.env]);
    else if (!c.optional && !isGiven(c) && values[c.env] === undefined) missing.push([c.env]);
  }
  for (const [group, names] of groups) if (!settled.has(group) && !names.some((name) => values[name] !== undefined)) missing.push(names);
  return { values, missing };
}

/**
 * The credential values a sender needs, read from `env`: an empty value counts as unset. Throws
 * MissingCredentialsError naming every requirement not met (all at once, not the first), with
 * `alsoMissing`: requirements the sender worked out itself. A credential whose `option` is in
 * `given` (the factory's options: Infobip's `baseUrl`) is met without its variable.
 */
export function readCredentials(
  sender: string,
  credentials: readonly CredentialVariable[],
  env: EnvRecord,
  hint?: string,
  alsoMissing: readonly string[][] = [],
  given: Given = {},
): Record<string, string> {
  const { values, missing } = lookup(credentials, env, given);
  missing.push(...alsoMissing.map((group) => [...group]));
  if (missing.length > 0) throw new MissingCredentialsError(sender, missing, hint);
  return values;
}

/**
 * A client's credential options: each one given wins; the others are read from the variables the
 * provider's credential list names (the CLI's and the sender's), a group's first variable set
 * standing for the group. Throws MissingCredentialsError naming every variable still missing, and
 * the options that would do instead. Values are returned as found; the client checks them.
 */
export function resolveCredentials<O extends object>(sender: string, credentials: readonly CredentialVariable[], options: O, env: EnvRecord): O {
  const { values, missing } = lookup(credentials, env, options);
  if (missing.length > 0) {
    const names = missing.flat().map((name) => credentials.find((c) => c.env === name)?.option).filter((name): name is string => name !== undefined);
    throw new MissingCredentialsError(sender, missing, names.length > 0 ? `or the ${names.join(' / ')} option` : undefined);
  }
  const resolved = { ...options } as Record<string, unknown>;
  const taken = new Set<string>();
  for (const c of credentials) {
    if (c.option === undefined || values[c.env] === undefined) continue;
    // A group's first variable set in the environment stands for it; the others are not used.
    if (c.anyOf !== undefined) {
      if (taken.has(c.anyOf)) continue;
      taken.add(c.anyOf);
    }
    resolved[c.option] = values[c.env];
  }
  return resolved as O;
}
