/**
 * `-p a,b,c` as a chain of senders: the names in the order tried, each sender from its factory
 * (`fromEnv`), the message with each vendor's options from its flags, and every problem a user can
 * fix from the command line (an unknown name, a flag for a sender not in the chain, a required
 * option not given, a missing credential, a message a vendor of the chain cannot carry) found
 * before anything is sent, all at once. A chain of one is `-p smscx`: there is no other path.
 */
import { batchDedupeKey, MissingCredentialsError, ValidationError, type CampaignMessage, type CampaignSender, type EnvRecord, type SenderFactory, type ValidationIssue } from '@msgkit/core';
import { chainBatchSize, chainIssues, optionIssues } from '@msgkit/core/internal';
import { optionFlags, SENDER_NAMES, type OptionFlag } from './senders';

/** What a dry run and the checks stand in for a credential or a base URL not given; it never leaves the process. */
const STAND_IN = 'dry-run-stand-in';
const STAND_IN_BASE_URL = 'https://dry-run.invalid';

export interface ChainArgs {
  provider: string;
  from?: string;
  text: string;
  baseUrl: string[];
  timeout?: string;
  retries?: string;
  dlrUrl?: string;
  /** Every parsed option, for the vendor option flags (`octopushType`, `type`…). */
  flags: Record<string, unknown>;
}

export interface ChainPlan {
  /** Every usage problem found, one line each (the caller adds its own and refuses with exit 2). */
  problems: string[];
  factories: SenderFactory[];
  /** The chain's senders with stand-ins for what the environment lacks: for checks only, never for sending. */
  probes: CampaignSender[];
  message: CampaignMessage;
  /** The base URL of each sender, by name, where one was given. */
  baseUrls: Record<string, string>;
  /** The largest batch every sender takes (chainBatchSize). */
  maxBatch: number;
  /** The credential variables a real send would miss, by sender (`SMSCX_API_KEY or SMSCX_ACCESS_TOKEN`). */
  missing: Record<string, string[]>;
  /** What no vendor of the chain accepts in this message, by sender (relative to the message). */
  issues: Record<string, ValidationIssue[]>;
  http: { timeoutMs?: number; maxRetries?: number };
}

const positive = (value: string | undefined, flag: string, integer: boolean, problems: string[]): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < (integer ? 0 : 0.001) || (integer && !Number.isInteger(n))) problems.push(`--${flag} must be a ${integer ? 'whole number ≥ 0' : 'positive number of seconds'}, got "${value}"`);
  return n;
};

/**
 * `--base-url url` (a chain of one) or `--base-url <sender>=<url>` (any sender of the chain), as a URL
 * per sender; what does not fit `names` is a problem (said in `where`'s words) added to `problems`.
 */
export function parseBaseUrls(values: readonly string[], names: readonly string[], where: string, problems: string[]): Record<string, string> {
  const baseUrls: Record<string, string> = {};
  for (const value of values) {
    const named = /^([a-z][a-z0-9_-]*)=(.+)$/i.exec(value);
    if (named && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      if (!names.includes(named[1]!)) problems.push(`--base-url ${value}: ${named[1]} is not in ${where}`);
      else baseUrls[named[1]!] = named[2]!;
    } else if (names.length === 1) {
      baseUrls[names[0]!] = value;
    } else {
      problems.push(`--base-url ${value}: a chain of ${names.length} senders needs one --base-url <sender>=<url> per sender whose URL you set`);
    }
  }
  return baseUrls;
}

/** The sample key the checks use: the batch keys are UUIDs of this form (batchDedupeKey). */
export const SAMPLE_KEY = /* @__PURE__ */ batchDedupeKey('msgkit-check', 0);

/**
 * Reads the chain from the arguments and checks everything that needs no recipient: every usage
 * problem is in `problems` (the caller refuses them with exit 2), a message a vendor cannot carry
 * in `issues` (refused before a real send, reported by a dry run).
 */
export function planChainArgs(args: ChainArgs, all: readonly SenderFactory[], env: EnvRecord, options: { reference: boolean; ownFlags: ReadonlySet<string> }): ChainPlan {
  const problems: string[] = [];
  const names = args.provider.split(',').map((n) => n.trim());
  const byName = new Map(all.map((f) => [f.name, f]));
  const unknown = names.filter((n) => !byName.has(n));
  if (names.some((n) => n === '')) problems.push(`-p ${args.provider}: a sender name is empty; give names separated by commas, e.g. -p smsworks,smscx`);
  if (unknown.length > 0) problems.push(`unknown provider ${unknown.map((n) => `"${n}"`).join(', ')}; use one of ${SENDER_NAMES.join(', ')} (several, comma-separated, are tried in that order)`);
  const twice = names.filter((n, i) => n !== '' && names.indexOf(n) !== i);
  if (twice.length > 0) problems.push(`-p names ${[...new Set(twice)].join(', ')} more than once: each vendor is tried once per recipient`);
  const factories = names.filter((n) => byName.has(n)).map((n) => byName.get(n)!);
  const inChain = new Set(factories.map((f) => f.name));

  const baseUrls = parseBaseUrls(args.baseUrl, factories.map((f) => f.name), `the chain (-p ${args.provider})`, problems);

  // Vendor options: --<sender>-<option>, or the bare --<option> for every sender of the chain that has it.
  const { flags, bare } = optionFlags(all, options.ownFlags);
  const vendorOptions: Record<string, Record<string, unknown>> = {};
  const set = (flag: OptionFlag, value: unknown) => ((vendorOptions[flag.sender] ??= {})[flag.fact.name] = value);
  for (const flag of flags) {
    const value = args.flags[flag.key];
    if (value === undefined) continue;
    if (!inChain.has(flag.sender)) problems.push(`--${flag.long} sets an option of ${flag.sender}, which is not in the chain (-p ${args.provider})`);
    else set(flag, value);
  }
  for (const [name, list] of bare) {
    const value = args.flags[camel(name)];
    if (value === undefined) continue;
    const targets = list.filter((f) => inChain.has(f.sender));
    if (targets.length === 0) problems.push(`--${name} sets an option of ${list.map((f) => f.sender).join(', ')}, none of which is in the chain (-p ${args.provider})`);
    for (const flag of targets) if (vendorOptions[flag.sender]?.[name] === undefined) set(flag, value);
  }
  const message: CampaignMessage = { text: args.text, ...(args.from !== undefined && { from: args.from }), ...(Object.keys(vendorOptions).length > 0 && { options: vendorOptions }) };
  for (const f of factories) {
    for (const issue of optionIssues(f.name, f.options, message)) problems.push(`${f.name} ${optionProblem(issue, f, bare)}`);
  }

  const http = { timeoutMs: positive(args.timeout, 'timeout', false, problems), maxRetries: positive(args.retries, 'retries', true, problems) };
  if (http.timeoutMs !== undefined) http.timeoutMs = Math.round(http.timeoutMs * 1000);

  // Credentials: what a real send would miss, and senders with stand-ins to check the message without them.
  const missing: Record<string, string[]> = {};
  const probes: CampaignSender[] = [];
  for (const f of factories) {
    const standIn: Record<string, string | undefined> = { ...env };
    try {
      try {
        f.fromEnv(env, { ...(baseUrls[f.name] !== undefined && { baseUrl: baseUrls[f.name] }) });
      } catch (error) {
        if (!(error instanceof MissingCredentialsError)) throw error;
        missing[f.name] = error.missing.map((group) => group.join(' or '));
        for (const group of error.missing) standIn[group[0]!] = STAND_IN;
      }
      probes.push(f.fromEnv(standIn, { baseUrl: baseUrls[f.name] ?? STAND_IN_BASE_URL }));
    } catch (error) {
      // The client refused its settings (a base URL that is not https, say): the flag that gave them is wrong.
      if (!(error instanceof ValidationError)) throw error;
      problems.push(`${f.name}: ${error.issues.map((i) => `${i.path.join('.') === 'baseUrl' ? '--base-url' : i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
  }
  const key = options.reference ? { dedupeKey: SAMPLE_KEY, reference: SAMPLE_KEY } : {};
  const checked = factories.length > 0 && probes.length === factories.length ? chainIssues(probes, ['+10000000000'], message, { ...key, ...(args.dlrUrl !== undefined && { callbackUrl: args.dlrUrl }) }) : { senders: {} };
  // A vendor option is a flag: its problems are said above, as flags.
  const issues = Object.fromEntries(
    Object.entries(checked.senders)
      .map(([name, list]) => [name, list.filter((i) => i.path[0] !== 'options')] as const)
      .filter(([, list]) => list.length > 0),
  );
  return {
    problems,
    factories,
    probes,
    message,
    baseUrls,
    maxBatch: factories.length > 0 ? chainBatchSize(factories) : 0,
    missing,
    issues,
    http: Object.fromEntries(Object.entries(http).filter(([, v]) => v !== undefined)) as ChainPlan['http'],
  };
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The flag that sets an option, as the user types it: the bare one where it exists. */
export function flagOf(sender: string, option: string, bare: ReadonlyMap<string, OptionFlag[]>): string {
  return bare.get(option)?.some((f) => f.sender === sender) ? `--${option}` : `--${sender}-${option}`;
}

function optionProblem(issue: ValidationIssue, factory: SenderFactory, bare: ReadonlyMap<string, OptionFlag[]>): string {
  const name = String(issue.path[2]);
  const fact = factory.options.find((o) => o.name === name);
  const flag = flagOf(factory.name, name, bare);
  if (issue.code === 'required' && fact) return `needs ${flag} ${fact.values ? fact.values.join(' or ') : '<value>'}: ${fact.what}; none is assumed`;
  if (fact?.values) return `${flag}: must be ${fact.values.join(' or ')}`;
  return `${flag}: ${issue.message}`;
}

/** The real senders of the chain, from the environment (MissingCredentialsError when one is missing). */
export function buildChain(plan: ChainPlan, env: EnvRecord): CampaignSender[] {
  return plan.factories.map((f) => f.fromEnv(env, { ...plan.http, ...(plan.baseUrls[f.name] !== undefined && { baseUrl: plan.baseUrls[f.name] }) }));
}

/** The issues of a chain that cannot carry the message, one line each, naming the vendor, the field, the rule and the flag that fixes it. */
export function describeChainIssues(issues: Record<string, ValidationIssue[]>, all: readonly SenderFactory[], ownFlags: ReadonlySet<string>): string[] {
  const { bare } = optionFlags(all, ownFlags);
  return Object.entries(issues).flatMap(([sender, list]) =>
    list.map((i) => {
      const option = i.path[0] === 'options' && i.path[1] === sender ? ` (${flagOf(sender, String(i.path[2]), bare)})` : '';
      const field = i.path.length > 0 ? `${i.path.join('.')}${option}: ` : '';
      // A rule that names a vendor option names the flag that sets it.
      const text = i.message.replace(/options\.([a-z0-9_-]+)\.([a-z0-9_-]+)/gi, (match, s: string, o: string) => (all.some((f) => f.name === s && f.options.some((x) => x.name === o)) ? flagOf(s, o, bare) : match));
      return `${sender}: ${field}${text} (${i.code}${i.vendorCode === undefined ? '' : `, vendor code ${i.vendorCode}`})`;
    }),
  );
}
