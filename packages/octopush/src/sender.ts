/**
 * Octopush as a campaign sender (`POST /sms-campaign/send`): its facts, each with its source, and
 * the one call that sends a batch. Sources: specs/octopush.yaml and shared/vendors/octopush.md.
 * Octopush's v1 API answers errors as `{code, message}`; which legacy return codes (§4.8) it still
 * uses is not documented [INFERRED: 120 and 121 are referenced by the v1 docs; the refusal codes
 * below are the legacy table's, matched only when Octopush answers with them].
 */
import { createSender, remapIssues, senderFactory, senderOptions, type CampaignSender, type SenderFacts } from '@msgkit/core/internal';
import { OctopushClient, type OctopushClientOptions } from './client';
import { OCTOPUSH_CREDENTIALS } from './credentials';
import { DUPLICATE_REQUEST_ID } from './errors';
import { MAX_RECIPIENTS, PURPOSES, SMS_TYPES, smsSendIssues } from './rules';

const LEGACY_CODES = 'shared/vendors/octopush.md §4.8 legacy return-code table (octopush-sms-node lib/octopush.js ERRORS; octopush.com return-codes page)';

/**
 * Octopush's facts as a campaign sender, each with its source: recipients per request, the
 * `request_id` dedupe, credential variables, the `type` and `purpose` options it never assumes, and
 * the refusals that prove nothing was sent.
 */
export const octopushSenderFacts = /* @__PURE__ */ octopushFacts();

// Built in a function marked pure: the sources interpolated in template literals would otherwise
// keep these facts in every app bundling @msgkit/octopush, which bundlers cannot prove side-effect free.
function octopushFacts() {
  return {
    name: 'octopush',
    maxRecipients: MAX_RECIPIENTS,
    dedupe: {
      field: 'request_id',
      windowHours: 24,
      repeat: 'refuses',
      source: 'specs/octopush.yaml SendSmsCampaignRequest.request_id; shared/vendors/octopush.md §3.1 ("a duplicate gives a validation error; a request_id expires after 24 h") and §4.8 (code 120)',
    },
    credentials: OCTOPUSH_CREDENTIALS,
    options: [
      { name: 'type', what: 'the SMS route, which sets the price and the sender rules', required: true, values: SMS_TYPES, source: 'specs/octopush.yaml SendSmsCampaignRequest.type (required)' },
      {
        name: 'purpose',
        what: "transactional ('alert') or marketing ('wholesale'), which sets the opt-out rules",
        required: true,
        values: PURPOSES,
        source: "specs/octopush.yaml SendSmsCampaignRequest.purpose: unset, Octopush applies 'wholesale' (marketing), so msgkit asks",
      },
    ],
    callback: false,
    accountCallback: "its reports go to the account's callback_url_for_deliveries, set in the back office (Callbacks menu) or by campaign-parameters (shared/vendors/octopush.md §5)",
    reference: false,
    clientIds: false,
    // No read of a sent campaign's state exists (the note at the top of specs/octopush.yaml): status
    // comes only by callback, and request_id is neither echoed nor searchable.
    statusLookup: false,
    refusals: [
      { class: 'authentication', status: 401, source: 'specs/octopush.yaml responses.Unauthorized (SEED: "401 Unauthorized.", wrong api-login / api-key)' },
      { class: 'authentication', vendorCode: 101, source: `${LEGACY_CODES}: 101 "Incorrect login details"` },
      { class: 'insufficient_credit', vendorCode: 104, source: `${LEGACY_CODES}: 104 "Out of credit"` },
      { class: 'insufficient_credit', vendorCode: 105, source: `${LEGACY_CODES}: 105 "Not enough credit, last order awaiting validation"` },
      { class: 'invalid_number', vendorCode: 117, source: `${LEGACY_CODES}: 117 "Recipient list has no correct numbers"` },
      { class: 'invalid_number', vendorCode: 150, source: `${LEGACY_CODES}: 150 "No country found for this prefix"` },
      { class: 'no_route', vendorCode: 151, source: `${LEGACY_CODES}: 151 "Recipient country not serviced"` },
      { class: 'no_route', vendorCode: 152, source: `${LEGACY_CODES}: 152 "Cannot send low-cost SMS to this country, use Premium"` },
    ],
    recipientRefusals: [],
  } as const satisfies SenderFacts;
}

/** Octopush's campaign sender, over a client you configured or the options to make one. */
export function octopushSender(client: OctopushClient | OctopushClientOptions): CampaignSender {
  const octopush = client instanceof OctopushClient ? client : new OctopushClient(client);
  return createSender(octopushSenderFacts, {
    rules(message) {
      const { type, purpose } = senderOptions(message, 'octopush');
      const request = { text: message.text, sender: message.from, type, purpose };
      // type and purpose are the options' (checked with the message's options); recipients are the batch's.
      return remapIssues(smsSendIssues(request), { recipients: null, type: null, purpose: null, sender: ['from'] });
    },
    async send(batch, message, { dedupeKey, signal }) {
      const { type, purpose } = senderOptions(message, 'octopush') as { type: (typeof SMS_TYPES)[number]; purpose: (typeof PURPOSES)[number] };
      try {
        const sent = await octopush.sms.send(
          {
            text: message.text,
            recipients: batch.map((phoneNumber) => ({ phoneNumber })),
            type,
            purpose,
            ...(message.from !== undefined && { sender: message.from }),
            ...(dedupeKey !== undefined && { requestId: dedupeKey }),
          },
          signal ? { signal } : {},
        );
        return { ids: sent.smsTicket ? [sent.smsTicket] : [] };
      } catch (error) {
        // A resend whose first answer was lost: Octopush refuses the request_id it already has
        // (code 120) rather than replay its answer. That refusal proves the first was accepted.
        // It names no ticket ({code, message} only: shared/vendors/octopush.md §4.7, §4.8), and
        // Octopush documents no lookup of a send by request_id (the only status endpoint,
        // GET /sms-campaign-on-list/status, takes a ticket_number and serves list campaigns being
        // computed: §1.3), so the first send's ticket, and with it its reports, stays unknown:
        // ids is empty, and a queue batch records its reports as `ticket_unknown`.
        if (dedupeKey !== undefined && (error as { vendorCode?: unknown } | null)?.vendorCode === DUPLICATE_REQUEST_ID) return { ids: [], duplicate: true };
        throw error;
      }
    },
    async balance({ signal }) {
      // Without country and product, GET /wallet/check-balance answers in euros (shared/vendors/octopush.md §4.4).
      const wallet = await octopush.wallet.balance(undefined, signal ? { signal } : {});
      return { amount: wallet.amount, unit: wallet.unit === 'euros' ? 'EUR' : wallet.unit };
    },
  });
}

/** Octopush in the one list of senders: facts, and a sender from OCTOPUSH_API_LOGIN and OCTOPUSH_API_KEY. */
export const octopushSenderFactory = /* @__PURE__ */ senderFactory(octopushSenderFacts, (credentials, { baseUrl, timeoutMs, maxRetries }) =>
  octopushSender({
    apiLogin: credentials.OCTOPUSH_API_LOGIN!,
    apiKey: credentials.OCTOPUSH_API_KEY!,
    ...(baseUrl !== undefined && { baseUrl }),
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(maxRetries !== undefined && { maxRetries }),
  }),
);
