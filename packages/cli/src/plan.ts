/**
 * `msgkit plan`: what a campaign would do and cost, row by row, before anything is paid. Each row is
 * classified as `send` does it (number, duplicate, landline), then checked against the allowed
 * countries and filled with its own text, and counted with its vendor's own billing facts
 * (countSegmentsFor). Costs come from the vendor's free estimate, or from a price table the user gives.
 */
import { readFileSync } from 'node:fs';
import { countSegmentsFor, type CampaignMessage, type CampaignSender, type NationalLanguage, type SmsBilling } from '@msgkit/core';
import { parse } from 'csv-parse/sync';
import { Classifier } from './classify';
import { CliError } from './io';
import { failureMessage, type Personalization } from './personalize';
import type { Row } from './recipients';

export const PLAN_STATUSES = ['send', 'invalid', 'duplicate', 'landline', 'country_not_allowed', 'personalization_error'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

/** One row's plan; every field always present (undefined where it does not apply), one shape for a million rows. */
export interface PlannedRow {
  row: string;
  input: string;
  e164: string | undefined;
  country: string | undefined;
  status: PlanStatus;
  /** Why not: the phone code, the number's type, its country, or the personalization error. */
  reason: string | undefined;
  vendor: string;
  encoding: string | undefined;
  segments: number | undefined;
  /** In the estimate's currency or the price table's unit; undefined when not known. */
  cost: number | undefined;
  /** The row's text (not printed: a plan can hold millions). */
  text: string | undefined;
}

export interface PlanSetup {
  vendor: string;
  billing: SmsBilling;
  language?: NationalLanguage;
  defaultCountry: string | undefined;
  allowLandline: boolean;
  /** The countries a text may go to; undefined: every country. */
  countries?: ReadonlySet<string>;
  text: string;
  personal?: Personalization;
}

/** Plans rows one by one, in file order; a new Planner for every pass (duplicates are per pass). */
export class Planner {
  readonly #classifier: Classifier;
  readonly #constant: ReturnType<typeof countSegmentsFor> | undefined;

  constructor(readonly setup: PlanSetup) {
    this.#classifier = new Classifier(setup.defaultCountry, { allowLandline: setup.allowLandline });
    this.#constant = setup.personal ? undefined : this.#count(setup.text);
  }

  #count(text: string) {
    return countSegmentsFor(this.setup.billing, text, this.setup.language ? { language: this.setup.language } : {});
  }

  plan(row: Row): PlannedRow {
    const { setup } = this;
    const r = this.#classifier.classify(row);
    const planned: PlannedRow = {
      row: row.arg ? `arg ${row.row}` : String(row.row),
      input: row.input,
      e164: r.e164,
      country: r.region,
      status: 'send',
      reason: undefined,
      vendor: setup.vendor,
      encoding: undefined,
      segments: undefined,
      cost: undefined,
      text: undefined,
    };
    if (r.status === 'invalid') {
      planned.status = r.code === 'not_mobile' ? 'landline' : 'invalid';
      planned.reason = r.code === 'not_mobile' ? (r.type ?? 'not_mobile') : r.code;
    } else if (r.status === 'duplicate') planned.status = 'duplicate';
    else if (setup.countries && !(r.region && setup.countries.has(r.region))) {
      planned.status = 'country_not_allowed';
      planned.reason = r.region ?? 'unknown';
    } else {
      let text = setup.text;
      if (setup.personal) {
        const filled = setup.personal.fill(row);
        if (typeof filled !== 'string') {
          planned.status = 'personalization_error';
          planned.reason = failureMessage(row, filled);
          return planned;
        }
        text = filled;
      }
      const count = this.#constant ?? this.#count(text);
      planned.encoding = count.encoding;
      planned.segments = count.segments;
      planned.text = text;
    }
    return planned;
  }
}

/** A price per part by country, from `--prices` (`country,price`; a header is optional). */
export function readPrices(path: string): Map<string, number> {
  let records: string[][];
  try {
    records = parse(readFileSync(path, 'utf8'), { relax_column_count: true, trim: true, skip_empty_lines: true, bom: true });
  } catch (error) {
    throw new CliError(`--prices ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 2);
  }
  const prices = new Map<string, number>();
  records.forEach((record, i) => {
    const [country = '', price = ''] = record;
    if (i === 0 && /^country/i.test(country) && !/^\d/.test(price)) return;
    const value = Number(price);
    if (!/^[A-Za-z]{2}$/.test(country) || price === '' || !Number.isFinite(value) || value < 0) {
      throw new CliError(`--prices ${path} line ${i + 1}: expected "country,price per part" (an ISO 3166 code and a number ≥ 0), got "${record.join(',')}"`, 2);
    }
    const code = country.toUpperCase();
    if (prices.has(code)) throw new CliError(`--prices ${path} line ${i + 1}: ${code} is priced twice`, 2);
    prices.set(code, value);
  });
  return prices;
}

interface EstimateGroup {
  text: string;
  segments: number;
  batch: string[];
  costs: number[];
  parts: number[];
  next: number;
}

/**
 * The vendor's free estimate (SMS.CX POST /sms/estimate) for every row to send. The endpoint takes
 * one text per request; rows are grouped by their part count and each group is priced with the
 * first text of that count, because the vendor bills a part count, not a text
 * (billing.credits: cost per part × parts). A vendor part count that differs from the plan's is
 * counted and the vendor's figure is used.
 */
export class Estimates {
  readonly #groups = new Map<number, EstimateGroup>();
  requests = 0;
  /** Rows whose part count at the vendor differs from the plan's. */
  disagreements = 0;
  /** Rows the vendor did not price (e.g. NO COVERAGE). */
  unpriced = 0;

  constructor(
    readonly sender: CampaignSender,
    readonly message: Omit<CampaignMessage, 'text'>,
  ) {}

  async add(row: PlannedRow): Promise<void> {
    let group = this.#groups.get(row.segments!);
    if (!group) this.#groups.set(row.segments!, (group = { text: row.text!, segments: row.segments!, batch: [], costs: [], parts: [], next: 0 }));
    group.batch.push(row.e164!);
    if (group.batch.length >= this.sender.maxRecipients) await this.#flush(group);
  }

  async finish(): Promise<void> {
    for (const group of this.#groups.values()) if (group.batch.length > 0) await this.#flush(group);
  }

  async #flush(group: EstimateGroup): Promise<void> {
    const batch = group.batch;
    group.batch = [];
    this.requests++;
    const answer = await this.sender.estimate!(batch, { ...this.message, text: group.text });
    const byTo = new Map(answer.recipients.map((r) => [r.to, r]));
    for (const to of batch) {
      const priced = byTo.get(to);
      group.costs.push(priced ? priced.cost : Number.NaN);
      group.parts.push(priced ? priced.parts : Number.NaN);
    }
  }

  /** The row's cost, in the order the rows were added (a second pass over the same rows). */
  costOf(row: PlannedRow): number | undefined {
    const group = this.#groups.get(row.segments!);
    if (!group) return undefined;
    const at = group.next++;
    const cost = group.costs[at];
    const parts = group.parts[at];
    if (cost === undefined || Number.isNaN(cost)) {
      this.unpriced++;
      return undefined;
    }
    if (parts !== row.segments) this.disagreements++;
    return cost;
  }
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

export interface CountryTotal {
  country: string;
  recipients: number;
  segments: number;
  cost: number | null;
}

/** Totals per country and overall; a cost is null where a row of it has no known cost. */
export class PlanTotals {
  readonly counts: Record<PlanStatus, number> = { send: 0, invalid: 0, duplicate: 0, landline: 0, country_not_allowed: 0, personalization_error: 0 };
  rows = 0;
  segments = 0;
  cost: number | null = 0;
  readonly #countries = new Map<string, CountryTotal>();

  add(row: PlannedRow): void {
    this.rows++;
    this.counts[row.status]++;
    if (row.status !== 'send') return;
    const key = row.country ?? '??';
    let c = this.#countries.get(key);
    if (!c) this.#countries.set(key, (c = { country: key, recipients: 0, segments: 0, cost: 0 }));
    c.recipients++;
    c.segments += row.segments!;
    this.segments += row.segments!;
    c.cost = row.cost === undefined || c.cost === null ? null : c.cost + row.cost;
    this.cost = row.cost === undefined || this.cost === null ? null : this.cost + row.cost;
  }

  countries(): CountryTotal[] {
    return [...this.#countries.values()].sort((a, b) => a.country.localeCompare(b.country)).map((c) => ({ ...c, cost: c.cost === null ? null : round(c.cost) }));
  }

  overall() {
    return { rows: this.rows, ...this.counts, segments: this.segments, cost: this.cost === null ? null : round(this.cost) };
  }
}
