/**
 * `msgkit send --dlr-url`: every batch's report URL, signed per sender (the token names the vendor,
 * whose report format the receiver then reads), campaign and batch, handed to each sender of the
 * chain as its own send option. Checked before anything is sent.
 */
import { ValidationError, type FailoverOptions, type SenderFacts } from '@msgkit/core';
import { createCallbackUrl } from '@msgkit/webhooks';

/** Where `--dlr-url` reads the secret its callback URLs are signed with (the default of `msgkit webhooks serve --secret-env`). */
export const DLR_SECRET_ENV = 'MSGKIT_WEBHOOK_SECRET';
/** How long a send's callback URLs are taken (createCallbackUrl's default): reports come within days, not weeks. */
export const DLR_TTL_DAYS = 14;

/** `--dlr-url` checked: what is wrong with it, or how to sign each batch's URLs once the campaign id is known. */
export interface DlrPlan {
  problems: string[];
  /** Without problems: where reports go (the URL without its query), until when, and each batch's URLs by sender. */
  signing?: { where: string; expiresAt: Date; callbacks: (campaign: string) => (batch: number) => FailoverOptions['perSender'] };
}

/**
 * `journaled`: --journal (or a dry run) is given. Every sender of the chain must take a report URL per
 * send: a recipient moved on to one that cannot would have its reports go elsewhere, unseen.
 */
export function planDlr(url: string, senders: readonly SenderFacts[], secret: string | undefined, journaled: boolean): DlrPlan {
  const problems: string[] = [];
  for (const s of senders) if (s.callback === false) problems.push(`--dlr-url: ${s.name} takes no callback URL per send${s.accountCallback ? `: ${s.accountCallback}` : ''}`);
  if (!journaled) problems.push('--dlr-url needs --journal: the reports are recorded in the journal (msgkit webhooks serve --journal)');
  if (secret === undefined) problems.push(`--dlr-url needs ${DLR_SECRET_ENV} in the environment (at least 32 bytes; msgkit webhooks serve checks the URLs with it)`);
  if (problems.length > 0 || secret === undefined) return { problems };
  const expiresAt = new Date(Date.now() + DLR_TTL_DAYS * 24 * 3600 * 1000);
  const sign = (vendor: string, campaign: string, batch: number) => createCallbackUrl({ baseUrl: url, secret, vendor, campaign, batch, expiresAt });
  try {
    sign(senders[0]?.name ?? 'check', 'check', 0);
  } catch (error) {
    if (error instanceof ValidationError) return { problems: [`--dlr-url: ${error.issues.map((i) => i.message).join('; ')}`] };
    throw error;
  }
  const parsed = new URL(url);
  return {
    problems: [],
    signing: {
      where: `${parsed.origin}${parsed.pathname}`,
      expiresAt,
      callbacks: (campaign) => (batch) => {
      const reference = `msgkit:${campaign}:${batch}`;
      return Object.fromEntries(
        senders.map((s) => {
          // The echo `msgkit webhooks serve` reads where a field takes free text; a UUID-only one (SMS.CX trackData) keeps the batch key.
          const echoes = s.reference !== false && s.reference.format === undefined && (s.reference.maxLength === undefined || reference.length <= s.reference.maxLength);
          return [s.name, { callbackUrl: sign(s.name, campaign, batch), ...(echoes && { reference }) }];
        }),
      );
      },
    },
  };
}
