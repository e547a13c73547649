/**
 * Infobip as a campaign sender (`POST /omni/1/advanced`, the scenario's SMS step): its facts, each
 * with its source, and the one call that sends a batch. Sources: specs/infobip.yaml and
 * shared/vendors/infobip.md (S1 = Infobip's OpenAPI, S14/S15 = its status-code pages).
 */
import { createSender, recipientMessageId, recipientRefusal, remapIssues, senderFactory, senderOptions, type CampaignSender, type RecipientMessage, type RecipientRefusal, type SenderFacts } from '@msgkit/core/internal';
import { InfobipClient, type InfobipClientOptions } from './client';
import { INFOBIP_CREDENTIALS } from './credentials';
import { infobipStatusLookup, lookupInfobip } from './lookup';
import { CALLBACK_DATA_MAX, sendIssues } from './rules';

const STATUSES = 'shared/vendors/infobip.md §4.2 and S15 (errors/infobip-error-codes.yml, extracted from S14 response-status-and-error-codes), a REJECTED status in the send answer';

/**
 * Infobip's facts as a campaign sender, each with its source: msgkit's batch size (Infobip documents
 * no maximum), no dedupe key but client-set `bulkId` and `messageId`, credential variables, and the
 * refusals that prove nothing was sent.
 */
export const infobipSenderFacts = /* @__PURE__ */ infobipFacts();

// Built in a function marked pure: the sources interpolated in template literals would otherwise
// keep these facts in every app bundling @msgkit/infobip, which bundlers cannot prove side-effect free.
function infobipFacts() {
  return {
    name: 'infobip',
    // No maximum is documented (shared/vendors/infobip.md §5): 1 000 is msgkit's batch size for
    // Infobip (what the CLI and the queue have always sent), not a vendor limit.
    maxRecipients: 1_000,
    // No dedupe key (shared/vendors/infobip.md): a lost answer stays unknown. The client-chosen ids
    // below make it possible to look the batch up (reconciliation).
    dedupe: false,
    credentials: INFOBIP_CREDENTIALS,
    options: [
      {
        name: 'from',
        what: "'scenario', to send a message that names a sender with the sender of the OMNI scenario instead",
        required: false,
        values: ['scenario'],
        source: 'shared/vendors/infobip.md §3.6: the sender of each channel is the scenario step’s `from`; the send request has no sender field',
      },
    ],
    callback: { field: 'notifyUrl', source: 'specs/infobip.yaml OmniAdvancedRequest.notifyUrl (S1; delivery reports posted there)' },
    reference: { field: 'callbackData', maxLength: CALLBACK_DATA_MAX, source: 'specs/infobip.yaml OmniAdvancedRequest.callbackData (S1: maxLength 4000, echoed in the delivery report)' },
    clientIds: { batch: 'bulkId', message: 'destinations[].messageId', source: 'shared/vendors/infobip.md §3.1–3.2: a client-supplied bulkId and per-destination messageId, echoed in the answer and the reports' },
    statusLookup: infobipStatusLookup,
    refusals: [
      { class: 'authentication', status: 401, source: 'specs/infobip.yaml responses.Unauthorized (S1: 401 UNAUTHORIZED); shared/vendors/infobip.md §3.8' },
      { class: 'authentication', status: 403, source: 'specs/infobip.yaml responses.Forbidden (S1: 403 FORBIDDEN, the key lacks message:send / omni-failover scopes, shared/vendors/infobip.md §1.5)' },
    ],
    recipientRefusals: [
      { status: 'REJECTED_NETWORK', class: 'no_route', source: `${STATUSES}: 6 "the network is either out of our coverage or is not set up on your account"` },
      { status: 'REJECTED_ROUTE_NOT_AVAILABLE', class: 'no_route', source: `${STATUSES}: 19 "no routes on your account are available"` },
      { status: 'REJECTED_PREFIX_MISSING', class: 'invalid_number', source: `${STATUSES}: 8 "the number is not recognized due to an incorrect number prefix or length"` },
      { status: 'MISSING_TO', class: 'invalid_number', source: `${STATUSES}: 51 "the to parameter has not been set, or it is empty"` },
      { status: 'REJECTED_DESTINATION', class: 'invalid_number', source: `${STATUSES}: 52 "the destination is invalid"` },
      { status: 'REJECTED_NOT_ENOUGH_CREDITS', class: 'insufficient_credit', source: `${STATUSES}: 12 "Your account is out of credits"` },
      { status: 'REJECTED_PREPAID_PACKAGE_EXPIRED', class: 'insufficient_credit', source: `${STATUSES}: 17 "Account credits are past their validity period"` },
      // Refused, and no other vendor may send them: the recipient or the sender is blocked.
      { status: 'REJECTED_DND', source: `${STATUSES}: 10 "the user is subscribed to DND (Do Not Disturb)"` },
      { status: 'REJECTED_DESTINATION_BLOCKLISTED', source: `${STATUSES}: 14 "The destination address has been blocklisted"` },
    ],
  } as const satisfies SenderFacts;
}

/** The answer's REJECTED group: the message was not sent. Statuses not in the table move nowhere. */
const REJECTED_GROUP = 'REJECTED';
/** S15 status 23: "rejected due to a duplicate message ID": Infobip already has this message. */
const DUPLICATE_MESSAGE_ID = 'REJECTED_DUPLICATE_MESSAGE_ID';

/** Options of `infobipSender(client, options)`. */
export interface InfobipSenderOptions {
  /** The OMNI scenario whose SMS step sends (and names the sender); the account's default when unset. */
  scenarioKey?: string;
}

/** Infobip's campaign sender, over a client you configured or the options to make one. */
export function infobipSender(client: InfobipClient | InfobipClientOptions, options: InfobipSenderOptions = {}): CampaignSender {
  const infobip = client instanceof InfobipClient ? client : new InfobipClient(client);
  return createSender(infobipSenderFacts, {
    rules(message, send) {
      const issues = remapIssues(
        sendIssues({ sms: { text: message.text }, ...(send.callbackUrl !== undefined && { notifyUrl: send.callbackUrl }), ...(send.reference !== undefined && { callbackData: send.reference }) }),
        { destinations: null, sms: [], notifyUrl: ['callbackUrl'], callbackData: ['reference'] },
      );
      if (message.from !== undefined && senderOptions(message, 'infobip').from !== 'scenario') {
        issues.push({
          path: ['from'],
          code: 'sender_in_scenario',
          message: "is set by the OMNI scenario at Infobip, not per message: leave it out, or set options.infobip.from to 'scenario' to send with the scenario's sender",
        });
      }
      return issues;
    },
    async send(batch, message, { dedupeKey, signal, callbackUrl, reference }) {
      const ids = dedupeKey === undefined ? undefined : batch.map((to) => recipientMessageId(dedupeKey, to));
      const sent = await infobip.omni.send(
        {
          ...(options.scenarioKey !== undefined && { scenarioKey: options.scenarioKey }),
          ...(dedupeKey !== undefined && { bulkId: dedupeKey }),
          destinations: batch.map((phoneNumber, i) => ({ ...(ids && { messageId: ids[i] }), to: { phoneNumber } })),
          sms: { text: message.text },
          ...(callbackUrl !== undefined && { notifyUrl: callbackUrl }),
          ...(reference !== undefined && { callbackData: reference }),
        },
        signal ? { signal } : {},
      );
      // One answer per destination, in order (S1 examples); with our own ids, matched by id instead.
      const byId = new Map(ids?.map((id, i) => [id, batch[i]!]));
      const messages: RecipientMessage[] = [];
      const refused: RecipientRefusal[] = [];
      sent.messages.forEach((m, i) => {
        const to = ids ? byId.get(m.messageId) : batch[i];
        if (to === undefined) return;
        const name = m.status?.name ?? '';
        const refusal = name === DUPLICATE_MESSAGE_ID ? undefined : recipientRefusal(to, name, infobipSenderFacts.recipientRefusals, m.status?.description);
        if (refusal) refused.push(refusal);
        else if (m.status?.groupName === REJECTED_GROUP && name !== DUPLICATE_MESSAGE_ID) refused.push({ to, failover: false, code: name || REJECTED_GROUP, ...(m.status?.description !== undefined && { reason: m.status.description }) });
        else messages.push({ to, id: m.messageId });
      });
      const bulkId = sent.bulkId ?? dedupeKey;
      return { ids: bulkId !== undefined ? [bulkId] : messages.map((m) => m.id), ...(messages.length > 0 && { messages }), ...(refused.length > 0 && { refused }) };
    },
    async balance({ signal }) {
      const { balance, currency } = await infobip.account.balance(signal ? { signal } : {});
      return { amount: balance, unit: currency };
    },
    lookup: (query, lookupOptions) => lookupInfobip(infobip, query, lookupOptions),
  });
}

/** Infobip in the one list of senders: facts, and a sender from INFOBIP_API_KEY, INFOBIP_BASE_URL (or `baseUrl`) and INFOBIP_SCENARIO_KEY. */
export const infobipSenderFactory = /* @__PURE__ */ senderFactory(
  infobipSenderFacts,
  (credentials, { baseUrl, timeoutMs, maxRetries }) =>
    infobipSender(
      {
        apiKey: credentials.INFOBIP_API_KEY!,
        baseUrl: baseUrl ?? credentials.INFOBIP_BASE_URL!,
        ...(timeoutMs !== undefined && { timeoutMs }),
        ...(maxRetries !== undefined && { maxRetries }),
      },
      credentials.INFOBIP_SCENARIO_KEY !== undefined ? { scenarioKey: credentials.INFOBIP_SCENARIO_KEY } : {},
    ),
  // Every Infobip account has its own host: the baseUrl option meets INFOBIP_BASE_URL (INFOBIP_CREDENTIALS).
  { hint: 'INFOBIP_BASE_URL may be given as the baseUrl option instead' },
);
