/**
 * Personalized texts for `msgkit send` and `msgkit plan`: `--text 'Hi {name}'` is compiled once with
 * core's compileTemplate, bound once to the recipients file's header, and filled per row. Rows that
 * cannot be filled are found by a pass over the whole file before anything is sent.
 */
import { createHash } from 'node:crypto';
import { compileTemplate, TemplateError, ValidationError, type BoundTemplate, type CompiledTemplate, type TemplateFailure } from '@msgkit/core';
import { CliError } from './io';
import type { RecipientsFile, Row } from './recipients';

export interface Personalization {
  template: CompiledTemplate;
  bound: BoundTemplate;
  /** The row's own text, or why it has none. */
  fill(row: Row): string | TemplateFailure;
}

/**
 * The personalization of `text` for this input, or undefined when the text has no placeholder (every
 * row gets it as written). A syntax error, a placeholder naming no column, or placeholders with
 * `--to` numbers (which have no columns) are usage errors.
 */
export function personalization(text: string, file: RecipientsFile | undefined, args: readonly string[]): Personalization | undefined {
  let template: CompiledTemplate;
  try {
    template = compileTemplate(text);
  } catch (error) {
    if (error instanceof ValidationError) throw new CliError(`--text ${error.issues[0]!.message}`, 2);
    throw error;
  }
  if (template.constant) return undefined;
  const names = template.placeholders.map((p) => `{${p}}`).join(', ');
  if (args.length > 0 || !file) throw new CliError(`--text has placeholders (${names}): they are filled from the columns of --to-file, and --to numbers have no columns`, 2);
  let bound: BoundTemplate;
  try {
    bound = template.bind(file.layout.columns);
  } catch (error) {
    if (error instanceof TemplateError) throw new CliError(`--text: ${error.message}; columns found: ${file.layout.columns.join(', ')}`, 2);
    throw error;
  }
  return { template, bound, fill: (row) => bound.fill(row.cells ?? []) };
}

export const failureMessage = (row: Row, failure: TemplateFailure): string => new TemplateError(failure, row.row).issues[0]!.message;

export interface PersonalizationCheck {
  rows: number;
  /** The first failures, in file order. */
  failures: Array<{ row: Row; failure: TemplateFailure }>;
  failed: number;
  /** sha256 of every row's line and text, in order: what a journal binds the campaign to. */
  digest: string;
}

/** Fills every row of the file once, sending nothing: which rows cannot be filled, and a digest of all the texts. */
export async function checkPersonalization(file: RecipientsFile, p: Personalization, keep = 20): Promise<PersonalizationCheck> {
  const hash = createHash('sha256').update(`${p.template.digest}\n`);
  const check: PersonalizationCheck = { rows: 0, failures: [], failed: 0, digest: '' };
  for await (const batch of file.batches()) {
    for (const row of batch) {
      check.rows++;
      const text = p.fill(row);
      if (typeof text === 'string') hash.update(`${row.row}\u0000${text}\u0001`);
      else {
        check.failed++;
        if (check.failures.length < keep) check.failures.push({ row, failure: text });
      }
    }
  }
  check.digest = hash.digest('hex');
  return check;
}
