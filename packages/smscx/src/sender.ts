/**
 * SMS.CX as a campaign sender (`POST /sms`): the facts a campaign needs, each with its source, and
 * the one call that sends a batch. Sources: specs/smscx.yaml (error tables from the official SDKs'
 * docs, seeds 000/001) and shared/vendors/smscx.md.
 */
import { createSender, recipientRefusal, remapIssues, senderFactory, type CampaignSender, type EstimatedRecipient, type SenderFacts, type SentBatch } from '@msgkit/core/internal';
import { SmscxClient, type SmscxClientOptions } from './client';
import { SMSCX_CREDENTIALS } from './credentials';
import { lookupSmscx, smscxStatusLookup } from './lookup';
import { MAX_RECIPIENTS, operationIssues, rules } from './rules';

/**
 * SMS.CX's facts as a campaign sender, each with its source: recipients per request, the
 * `idempotencyId` dedupe, credential variables, callback and reference fields, and the refusals
 * that prove nothing was sent.
 */
export const smscxSenderFacts = {
  name: 'smscx',
  maxRecipients: MAX_RECIPIENTS,
  dedupe: {
    field: 'idempotencyId',
    repeat: 'replays',
    // 1111 "Idempotency Id provided is not a valid UUID" (specs/smscx.yaml send 400 table).
    format: 'uuid',
    source: 'specs/smscx.yaml info.description and shared/vendors/smscx.md §3 (idempotencyId: "retry safely … not being billed twice"); no window is documented',
  },
  credentials: SMSCX_CREDENTIALS,
  options: [],
  callback: { field: 'dlrCallbackUrl', source: 'specs/smscx.yaml SendSmsRequest.dlrCallbackUrl (error 1109 when not a URL)' },
  reference: { field: 'trackData', format: 'uuid', source: 'shared/vendors/smscx.md §3 trackData: a UUID, echoed in data[].trackData and in every callback' },
  clientIds: false,
  statusLookup: smscxStatusLookup,
  refusals: [
    { class: 'authentication', status: 401, source: 'specs/smscx.yaml responses.Unauthorized: type invalid_api_key (bad X-API-KEY or token); shared/vendors/smscx.md §8' },
    { class: 'authentication', status: 403, vendorType: 'insufficient_scope', source: 'specs/smscx.yaml responses.SmsForbidden: insufficient_scope (the token lacks the sms scope)' },
    { class: 'no_route', vendorCode: 1119, source: 'specs/smscx.yaml responses.SmsForbidden: 1119 no_coverage "No coverage or restricted destination"; shared/vendors/smscx.md §8.1' },
    { class: 'insufficient_credit', vendorCode: 1113, source: 'specs/smscx.yaml send 400 table: 1113 insufficient_credit "Insufficient credit"; shared/vendors/smscx.md §8.1' },
    { class: 'insufficient_credit', vendorCode: 1114, source: 'specs/smscx.yaml send 400 table: 1114 insufficient_credit "Credit limit reached"; shared/vendors/smscx.md §8.1' },
    { class: 'invalid_number', vendorCode: 1207, source: 'specs/smscx.yaml send 400 table: 1207 "The phone number provided is not valid" (the request is refused unless allowInvalid)' },
    { class: 'invalid_number', vendorCode: 1210, source: 'specs/smscx.yaml send 400 table: 1210 "The phone numbers provided are invalid" (the request is refused unless allowInvalid)' },
  ],
  recipientRefusals: [
    { status: 'NO COVERAGE', class: 'no_route', source: 'shared/vendors/smscx.md §6 DataSms.status: NO COVERAGE "no coverage or pricing; no charge"' },
    // An opt-out: another vendor must not send it either.
    { status: 'REJECTED', source: 'shared/vendors/smscx.md §6 DataSms.status: REJECTED "the number opted out; no charge"' },
  ],
} as const satisfies SenderFacts;

const digits = (phone: string) => phone.replace(/\D/g, '');

/** SMS.CX's campaign sender, over a client you configured or the options to make one. */
export function smscxSender(client: SmscxClient | SmscxClientOptions): CampaignSender {
  const smscx = client instanceof SmscxClient ? client : new SmscxClient(client);
  return createSender(smscxSenderFacts, {
    rules(message, send) {
      const request = { from: message.from, text: message.text, dlrCallbackUrl: send.callbackUrl, trackData: send.reference };
      // `to` is the batch's, checked by send; everything else maps onto the message.
      return remapIssues(operationIssues(rules.sms.send, request), { to: null, idempotencyId: null, dlrCallbackUrl: ['callbackUrl'], trackData: ['reference'] });
    },
    async send(batch, message, { dedupeKey, signal, callbackUrl, reference }): Promise<SentBatch> {
      const sent = await smscx.sms.send(
        {
          to: [...batch],
          from: message.from!,
          text: message.text,
          ...(dedupeKey !== undefined && { idempotencyId: dedupeKey }),
          ...(callbackUrl !== undefined && { dlrCallbackUrl: callbackUrl }),
          ...(reference !== undefined && { trackData: reference }),
        },
        signal ? { signal } : {},
      );
      const byDigits = new Map(batch.map((to) => [digits(to), to]));
      const result: Required<Pick<SentBatch, 'messages' | 'refused'>> = { messages: [], refused: [] };
      for (const item of sent.data) {
        const to = byDigits.get(digits(item.to));
        if (to === undefined) continue;
        const refusal = recipientRefusal(to, item.status, smscxSenderFacts.recipientRefusals);
        if (refusal) result.refused.push(refusal);
        else result.messages.push({ to, id: item.msgId });
      }
      return { ids: [sent.info.campaignId], ...(result.messages.length > 0 && { messages: result.messages }), ...(result.refused.length > 0 && { refused: result.refused }) };
    },
    async balance({ signal }) {
      const { balance, currency, billing } = await smscx.account.balance(signal ? { signal } : {});
      return { amount: balance, unit: currency.toUpperCase(), billing };
    },
    // POST /sms/estimate: "it will only simulate the … sending (no billing)" (shared/vendors/smscx.md §1).
    async estimate(batch, message, { signal }) {
      const answer = await smscx.sms.estimate({ to: [...batch], from: message.from!, text: message.text }, signal ? { signal } : {});
      const byDigits = new Map(batch.map((to) => [digits(to), to]));
      const recipients: EstimatedRecipient[] = [];
      for (const item of answer.data) {
        const to = byDigits.get(digits(item.to));
        if (to !== undefined) recipients.push({ to, parts: item.parts, cost: item.cost, country: item.countryIso, status: item.status });
      }
      return { total: answer.info.totalCost, recipients };
    },
    lookup: (query, lookupOptions) => lookupSmscx(smscx, query, lookupOptions),
  });
}

/** SMS.CX in the one list of senders: facts, and a sender from SMSCX_API_KEY or SMSCX_ACCESS_TOKEN. */
export const smscxSenderFactory = /* @__PURE__ */ senderFactory(smscxSenderFacts, (credentials, { baseUrl, timeoutMs, maxRetries }) =>
  smscxSender({
    // Both set: the API key, as the CLI always did; the token is the alternative, not a second login.
    ...(credentials.SMSCX_API_KEY !== undefined ? { apiKey: credentials.SMSCX_API_KEY } : { accessToken: credentials.SMSCX_ACCESS_TOKEN! }),
    ...(baseUrl !== undefined && { baseUrl }),
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(maxRetries !== undefined && { maxRetries }),
  }),
);
