/**
 * How a provider package builds its sender from its facts and two functions: the vendor's rules
 * for a message, and the one client call that sends a batch. What every sender must do the same
 * way (the message's shape, its options, refusing before the wire, classifying errors, reading
 * credentials) is done here once.
 */
import { ValidationError, type ValidationIssue } from '../errors';
import { classifyError } from './classify';
import { readCredentials } from './credentials';
import { messageShapeIssues, optionIssues } from './message';
import type { LookupOptions, LookupQuery, LookupResult } from './lookup';
import type { BatchEstimate, CampaignMessage, CampaignSender, EnvRecord, FromEnvOptions, SendOptions, SenderBalance, SenderFactory, SenderFacts, SentBatch } from './sender';

/** What a provider package gives `createSender` beside its facts: its rules and its send call. */
export interface SenderImplementation {
  /** The vendor's own rules for a well-shaped message (its options are already checked). */
  rules(message: CampaignMessage, send: Pick<SendOptions, 'callbackUrl' | 'reference'>): ValidationIssue[];
  /** The client call; runs only for a message `rules` found nothing wrong with. */
  send(batch: readonly string[], message: CampaignMessage, options: SendOptions): Promise<SentBatch>;
  /** Asks the vendor what became of a send, where it has a lookup. */
  lookup?(query: LookupQuery, options?: LookupOptions): Promise<LookupResult>;
  /** The vendor's balance endpoint (a read). */
  balance?(options: { signal?: AbortSignal }): Promise<SenderBalance>;
  /** The vendor's free estimate; runs only for a message `rules` found nothing wrong with. */
  estimate?(batch: readonly string[], message: CampaignMessage, options: { signal?: AbortSignal }): Promise<BatchEstimate>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A key the vendor would refuse is refused here, before anything is sent: at send time the refusal
 * would read as a proven one and move every batch of a chain to the next vendor, unasked.
 */
function dedupeKeyIssues(facts: SenderFacts, key: string | undefined): ValidationIssue[] {
  if (key === undefined) return [];
  if (typeof key !== 'string' || key === '') return [{ path: ['dedupeKey'], code: 'invalid_type', message: 'must be a non-empty string' }];
  if (facts.dedupe && facts.dedupe.format === 'uuid' && !UUID.test(key)) {
    return [{ path: ['dedupeKey'], code: 'uuid_invalid', message: `must be a lowercase UUID: ${facts.name} takes it as ${facts.dedupe.field} (batchDedupeKey makes one)` }];
  }
  return [];
}

/** Messages whose issues a sender keeps: a campaign sends one message in many batches. */
const REMEMBERED = 16;

/**
 * A `CampaignSender` from a vendor's facts and its implementation: checks a message's shape and
 * options, refuses before the wire what the rules find, and classifies `send`'s errors from the facts.
 */
export function createSender<F extends SenderFacts>(facts: F, implementation: SenderImplementation): CampaignSender & F {
  // Keyed by the message's content, not the object, so a message changed between two batches is
  // checked again.
  const remembered = new Map<string, ValidationIssue[]>();
  const check = (message: CampaignMessage, send: Pick<SendOptions, 'callbackUrl' | 'reference'>): ValidationIssue[] => {
    const shape = messageShapeIssues(message);
    if (shape.length > 0) return shape;
    return [...optionIssues(facts.name, facts.options, message), ...implementation.rules(message, send)];
  };
  // The last message checked without options, by its fields: a campaign checks one message before
  // every batch (a chain, for every sender), and comparing four values costs far less than
  // serializing it. A message with options (nested, changeable inside) goes by its content below.
  let last: { message: CampaignMessage; text: unknown; from: unknown; callbackUrl: unknown; reference: unknown; issues: ValidationIssue[] } | undefined;
  const remember = (message: CampaignMessage, send: Pick<SendOptions, 'callbackUrl' | 'reference'>): ValidationIssue[] => {
    if (last !== undefined && message === last.message && message.options === undefined && message.text === last.text && message.from === last.from && send.callbackUrl === last.callbackUrl && send.reference === last.reference) {
      return last.issues;
    }
    const issues = byContent(message, send);
    if (typeof message === 'object' && message !== null && message.options === undefined) {
      last = { message, text: message.text, from: message.from, callbackUrl: send.callbackUrl, reference: send.reference, issues };
    }
    return issues;
  };
  const byContent = (message: CampaignMessage, send: Pick<SendOptions, 'callbackUrl' | 'reference'>): ValidationIssue[] => {
    let key: string;
    try {
      key = JSON.stringify([message, send.callbackUrl, send.reference]);
    } catch {
      return check(message, send);
    }
    let issues = remembered.get(key);
    if (issues === undefined) {
      issues = check(message, send);
      if (remembered.size >= REMEMBERED) remembered.delete(remembered.keys().next().value!);
      remembered.set(key, issues);
    }
    return issues;
  };
  // The last dedupe key found good: a chain checks a batch's key before the batch and again in `send`.
  let goodKey: string | undefined;
  const validate = (message: CampaignMessage, send: Pick<SendOptions, 'callbackUrl' | 'reference' | 'dedupeKey'> = {}): ValidationIssue[] => {
    // The key differs per batch, so it is checked apart from the remembered message.
    const issues = [...remember(message, send)];
    if (send.dedupeKey !== undefined && send.dedupeKey !== goodKey) {
      const keyIssues = dedupeKeyIssues(facts, send.dedupeKey);
      if (keyIssues.length === 0) goodKey = send.dedupeKey;
      else issues.push(...keyIssues);
    }
    return issues;
  };
  const sender: CampaignSender & F = {
    ...facts,
    validate,
    async send(batch, message, options = {}) {
      const issues = validate(message, options);
      if (issues.length > 0) throw new ValidationError(issues);
      return implementation.send(batch, message, options);
    },
    classify: (error) => classifyError(error, facts.refusals),
  };
  if (implementation.lookup) sender.lookup = implementation.lookup.bind(implementation);
  const { balance, estimate } = implementation;
  if (balance) sender.balance = (options = {}) => balance.call(implementation, options);
  if (estimate) {
    sender.estimate = async (batch, message, options = {}) => {
      const issues = validate(message);
      if (issues.length > 0) throw new ValidationError(issues);
      return estimate.call(implementation, batch, message, options);
    };
  }
  return sender;
}

/**
 * The factory the one list of senders holds: the facts, and `fromEnv`, which reads the credential
 * variables (MissingCredentialsError naming every missing one, and those `missing` adds) and hands
 * their values to `create`.
 */
export function senderFactory<F extends SenderFacts, S extends CampaignSender>(
  facts: F,
  create: (credentials: Record<string, string>, options: FromEnvOptions) => S,
  more: { hint?: string; missing?: (env: EnvRecord, options: FromEnvOptions) => string[][] } = {},
): SenderFactory<S> & F {
  return {
    ...facts,
    fromEnv: (env, options = {}) => create(readCredentials(facts.name, facts.credentials, env, more.hint, more.missing?.(env, options), options), options),
  };
}
