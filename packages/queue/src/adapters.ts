/**
 * How a worker sends one batch through each provider client, and whether the vendor deduplicates.
 * The clients are typed by the few members used here, so @msgkit/queue depends on none of them:
 * pass the client you already configured (credentials, baseUrl, retries).
 */
import { MsgkitError } from '@msgkit/core';
import type { ProviderName } from './names';

/** The text a campaign sends to every recipient. */
export interface CampaignMessage {
  /** The sender id, as the vendor takes it (Infobip: set in the OMNI scenario instead). */
  from?: string;
  text: string;
}

/** What a worker hands an adapter with each batch. */
export interface SendContext {
  /** batchDedupeKey(campaignId, index): the same for every attempt of this batch, on any worker. */
  dedupeKey: string;
  /** The job's abort signal from BullMQ, passed on to the client's call. */
  signal?: AbortSignal;
}

/** What an adapter returns for a batch the vendor accepted. */
export interface SentBatch {
  /** The vendor's id(s) for what it accepted (campaign, batch, ticket or bulk id). */
  ids: string[];
  /** The vendor answered that it already had a send with this dedupe key: an earlier attempt was accepted. */
  duplicate?: boolean;
}

/** One provider client as a worker drives it: `smscxAdapter(client)`, `octopushAdapter(client, options)`, …. */
export interface ProviderAdapter {
  readonly provider: ProviderName;
  /**
   * True when the vendor drops a repeated request with the same dedupe key, so a batch whose answer
   * was lost can be resent with that key. False: such a batch is `unknown` and never resent.
   */
  readonly dedupes: boolean;
  /** Sends one batch; rejects with the client's error (a `MsgkitError`), which the worker classifies. */
  send(recipients: string[], message: CampaignMessage, context: SendContext): Promise<SentBatch>;
}

interface CallOptions {
  signal?: AbortSignal;
}
const call = (signal: AbortSignal | undefined): CallOptions => (signal ? { signal } : {});

/** What `smscxAdapter` uses of an `SmscxClient` (from `@msgkit/smscx`). */
export interface SmscxLike {
  sms: {
    /** `SmscxClient.sms.send`. */
    send(request: { from: string; to: string[]; text: string; idempotencyId: string }, options?: CallOptions): Promise<{ info: { campaignId: string } }>;
  };
}

/** SMS.CX `POST /sms`; `idempotencyId` (a UUID, as SMS.CX requires) is the batch's dedupe key. */
export function smscxAdapter(client: SmscxLike): ProviderAdapter {
  return {
    provider: 'smscx',
    dedupes: true,
    async send(to, message, { dedupeKey, signal }) {
      const sent = await client.sms.send({ from: message.from ?? '', to, text: message.text, idempotencyId: dedupeKey }, call(signal));
      return { ids: [sent.info.campaignId] };
    },
  };
}

/** What `octopushAdapter` uses of an `OctopushClient` (from `@msgkit/octopush`). */
export interface OctopushLike {
  sms: {
    /** `OctopushClient.sms.send`. */
    send(
      request: { text: string; recipients: Array<{ phoneNumber: string }>; type: 'sms_premium' | 'sms_low_cost'; purpose?: 'alert' | 'wholesale'; sender?: string; requestId: string },
      options?: CallOptions,
    ): Promise<{ smsTicket?: string }>;
  };
}

// Octopush error code 120: "request_id already used" (packages/octopush/src/errors.ts).
const OCTOPUSH_DUPLICATE_REQUEST_ID = 120;

/** The Octopush choices `octopushAdapter` sends with every batch; msgkit assumes none of them. */
export interface OctopushAdapterOptions {
  /** Route and price (sms_premium / sms_low_cost): no default here. */
  type: 'sms_premium' | 'sms_low_cost';
  /** `alert` (transactional) or `wholesale` (marketing); unset, Octopush applies its own default. */
  purpose?: 'alert' | 'wholesale';
}

/** Octopush `POST /sms-campaign/send` with top-level `request_id` = the batch's dedupe key. */
export function octopushAdapter(client: OctopushLike, options: OctopushAdapterOptions): ProviderAdapter {
  return {
    provider: 'octopush',
    dedupes: true,
    async send(numbers, message, { dedupeKey, signal }) {
      try {
        const sent = await client.sms.send(
          { text: message.text, recipients: numbers.map((phoneNumber) => ({ phoneNumber })), type: options.type, ...(options.purpose ? { purpose: options.purpose } : {}), ...(message.from ? { sender: message.from } : {}), requestId: dedupeKey },
          call(signal),
        );
        return { ids: sent.smsTicket ? [sent.smsTicket] : [] };
      } catch (error) {
        // A resent batch whose first answer was lost: Octopush may refuse the key it already has
        // rather than replay the answer. That refusal proves the first send was accepted.
        if (error instanceof MsgkitError && (error as { vendorCode?: unknown }).vendorCode === OCTOPUSH_DUPLICATE_REQUEST_ID) return { ids: [], duplicate: true };
        throw error;
      }
    },
  };
}

/** What `smsWorksAdapter` uses of an `SmsWorksClient` (from `@msgkit/smsworks`). */
export interface SmsWorksLike {
  batch: {
    /** `SmsWorksClient.batch.send`. */
    send(request: { sender: string; destinations: string[]; content: string }, options?: CallOptions): Promise<{ batchid: string }>;
  };
}

/** The SMS Works `POST /batch/send`. The vendor has no dedupe key: a lost answer stays `unknown`. */
export function smsWorksAdapter(client: SmsWorksLike): ProviderAdapter {
  return {
    provider: 'smsworks',
    dedupes: false,
    async send(destinations, message, { signal }) {
      const sent = await client.batch.send({ sender: message.from ?? '', destinations, content: message.text }, call(signal));
      return { ids: [sent.batchid] };
    },
  };
}

/** What `infobipAdapter` uses of an `InfobipClient` (from `@msgkit/infobip`). */
export interface InfobipLike {
  omni: {
    /** `InfobipClient.omni.send`. */
    send(
      request: { scenarioKey?: string; destinations: Array<{ to: { phoneNumber: string } }>; sms: { text: string } },
      options?: CallOptions,
    ): Promise<{ bulkId?: string; messages?: Array<{ messageId?: string }> }>;
  };
}

/**
 * Infobip OMNI `POST /omni/1/advanced`, SMS step; the sender is the scenario's (`scenarioKey`, or
 * the account's default scenario). No dedupe key: a lost answer stays `unknown`.
 */
export function infobipAdapter(client: InfobipLike, options: { scenarioKey?: string } = {}): ProviderAdapter {
  return {
    provider: 'infobip',
    dedupes: false,
    async send(numbers, message, { signal }) {
      const sent = await client.omni.send(
        { ...(options.scenarioKey ? { scenarioKey: options.scenarioKey } : {}), destinations: numbers.map((phoneNumber) => ({ to: { phoneNumber } })), sms: { text: message.text } },
        call(signal),
      );
      const ids = sent.bulkId ? [sent.bulkId] : (sent.messages ?? []).flatMap((m) => (m.messageId ? [m.messageId] : []));
      return { ids };
    },
  };
}
