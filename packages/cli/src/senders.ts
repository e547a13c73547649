/**
 * The one list of senders `msgkit send` knows. Every vendor fact (batch size, credentials, options
 * and their values, dedupe field, refusal codes) comes from the sender factory its package exports;
 * adding a vendor is its own package and one line here. Each package is loaded only when a command
 * needs its senders (`send`, or its help), so every other command starts without them.
 */
import type { MessageOptionFact, SenderFactory, SmsBilling } from '@msgkit/core';

/** A provider package as the CLI uses it: its sender factory and its billing facts (`msgkit plan`). */
export interface SenderPackage {
  factory: SenderFactory;
  billing: SmsBilling;
}

export const PACKAGES = {
  smscx: async () => import('@msgkit/smscx').then((m) => ({ factory: m.smscxSenderFactory, billing: m.billing })),
  smsworks: async () => import('@msgkit/smsworks').then((m) => ({ factory: m.smsworksSenderFactory, billing: m.billing })),
  octopush: async () => import('@msgkit/octopush').then((m) => ({ factory: m.octopushSenderFactory, billing: m.billing })),
  infobip: async () => import('@msgkit/infobip').then((m) => ({ factory: m.infobipSenderFactory, billing: m.billing })),
} as const satisfies Record<string, () => Promise<SenderPackage>>;

/** Each sender factory of the list, loaded on demand, by the name `-p` takes. */
export const SENDERS = Object.fromEntries(Object.entries(PACKAGES).map(([name, load]) => [name, async () => (await load()).factory])) as Readonly<Record<keyof typeof PACKAGES, () => Promise<SenderFactory>>>;

/** The names `msgkit send -p` takes, in the list's order. */
export const SENDER_NAMES = Object.keys(SENDERS);

/** Every factory of the list, in its order; a factory whose name is not its key is a packaging bug, said at once. */
export async function loadSenders(): Promise<SenderFactory[]> {
  const factories = await Promise.all(Object.values(SENDERS).map((load) => load()));
  factories.forEach((factory, i) => {
    if (factory.name !== SENDER_NAMES[i]) throw new Error(`the sender listed as ${SENDER_NAMES[i]} is named ${factory.name}`);
  });
  return factories;
}

/** One vendor option as a flag: `--<sender>-<option>`, and the bare `--<option>` where no flag of msgkit's own has that name. */
export interface OptionFlag {
  sender: string;
  fact: MessageOptionFact;
  /** The flag's long name without dashes (`octopush-type`). */
  long: string;
  /** Property commander gives it (`octopushType`). */
  key: string;
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The flags of every sender option, by sender, and the bare names that set an option of every sender of a chain that has one. */
export function optionFlags(factories: readonly SenderFactory[], ownFlags: ReadonlySet<string>): { flags: OptionFlag[]; bare: Map<string, OptionFlag[]> } {
  const flags: OptionFlag[] = [];
  const bare = new Map<string, OptionFlag[]>();
  for (const factory of factories) {
    for (const fact of factory.options) {
      const long = `${factory.name}-${fact.name}`;
      const flag = { sender: factory.name, fact, long, key: camel(long) };
      flags.push(flag);
      if (!ownFlags.has(fact.name)) bare.set(fact.name, [...(bare.get(fact.name) ?? []), flag]);
    }
  }
  return { flags, bare };
}

/** What `msgkit send --help` says of each sender: its credential variables (any one of a group), batch size, dedupe and options. */
export function sendersHelp(factories: readonly SenderFactory[]): string {
  return factories
    .map((f) => {
      const groups = new Map<string, string[]>();
      const lines: string[] = [];
      for (const c of f.credentials) {
        if (c.anyOf !== undefined) groups.set(c.anyOf, [...(groups.get(c.anyOf) ?? []), c.env]);
        else lines.push(`${c.env}${c.optional ? ' (optional)' : ''}: ${c.what}`);
      }
      for (const names of groups.values()) {
        const what = f.credentials.find((c) => c.env === names[0])!.what;
        lines.unshift(`${names.join(' or ')}: ${what.replace(/\s*\(or [A-Z_]+\)$/, '')}`);
      }
      const facts = `up to ${f.maxRecipients} per request; ${f.dedupe ? `deduplicates by ${f.dedupe.field}` : 'cannot deduplicate'}`;
      const options = f.options.map((o) => `--${f.name}-${o.name}${o.values ? ` ${o.values.join('|')}` : ' <value>'}${o.required ? ' (required)' : ''}: ${o.what}`);
      return [`  ${f.name.padEnd(9)} ${facts}`, ...[...lines, ...options].map((l) => `            ${l}`)].join('\n');
    })
    .join('\n');
}
