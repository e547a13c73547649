/**
 * How the CLI drives each provider client for `msgkit send`: which environment variables hold the
 * credentials, the vendor's per-request recipient maximum (the batch size), and the one call that
 * sends a text to a batch. Everything else (normalization, vendor rules, retries) is the client's.
 * A client is loaded only when `create` is called: every other command starts without the four.
 */
import { recipientMessageId } from '@msgkit/core/internal';
import { CliError } from './io';

const DUPLICATE_REQUEST_ID = 120;

/** The providers `msgkit send --provider` takes. */
export type ProviderName = 'smscx' | 'smsworks' | 'octopush' | 'infobip';

export interface SendOutcome {
  /** The vendor's id for what it accepted (campaign, batch, ticket or bulk id). */
  id?: string;
  /** Each message's id with its recipient, where the answer gives them: a report that names only the id finds its recipient. */
  messages?: Array<{ to: string; id: string; status?: string }>;
}

/** Where the vendor posts this batch's delivery reports, and what it echoes back in each. */
export interface Callback {
  /** msgkit's signed callback URL (`createCallbackUrl`), naming the campaign and the batch. */
  url: string;
  /** `msgkit:<campaign>:<batch>`, in the vendor's echo field (Infobip callbackData, The SMS Works tag). */
  reference: string;
}

export interface Message {
  from?: string;
  text: string;
  /** Octopush's SMS type (sms_premium / sms_low_cost): price and sender rules differ, so it is never assumed. */
  type?: string;
}

/** One provider client as `msgkit send` drives it: one call per batch. */
export interface SendingClient {
  /** `dedupeKey` is sent as the vendor's deduplication key where the vendor has one (SMS.CX idempotencyId, Octopush request_id). */
  send(batch: string[], message: Message, signal?: AbortSignal, dedupeKey?: string, callback?: Callback): Promise<SendOutcome>;
}

interface Credential {
  env: string;
  what: string;
  optional?: boolean;
}

/** How `msgkit send` uses one provider: its batch size, whether it deduplicates, its credential variables, and how its client is made. */
export interface Provider {
  name: ProviderName;
  maxRecipients: number;
  /** The vendor drops a repeated send with the same key, so a batch of unknown outcome can be resent safely. */
  deduplicates: boolean;
  /** The vendor lets the client choose ids (Infobip bulkId, messageId): derived from the batch key, so a lost answer can be looked up. */
  clientIds?: boolean;
  /** Why `--dlr-url` cannot be honoured per send, when it cannot (the vendor has no per-request callback field). */
  noCallbackField?: string;
  credentials: Credential[];
  /**
   * `dryRun`: the client only checks requests (a dry run sends nothing), so a credential or base
   * URL that is not set gets an inert stand-in instead of stopping the run.
   */
  create(env: Record<string, string | undefined>, baseUrl?: string, options?: { dryRun?: boolean }): Promise<SendingClient>;
}

/** What a dry run stands in for a credential it was not given; it never leaves the process. */
const STAND_IN = 'dry-run-stand-in';
const STAND_IN_BASE_URL = 'https://dry-run.invalid';

/** The credential variables (or the base URL) a real send would miss in `env`. */
export function missingCredentials(provider: Provider, env: Record<string, string | undefined>, baseUrl?: string): string[] {
  const missing = provider.credentials.filter((c) => !c.optional && !env[c.env]).map((c) => c.env);
  if (provider.name === 'smscx' && !env.SMSCX_API_KEY && !env.SMSCX_ACCESS_TOKEN) missing.push('SMSCX_API_KEY (or SMSCX_ACCESS_TOKEN)');
  if (provider.name === 'infobip' && !baseUrl && !env.INFOBIP_BASE_URL) missing.push('INFOBIP_BASE_URL (or --base-url)');
  return missing;
}

function read(env: Record<string, string | undefined>, provider: Provider, dryRun = false): Record<string, string> {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const c of provider.credentials) {
    const value = env[c.env];
    if (value) values[c.env] = value;
    else if (!c.optional) missing.push(c.env);
  }
  if (dryRun) for (const name of missing.splice(0)) values[name] = STAND_IN;
  if (missing.length > 0) throw new CliError(`${provider.name} needs ${missing.join(' and ')} in the environment (see msgkit send --help)`, 2);
  return values;
}

const withBase = (baseUrl: string | undefined) => (baseUrl ? { baseUrl } : {});

/** Every provider of `msgkit send`, by name. */
export const PROVIDERS: Record<ProviderName, Provider> = {
  smscx: {
    name: 'smscx',
    maxRecipients: 25_000,
    deduplicates: true,
    credentials: [
      { env: 'SMSCX_API_KEY', what: 'SMS.CX API key (or SMSCX_ACCESS_TOKEN)', optional: true },
      { env: 'SMSCX_ACCESS_TOKEN', what: 'SMS.CX OAuth access token', optional: true },
    ],
    async create(env, baseUrl, { dryRun = false } = {}) {
      const c = read(env, this, dryRun);
      if (dryRun && !c.SMSCX_API_KEY && !c.SMSCX_ACCESS_TOKEN) c.SMSCX_API_KEY = STAND_IN;
      if (!c.SMSCX_API_KEY && !c.SMSCX_ACCESS_TOKEN) throw new CliError('smscx needs SMSCX_API_KEY or SMSCX_ACCESS_TOKEN in the environment', 2);
      const { SmscxClient } = await import('@msgkit/smscx');
      const client = new SmscxClient({
        ...(c.SMSCX_API_KEY ? { apiKey: c.SMSCX_API_KEY } : { accessToken: c.SMSCX_ACCESS_TOKEN! }),
        ...withBase(baseUrl),
      });
      return {
        send: async (to, m, signal, dedupeKey, callback) => {
          const r = await client.sms.send({ to, from: m.from ?? '', text: m.text, ...(dedupeKey && { idempotencyId: dedupeKey }), ...(callback && { dlrCallbackUrl: callback.url }) }, signal ? { signal } : {});
          // SMS.CX reports name only msgId (specs/smscx.yaml DataDlrUpdate): the answer's data[] ties each to its number.
          return { id: r.info.campaignId, messages: atRecipients(to, r.data ?? [], (d) => ({ to: d.to, id: d.msgId, status: d.status })) };
        },
      };
    },
  },
  smsworks: {
    name: 'smsworks',
    maxRecipients: 5_000,
    deduplicates: false,
    credentials: [{ env: 'SMSWORKS_TOKEN', what: 'The SMS Works JWT (with or without the "JWT " prefix)' }],
    async create(env, baseUrl, { dryRun = false } = {}) {
      const c = read(env, this, dryRun);
      const { SmsWorksClient } = await import('@msgkit/smsworks');
      const client = new SmsWorksClient({ token: c.SMSWORKS_TOKEN!, ...withBase(baseUrl) });
      return {
        send: async (destinations, m, signal, _dedupeKey, callback) => {
          const r = await client.batch.send({ sender: m.from ?? '', destinations, content: m.text, ...(callback && { deliveryreporturl: callback.url, tag: callback.reference }) }, signal ? { signal } : {});
          return { id: r.batchid };
        },
      };
    },
  },
  octopush: {
    name: 'octopush',
    maxRecipients: 500,
    deduplicates: true,
    noCallbackField: "Octopush takes no callback URL per send: its reports go to the account's callback_url_for_deliveries, set in the back office (Callbacks menu) or campaign-parameters (../shared/vendors/octopush.md §5)",
    credentials: [
      { env: 'OCTOPUSH_API_LOGIN', what: 'Octopush account login (e-mail)' },
      { env: 'OCTOPUSH_API_KEY', what: 'Octopush API key' },
    ],
    async create(env, baseUrl, { dryRun = false } = {}) {
      const c = read(env, this, dryRun);
      const { OctopushClient } = await import('@msgkit/octopush');
      const client = new OctopushClient({ apiLogin: c.OCTOPUSH_API_LOGIN!, apiKey: c.OCTOPUSH_API_KEY!, ...withBase(baseUrl) });
      return {
        send: async (numbers, m, signal, dedupeKey) => {
          const r = await client.sms
            .send(
            {
              text: m.text,
              recipients: numbers.map((phoneNumber) => ({ phoneNumber })),
              type: m.type as 'sms_premium' | 'sms_low_cost',
              ...(m.from ? { sender: m.from } : {}),
              ...(dedupeKey && { requestId: dedupeKey }),
            },
            signal ? { signal } : {},
            )
            .catch((error: unknown) => {
              // Code 120, "request_id already used" (specs/octopush.yaml): Octopush already holds this
              // batch, sent under the same key by an earlier run that died before recording it.
              if (dedupeKey && (error as { vendorCode?: unknown }).vendorCode === DUPLICATE_REQUEST_ID) return undefined;
              throw error;
            });
          return { id: r?.smsTicket };
        },
      };
    },
  },
  infobip: {
    name: 'infobip',
    maxRecipients: 1_000,
    deduplicates: false,
    clientIds: true,
    credentials: [
      { env: 'INFOBIP_API_KEY', what: 'Infobip API key' },
      { env: 'INFOBIP_BASE_URL', what: "your account's Infobip base URL (or --base-url)", optional: true },
      { env: 'INFOBIP_SCENARIO_KEY', what: 'OMNI scenario key (the sender is set in the scenario; default scenario when unset)', optional: true },
    ],
    async create(env, baseUrl, { dryRun = false } = {}) {
      const c = read(env, this, dryRun);
      const base = baseUrl ?? c.INFOBIP_BASE_URL ?? (dryRun ? STAND_IN_BASE_URL : undefined);
      if (!base) throw new CliError('infobip needs --base-url or INFOBIP_BASE_URL (every Infobip account has its own host)', 2);
      const { InfobipClient } = await import('@msgkit/infobip');
      const client = new InfobipClient({ apiKey: c.INFOBIP_API_KEY!, baseUrl: base });
      return {
        send: async (numbers, m, signal, dedupeKey, callback) => {
          const r = await client.omni.send(
            {
              ...(c.INFOBIP_SCENARIO_KEY ? { scenarioKey: c.INFOBIP_SCENARIO_KEY } : {}),
              // The ids the campaign sender chooses (@msgkit/infobip's infobipSender), so reconcile finds them.
              ...(dedupeKey && { bulkId: dedupeKey }),
              destinations: numbers.map((phoneNumber) => ({ ...(dedupeKey && { messageId: recipientMessageId(dedupeKey, phoneNumber) }), to: { phoneNumber } })),
              sms: { text: m.text },
              ...(callback && { notifyUrl: callback.url, callbackData: callback.reference }),
            },
            signal ? { signal } : {},
          );
          return { id: r.bulkId ?? r.messages[0]?.messageId };
        },
      };
    },
  },
};

/** The answer's messages, each under the recipient as the batch spells it (vendors answer in their own number format). */
function atRecipients<T>(batch: string[], data: T[], read: (item: T) => { to?: string; id?: string; status?: string }): Array<{ to: string; id: string; status?: string }> {
  const digits = (n: string) => n.replace(/\D/g, '');
  const ours = new Map(batch.map((to) => [digits(to), to]));
  const out: Array<{ to: string; id: string; status?: string }> = [];
  for (const item of data) {
    const { to, id, status } = read(item);
    const e164 = to === undefined ? undefined : ours.get(digits(to));
    if (e164 !== undefined && id) out.push({ to: e164, id, ...(status && { status }) });
  }
  return out;
}

export function providerHelp(): string {
  return Object.values(PROVIDERS)
    .map((p) => `  ${p.name.padEnd(9)} ${p.credentials.map((c) => `${c.env}${c.optional ? ' (optional)' : ''}: ${c.what}`).join('\n            ')}`)
    .join('\n');
}
