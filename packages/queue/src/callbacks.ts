/**
 * Delivery reports of a queue campaign: each batch's request carries a callback URL signed for its
 * vendor, campaign and batch (`createCallbackUrl` of @msgkit/webhooks), and, where the vendor's
 * reference field takes free text, the reference `msgkit:<campaign>:<batch>` it echoes in every
 * report. A receiver (`createDeliveryRecorder`, `msgkit webhooks serve --redis`) finds the
 * recipient by them. The same rule as `msgkit send --dlr-url`.
 */
import { ValidationError, type FailoverOptions, type SenderFacts, type SendOptions } from '@msgkit/core';
import { createCallbackUrl } from '@msgkit/webhooks';

/** Where a worker's batches ask the vendor to post their delivery reports. */
export interface DeliveryReportOptions {
  /** The public URL of the receiver, e.g. `https://hooks.example.com/dlr` (`msgkit webhooks serve --redis`). */
  url: string;
  /** The receiver's secret (at least 32 bytes): the URLs are signed with it, never carry it. */
  secret: string | Uint8Array;
  /** How long a URL is taken after its batch is sent (default 14 days, as `msgkit send --dlr-url`); for `accountUrl`, how long a batch's message ids stay placed. */
  ttlSeconds?: number;
  /**
   * For a vendor that posts every report of an account to one URL (Octopush): you pointed that URL
   * at the receiver, with an account token (`msgkit webhooks account-url`). The worker then sends
   * no callback URL and records each batch's message ids, by which the receiver places the reports.
   * Without it such a sender is refused: its reports would go elsewhere, unseen.
   */
  accountUrl?: boolean;
}

/** The reference a report echoes: campaign and batch. */
export const referenceOf = (campaignId: string, index: number) => `msgkit:${campaignId}:${index}`;

/** Campaign and batch of an echoed reference, or undefined for another text. */
export function parseReference(echo: string | undefined): { campaign: string; batch: number } | undefined {
  const match = /^msgkit:(.+):(\d+)$/.exec(echo ?? '');
  return match ? { campaign: match[1]!, batch: Number(match[2]) } : undefined;
}

/**
 * The send options of batch `index` of `campaignId` for `sender`. Throws a ValidationError, before
 * any batch is taken, for a sender that takes no callback URL per request (Octopush: its reports go
 * to the account's URL) or a URL or secret `createCallbackUrl` refuses.
 */
export function deliveryCallbacks(sender: SenderFacts, options: DeliveryReportOptions): (campaignId: string, index: number) => Pick<SendOptions, 'callbackUrl' | 'reference'> {
  if (sender.callback === false) {
    // Its reports reach the account's URL; the worker indexes each batch's message ids (vendorIds.ts).
    if (options.accountUrl === true) return () => ({});
    throw new ValidationError([
      {
        path: ['deliveryReports'],
        code: 'no_callback_field',
        message: `${sender.name} takes no callback URL per send${sender.accountCallback ? `: ${sender.accountCallback}` : ''}; point that URL at the receiver (msgkit webhooks account-url) and set deliveryReports.accountUrl`,
      },
    ]);
  }
  const ref = sender.reference;
  const sign = (campaign: string, batch: number) =>
    createCallbackUrl({ baseUrl: options.url, secret: options.secret, vendor: sender.name, campaign, batch, ...(options.ttlSeconds !== undefined && { ttlSeconds: options.ttlSeconds }) });
  // Checked once here: a URL or secret it refuses would refuse every batch.
  sign('check', 0);
  return (campaignId, index) => {
    const reference = referenceOf(campaignId, index);
    // A UUID-only field (SMS.CX trackData) cannot carry it; the URL's token names the batch anyway.
    const echoes = ref !== false && ref.format === undefined && (ref.maxLength === undefined || reference.length <= ref.maxLength);
    return { callbackUrl: sign(campaignId, index), ...(echoes && { reference }) };
  };
}

/**
 * The per-sender send options of batch `index` of `campaignId` for a chain (`sendWithFailover`'s
 * `perSender`): each vendor its own callback URL, signed for it (the token names the vendor, whose
 * report format the receiver reads), and the reference where its field takes it. Throws a
 * ValidationError, before any batch is taken, naming every sender that takes no callback URL per
 * send (a recipient moved on to it would have its reports go elsewhere, unseen), unless
 * `accountUrl` says its account's URL reaches the receiver: then each sent attempt of it has its
 * message ids placed before its answer is recorded (chain.ts, vendorIds.ts).
 */
export function chainDeliveryCallbacks(chain: readonly SenderFacts[], options: DeliveryReportOptions): (campaignId: string, index: number) => NonNullable<FailoverOptions['perSender']> {
  // With accountUrl, a sender without a callback field per send reaches the receiver through its
  // account's URL, and the worker indexes the message ids of its attempts (vendorIds.ts).
  const refused = options.accountUrl === true ? [] : chain.filter((s) => s.callback === false);
  if (refused.length > 0) {
    throw new ValidationError(refused.map((s) => ({ path: ['deliveryReports', s.name], code: 'no_callback_field', message: `${s.name} takes no callback URL per send${s.accountCallback ? `: ${s.accountCallback}` : ''}; point that URL at the receiver (msgkit webhooks account-url) and set deliveryReports.accountUrl` })));
  }
  const each = chain.map((s) => [s.name, deliveryCallbacks(s, options)] as const);
  return (campaignId, index) => Object.fromEntries(each.map(([name, of]) => [name, of(campaignId, index)]));
}
