/**
 * `msgkit send --dry-run`: reads every row as a send would, checks the message for every provider
 * of the chain and the first batch with each provider's own client rules, names the credentials a
 * real send needs, and sends nothing (no credentials needed: the checks run on stand-ins).
 */
import { countSegments, ValidationError, type ValidationIssue } from '@msgkit/core';
import { SAMPLE_KEY, type ChainPlan } from '../chain';
import { Classifier } from '../classify';
import { describeError } from '../errors';
import { line, type Io } from '../io';
import { failureMessage, type Personalization } from '../personalize';
import type { RecipientsFile, Row } from '../recipients';
import type { SendOptions } from './send';
import { countryNote, landlineNote, progressLine, readSoFar, sourceBatches, summaryJson } from './shared';

interface DryRunContext {
  segments: ReturnType<typeof countSegments>;
  country: string | undefined;
  batchSize: number;
  /** A personalized text: each row counted with its own, the first row's checked for every provider. */
  personal?: Personalization;
}

const rowLabel = (row: Row) => (row.arg ? `arg ${row.row}` : String(row.row));

export async function dryRun(io: Io, options: SendOptions, plan: ChainPlan, file: RecipientsFile | undefined, c: DryRunContext): Promise<void> {
  const say = (text: string) => !options.json && line(io.stdout, text);
  const progress = progressLine(io);
  const classifier = new Classifier(c.country, { allowLandline: options.allowLandline === true });
  const { tally } = classifier;
  const firstBatch: string[] = [];
  const invalid: Array<{ row: string; input: string; code: string; type?: string }> = [];
  const perRow = { total: 0, min: Infinity, max: 0 };
  let message = plan.message;
  const timer = setInterval(() => progress(`reading: ${readSoFar(tally.rows, file)}`), 1000);
  timer.unref();
  for await (const batch of sourceBatches(options.to ?? [], file)) {
    for (const row of batch) {
      const r = classifier.classify(row);
      const text = c.personal?.fill(row);
      if (text !== undefined && typeof text !== 'string') {
        if (invalid.length < 20) invalid.push({ row: rowLabel(r), input: r.input, code: failureMessage(row, text) });
        tally.invalid++;
        if (r.status === 'valid') tally.valid--;
        continue;
      }
      if (r.status === 'valid' && text !== undefined) {
        const count = countSegments(text).segments;
        perRow.total += count;
        perRow.min = Math.min(perRow.min, count);
        perRow.max = Math.max(perRow.max, count);
        if (firstBatch.length === 0) message = { ...message, text };
      }
      if (r.status === 'valid' && firstBatch.length < (c.personal ? 1 : c.batchSize)) firstBatch.push(r.e164!);
      if (r.status === 'invalid' && invalid.length < 20) invalid.push({ row: rowLabel(r), input: r.input, code: r.code!, ...(r.type && { type: r.type }) });
    }
  }
  clearInterval(timer);
  progress(`reading: ${tally.rows} rows`);
  const names = plan.factories.map((f) => f.name);
  const missing = Object.entries(plan.missing).flatMap(([, groups]) => groups);
  say(`${names.join(' → ')}: ${tally.rows} inputs -> ${tally.valid} recipients (${tally.duplicates} duplicates, ${tally.invalid} invalid); ${countryNote(c.country, tally)}`);
  say(`numbers: ${landlineNote(tally, options.allowLandline)}`);
  if (c.personal) say(`text: personalized, each row counted with its own text: ${perRow.total} segments in all (${tally.valid > 0 ? `${perRow.min} to ${perRow.max}` : 'none'} per recipient); one request per recipient`);
  else say(`text: ${c.segments.encoding}, ${c.segments.units} units, ${c.segments.segments} segment(s) each, ${c.segments.segments * tally.valid} segments in all`);
  for (const bad of invalid) say(`  invalid row ${bad.row} "${bad.input}": ${bad.code}${bad.type ? ` (${bad.type})` : ''}`);
  if (tally.invalid > invalid.length) say(`  … and ${tally.invalid - invalid.length} more invalid`);
  if (missing.length > 0) say(`credentials: ${missing.join(' and ')} not set; a dry run needs none, a real send does`);
  if (tally.invalid > 0) io.exitCode = 1;
  const base = {
    ...summaryJson(names, tally, c.segments, c.personal ? { total: perRow.total, min: tally.valid > 0 ? perRow.min : 0, max: perRow.max } : undefined),
    invalidRows: invalid,
    missingCredentials: missing,
    dryRun: true,
  };
  // Every provider's rules for the message, then each one's client checks on the first batch: a
  // pre-aborted signal stops each client after its checks, before any request.
  const issues: Array<ValidationIssue & { sender: string }> = Object.entries(plan.issues).flatMap(([sender, list]) => list.map((i) => ({ sender, ...i })));
  if (issues.length === 0 && firstBatch.length > 0) {
    const key = options.journal ? { dedupeKey: SAMPLE_KEY, reference: SAMPLE_KEY } : {};
    for (const probe of plan.probes) {
      try {
        await probe.send(firstBatch, message, { ...key, ...(options.dlrUrl !== undefined && { callbackUrl: options.dlrUrl }), signal: AbortSignal.abort('dry run') });
      } catch (error) {
        if (error instanceof ValidationError) issues.push(...error.issues.map((i) => ({ sender: probe.name, ...i })));
        else if (!(error instanceof Error && (error.name === 'AbortError' || (error as { code?: unknown }).code === 'aborted'))) throw error;
      }
    }
  }
  if (issues.length > 0) {
    if (options.json) line(io.stdout, JSON.stringify({ ...base, valid: false, issues }));
    else for (const issue of issues) line(io.stderr, `${issue.sender}: ${describeError(new ValidationError([issue]))}`);
    io.exitCode = 1;
    return;
  }
  const batches = c.personal ? tally.valid : Math.ceil(tally.valid / c.batchSize);
  if (options.json) line(io.stdout, JSON.stringify({ ...base, valid: true, batches }));
  say(`dry run: valid for ${names.join(', ')}; would send ${batches} request(s) of up to ${c.personal ? 1 : c.batchSize} recipients${names.length > 1 ? ' to the first provider' : ''}. Nothing was sent.`);
}
