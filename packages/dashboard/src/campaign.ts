import { normalizePhone } from '@msgkit/core';
import { maskText } from './mask';
import type { CampaignTotals, Failure, TotalsSummary } from './totals';

/** What the page lists of a campaign. */
export interface CampaignInfo {
  /** The dashboard's id for it, used in its URLs. */
  id: string;
  source: 'journal' | 'redis';
  /** The journal's file name, or the queue campaign's id. */
  name: string;
  campaignId: string;
  /** The vendor the campaign was started with (a failover chain's first). */
  provider: string;
  created?: string;
  /** A run is writing it now (the journal's lock is held; the queue has batches without an outcome). */
  running: boolean;
  /** The page may show this campaign's full numbers on request: a journal file of the user's own. */
  canReveal: boolean;
  /** Anything the page should say about the campaign (state lost in Redis, a paused account…). */
  notes: string[];
}

/** A recipient whose outcome is unknown (the vendor may or may not have it), with the batch and error that left it so. */
export interface UnknownRecipient {
  /** Masked unless revealed. */
  number: string;
  /** The recipient's line in the input file, where the store has it. */
  row?: number;
  /** The batch's index in the campaign. */
  batch: number;
  vendor: string;
  /** msgkit's error code of the attempt that left it unknown. */
  code: string;
  reason?: string;
}

/** A page of the recipients of unknown outcome. */
export interface UnknownPage {
  /** Recipients of unknown outcome in the whole campaign. */
  total: number;
  /** The position of this page's first recipient among them. */
  offset: number;
  recipients: UnknownRecipient[];
}

/** What the page receives about one campaign: its description and its totals. */
export interface CampaignSummary extends TotalsSummary {
  campaign: CampaignInfo;
  /** When the summary was made, ISO 8601. */
  updated: string;
}

/** One campaign as a store holds it; the dashboard polls `refresh` and reads the rest. */
export interface Campaign {
  readonly id: string;
  readonly totals: CampaignTotals;
  info(): CampaignInfo;
  /** Reads what changed in the store; true when anything did. */
  refresh(): Promise<boolean>;
  /** Recipients of unknown outcome, `limit` from `offset` (numbers masked unless `reveal` and the campaign allows it). */
  unknown(offset: number, limit: number, reveal: boolean): Promise<UnknownPage>;
  close(): Promise<void>;
}

/** Recipients per country of a list of E.164 numbers (`''` for a number whose country is not known). */
export function countriesOf(numbers: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e164 of numbers) {
    const result = normalizePhone(e164);
    const country = result.ok ? (result.country ?? '') : '';
    counts.set(country, (counts.get(country) ?? 0) + 1);
  }
  return counts;
}

/** A failure as the page groups it: code, the vendor's code, and a short reason (the message when there is no reason). */
export function failureOf(outcome: { code: string; message?: string; vendorCode?: string | number; reason?: string }): Failure {
  // A vendor's message may quote a recipient's number.
  const text = outcome.reason ?? outcome.message;
  const reason = text === undefined ? undefined : maskText(text);
  return { code: outcome.code, ...(outcome.vendorCode !== undefined && { vendorCode: outcome.vendorCode }), ...(reason !== undefined && { reason }) };
}
