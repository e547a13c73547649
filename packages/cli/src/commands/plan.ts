import { closeSync, openSync, writeSync } from 'node:fs';
import { MissingCredentialsError, NATIONAL_LANGUAGES, type CampaignSender, type NationalLanguage, type SenderBalance, type SenderFactory, type SmsBilling } from '@msgkit/core';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { knownCountry } from '../classify';
import { describeError } from '../errors';
import { CliError, line, type Io } from '../io';
import { personalization } from '../personalize';
import { Estimates, Planner, PlanTotals, readPrices, type PlannedRow } from '../plan';
import { openRecipientsFile, type RecipientsFile } from '../recipients';
import { renderTable } from '../table';
import { progressLine, readSoFar } from './shared';

interface PlanOptions {
  provider: string;
  text: string;
  from?: string;
  type?: string;
  column?: string;
  country?: string;
  allowLandline?: boolean;
  countries?: string;
  language?: string;
  prices?: string;
  baseUrl?: string;
  json?: boolean;
  csv?: string;
}

type Vendor = { factory: SenderFactory; billing: SmsBilling };
const VENDORS: Record<string, () => Promise<Vendor>> = {
  smscx: async () => import('@msgkit/smscx').then((m) => ({ factory: m.smscxSenderFactory, billing: m.billing })),
  smsworks: async () => import('@msgkit/smsworks').then((m) => ({ factory: m.smsworksSenderFactory, billing: m.billing })),
  octopush: async () => import('@msgkit/octopush').then((m) => ({ factory: m.octopushSenderFactory, billing: m.billing })),
  infobip: async () => import('@msgkit/infobip').then((m) => ({ factory: m.infobipSenderFactory, billing: m.billing })),
};

/** Per-row tables beyond this many rows go to --csv or --json instead of the terminal. */
const TABLE_ROWS = 100;
const COLUMNS = ['row', 'input', 'e164', 'country', 'status', 'reason', 'vendor', 'encoding', 'segments', 'cost'] as const;
const NEEDS_QUOTES = /[",\r\n]/;
const csvCell = (v: unknown) => {
  const s = v === undefined || v === null ? '' : String(v);
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const round = (n: number) => Math.round(n * 1e6) / 1e6;
/** The keys --json prints of a row (its text stays out). */
const JSON_KEYS: string[] = [...COLUMNS];
const csvLine = (r: PlannedRow) =>
  `${r.row},${csvCell(r.input)},${r.e164 ?? ''},${r.country ?? ''},${r.status},${csvCell(r.reason)},${r.vendor},${r.encoding ?? ''},${r.segments ?? ''},${r.cost ?? ''}\n`;

/** Where the per-row plan is written as it is made: stdout awaited on backpressure, a file synchronously. */
function sink(io: Io, path: string | undefined): { write(s: string): Promise<void>; close(): void } {
  if (path === undefined || path === '-') {
    return {
      write: (s) => (io.stdout.write(s) ? Promise.resolve() : new Promise((resolve) => io.stdout.once('drain', () => resolve()))),
      close: () => {},
    };
  }
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    throw new CliError(`--csv ${path} cannot be written: ${(error as NodeJS.ErrnoException).code ?? 'unwritable'}`, 2);
  }
  return { write: async (s) => void writeSync(fd, s), close: () => closeSync(fd) };
}

function progressOf(io: Io, file: RecipientsFile, label: string) {
  if (io.stderr.isTTY) {
    const bar = new SingleBar({ stream: io.stderr as NodeJS.WritableStream as never, format: `${label} [{bar}] {percentage}% | {rows} rows`, hideCursor: false }, undefined);
    bar.start(Math.max(1, file.size), 0, { rows: 0 });
    return { tick: (rows: number) => bar.update(file.bytesRead(), { rows }), stop: () => bar.stop() };
  }
  const say = progressLine(io);
  let rows = 0;
  const timer = setInterval(() => say(`${label}: ${readSoFar(rows, file)}`), 1000);
  timer.unref();
  return { tick: (n: number) => void (rows = n), stop: () => clearInterval(timer) };
}

export function planCommand(program: Command, io: Io): void {
  program
    .command('plan <file>')
    .description('before spending: for every row of a recipients file, whether it would be sent or why not, its vendor, encoding, parts and cost; totals per country; the balance. Sends nothing, pays nothing')
    .requiredOption('-p, --provider <name>', `one of ${Object.keys(VENDORS).join(', ')}`)
    .requiredOption('--text <text>', "the text, with {column} placeholders filled from the file's columns")
    .option('--from <sender>', 'the sender (SMS.CX estimates need it)')
    .option('--type <type>', 'octopush: sms_premium or sms_low_cost')
    .option('--column <name>', 'the phone column (a header name, or a 1-based number for a file without header)')
    .option('-c, --country <XX>', 'ISO 3166 country for numbers in national format (none is assumed otherwise)')
    .option('--allow-landline', 'plan landlines and other non-mobile numbers as sent')
    .option('--countries <XX,YY>', 'the only countries texts may go to (every country otherwise)')
    .option('--language <code>', `a national language table the vendor may use (${NATIONAL_LANGUAGES.join(', ')}); none otherwise`)
    .option('--prices <prices.csv>', 'price per part by country (country,price) where the vendor has no free estimate')
    .option('--base-url <url>', "the vendor API's base URL (e.g. the sandbox's)")
    .option('--json', 'print the plan as JSON: rows, countries, totals, balance, assumptions')
    .option('--csv <file>', 'write the per-row plan as CSV to <file> (- for stdout)')
    .action(async (path: string, options: PlanOptions) => {
      const load = VENDORS[options.provider];
      if (!load) throw new CliError(`unknown provider "${options.provider}"; use one of ${Object.keys(VENDORS).join(', ')}`, 2);
      if (options.json && options.csv === '-') throw new CliError('choose --json or --csv -', 2);
      const country = options.country?.toUpperCase();
      if (country !== undefined && !knownCountry(country)) throw new CliError(`--country ${options.country}: not an ISO 3166 country code msgkit knows`, 2);
      const countries = options.countries?.split(',').map((c) => c.trim().toUpperCase()).filter((c) => c !== '');
      for (const c of countries ?? []) if (!knownCountry(c)) throw new CliError(`--countries: ${c} is not an ISO 3166 country code msgkit knows`, 2);
      const language = options.language?.toLowerCase() as NationalLanguage | undefined;
      if (language !== undefined && !NATIONAL_LANGUAGES.includes(language)) throw new CliError(`--language ${options.language}: one of ${NATIONAL_LANGUAGES.join(', ')}`, 2);
      const prices = options.prices ? readPrices(options.prices) : undefined;
      const file = await openRecipientsFile(path, options.column);
      const personal = personalization(options.text, file, []);
      const { factory, billing } = await load();

      const assumptions: string[] = [];
      let sender: CampaignSender | undefined;
      try {
        sender = factory.fromEnv(io.env, options.baseUrl ? { baseUrl: options.baseUrl } : {});
      } catch (error) {
        if (!(error instanceof MissingCredentialsError)) throw error;
        assumptions.push(`${factory.name}: no balance and no estimate read (${error.message})`);
      }
      const vendor = factory.name;
      const message = { ...(options.from && { from: options.from }), ...(options.type && { options: { [vendor]: { type: options.type } } }) };
      const estimates = sender?.estimate && !prices ? new Estimates(sender, message) : undefined;
      const costSource = estimates
        ? `${vendor}'s own free estimate (POST /sms/estimate: nothing sent, nothing billed); rows grouped by part count, each group priced with the first text of that count, as ${vendor} bills parts (${billing.credits})`
        : prices
          ? `--prices ${options.prices}: price per part × parts, in that file's unit`
          : `none: ${vendor} has ${sender?.estimate ? 'an estimate, but no credentials were given' : 'no free estimate'}; give --prices <prices.csv> for costs`;
      assumptions.push(`parts counted as ${vendor} bills them (${billing.sources[0]})`);
      assumptions.push(countries ? `only --countries ${countries.join(',')}` : 'all countries allowed (no --countries)');
      assumptions.push(language ? `--language ${language}${billing.nationalLanguages[language] ? '' : `: ${vendor} documents no ${language} table, so it is not used`}` : 'no national language table (no --language)');
      assumptions.push(personal ? 'personalized: each row counted with its own text' : 'one text for every row');
      assumptions.push(`cost: ${costSource}`);

      const setup = { vendor, billing, ...(language && { language }), defaultCountry: country, allowLandline: options.allowLandline === true, ...(countries && { countries: new Set(countries) }), text: options.text, ...(personal && { personal }) };
      let balance: SenderBalance | undefined;
      let requests = 0;
      if (sender?.balance) {
        requests++;
        try {
          balance = await sender.balance();
        } catch (error) {
          assumptions.push(`balance: not read (${describeError(error)})`);
        }
      }

      if (estimates) {
        const progress = progressOf(io, file, 'estimating');
        const planner = new Planner(setup);
        let rows = 0;
        for await (const batch of file.batches()) {
          for (const row of batch) {
            const planned = planner.plan(row);
            if (planned.status === 'send') await estimates.add(planned);
          }
          progress.tick((rows += batch.length));
        }
        await estimates.finish();
        progress.stop();
        requests += estimates.requests;
      }

      const totals = new PlanTotals();
      const planner = new Planner(setup);
      const out = options.csv !== undefined ? sink(io, options.csv) : options.json ? sink(io, undefined) : undefined;
      const shown: PlannedRow[] = [];
      const unpriced = new Map<string, number>();
      if (options.csv !== undefined) await out!.write(`${COLUMNS.join(',')}\n`);
      else if (options.json) await out!.write(`{"vendor":${JSON.stringify(vendor)},"rows":[`);
      const progress = progressOf(io, file, 'planning');
      let first = true;
      for await (const batch of file.batches()) {
        let chunk = '';
        for (const row of batch) {
          const planned = planner.plan(row);
          if (planned.status === 'send') {
            const cost = estimates ? estimates.costOf(planned) : prices?.get(planned.country ?? '');
            if (cost !== undefined) planned.cost = estimates ? cost : round(cost * planned.segments!);
            else if (prices) unpriced.set(planned.country ?? '??', (unpriced.get(planned.country ?? '??') ?? 0) + 1);
          }
          totals.add(planned);
          if (options.csv !== undefined) chunk += csvLine(planned);
          else if (options.json) {
            chunk += `${first ? '' : ','}${JSON.stringify(planned, JSON_KEYS)}`;
            first = false;
          } else if (totals.rows <= TABLE_ROWS) shown.push(planned);
        }
        if (chunk) await out!.write(chunk);
        progress.tick(totals.rows);
      }
      progress.stop();
      if (options.csv !== undefined) out!.close();

      for (const [c, count] of unpriced) assumptions.push(`${c} has no price in ${options.prices}: its ${count} row(s) have no cost, and the total is not known`);
      if (estimates?.disagreements) assumptions.push(`${estimates.disagreements} row(s): ${vendor}'s estimate counts other parts than the plan; its cost is used`);
      if (estimates?.unpriced) assumptions.push(`${estimates.unpriced} row(s) not priced by ${vendor}'s estimate (e.g. no coverage)`);
      if (totals.counts.personalization_error > 0) {
        assumptions.push(`${totals.counts.personalization_error} row(s) cannot be personalized: msgkit send would refuse the whole campaign`);
        io.exitCode = 1;
      }
      const summary = { countries: totals.countries(), totals: totals.overall(), ...(balance && { balance }), costSource, assumptions, requests, paidRequests: 0 };
      if (options.json) {
        await out!.write(`],${JSON.stringify(summary).slice(1)}\n`);
        return;
      }
      const say = (text: string) => line(options.csv === '-' ? io.stderr : io.stdout, text);
      if (totals.rows <= TABLE_ROWS && shown.length > 0) say(renderTable([...COLUMNS], shown.map((r) => COLUMNS.map((c) => (r[c] === undefined ? '' : String(r[c]))))));
      else if (options.csv === undefined && totals.rows > TABLE_ROWS) say(`${totals.rows} rows: the per-row plan is in --csv <file> or --json`);
      const money = (v: number | null) => (v === null ? 'unknown' : String(v));
      say(renderTable(['country', 'recipients', 'segments', 'cost'], [...summary.countries.map((c) => [c.country, c.recipients, c.segments, money(c.cost)]), ['all', totals.counts.send, totals.segments, money(summary.totals.cost)]]));
      const t = totals.counts;
      say(`${totals.rows} rows: ${t.send} to send, ${t.invalid} invalid, ${t.duplicate} duplicate, ${t.landline} landline, ${t.country_not_allowed} country not allowed, ${t.personalization_error} personalization error`);
      if (balance) say(`balance: ${balance.amount} ${balance.unit}${balance.billing ? ` (${balance.billing})` : ''}`);
      for (const a of assumptions) say(`assumed: ${a}`);
      say(`requests: ${requests} to ${vendor} (balance and estimates), none of them paid`);
    });
}
