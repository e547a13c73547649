/**
 * The SMS Works as a campaign sender (`POST /batch/send`): its facts, each with its source, and the
 * one call that sends a batch. Sources: specs/smsworks.yaml (the vendor's OAS 1.9.0) and
 * shared/vendors/smsworks.md. The vendor publishes no error-code list, so its refusals are known by
 * HTTP status only.
 */
import { createSender, remapIssues, senderFactory, type CampaignSender, type SenderFacts } from '@msgkit/core/internal';
import { SmsWorksClient, type SmsWorksClientOptions } from './client';
import { SMSWORKS_CREDENTIALS } from './credentials';
import { lookupSmsworks, smsworksStatusLookup } from './lookup';
import { MAX_BATCH_SIZE, MAX_TAG_LENGTH, batchSendIssues } from './rules';

/**
 * The SMS Works' facts as a campaign sender, each with its source: recipients per request, no
 * dedupe key, credential variables, callback field, and the refusals that prove nothing was sent.
 */
export const smsworksSenderFacts = {
  name: 'smsworks',
  maxRecipients: MAX_BATCH_SIZE,
  // No dedupe key in any version of the API (shared/vendors/smsworks.md §2): a lost answer stays unknown.
  dedupe: false,
  credentials: SMSWORKS_CREDENTIALS,
  options: [],
  callback: { field: 'deliveryreporturl', source: 'specs/smsworks.yaml BatchMessage.deliveryreporturl (the vendor POSTs delivery reports there)' },
  reference: { field: 'tag', maxLength: MAX_TAG_LENGTH, source: 'specs/smsworks.yaml BatchMessage.tag ("A maximum of 280 characters"), returned on every message of the batch' },
  clientIds: false,
  statusLookup: smsworksStatusLookup,
  refusals: [
    {
      class: 'authentication',
      status: 401,
      source: 'RFC 9110 §15.5.2 (credentials refused, the request not processed); shared/vendors/smsworks.md §1: 401 falls under the documented `default` error [INFERRED]',
    },
    { class: 'insufficient_credit', status: 402, source: 'specs/smsworks.yaml responses.PaymentRequired, declared on /batch/send: "the account does not have enough credits for this send"' },
  ],
  recipientRefusals: [],
} as const satisfies SenderFacts;

/** The SMS Works' campaign sender, over a client you configured or the options to make one. */
export function smsworksSender(client: SmsWorksClient | SmsWorksClientOptions): CampaignSender {
  const smsworks = client instanceof SmsWorksClient ? client : new SmsWorksClient(client);
  return createSender(smsworksSenderFacts, {
    rules(message, send) {
      const request = { sender: message.from, content: message.text, deliveryreporturl: send.callbackUrl, tag: send.reference };
      return remapIssues(batchSendIssues(request), { destinations: null, sender: ['from'], content: ['text'], deliveryreporturl: ['callbackUrl'], tag: ['reference'] });
    },
    async send(batch, message, { signal, callbackUrl, reference }) {
      const sent = await smsworks.batch.send(
        {
          sender: message.from!,
          destinations: [...batch],
          content: message.text,
          ...(callbackUrl !== undefined && { deliveryreporturl: callbackUrl }),
          ...(reference !== undefined && { tag: reference }),
        },
        signal ? { signal } : {},
      );
      // The batch answer carries no per-message ids (GET /batch/{batchid} lists them).
      return { ids: [sent.batchid] };
    },
    async balance({ signal }) {
      const { credits } = await smsworks.credits.balance(signal ? { signal } : {});
      return { amount: credits, unit: 'credits' };
    },
    lookup: (query, lookupOptions) => lookupSmsworks(smsworks, query, lookupOptions),
  });
}

/** The SMS Works in the one list of senders: facts, and a sender from SMSWORKS_TOKEN. */
export const smsworksSenderFactory = /* @__PURE__ */ senderFactory(smsworksSenderFacts, (credentials, { baseUrl, timeoutMs, maxRetries }) =>
  smsworksSender({
    token: credentials.SMSWORKS_TOKEN!,
    ...(baseUrl !== undefined && { baseUrl }),
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(maxRetries !== undefined && { maxRetries }),
  }),
);
