/**
 * Personalized texts: `Hi {name}, your code is {code}` filled from a row's columns.
 *
 * Syntax: `{column}` is a placeholder (the column's name as written in the header, without
 * surrounding spaces); `\{`, `\}` and `\\` are a literal `{`, `}` and `\`; a backslash before any
 * other character is itself. Braces are escaped with a backslash rather than by doubling them
 * (`{{`), because doubling would silently turn a vendor's own placeholders (SMS.CX `{{optoutLink}}`)
 * into `{optoutLink}`: here they are a syntax error that says how to write them.
 *
 * A template is compiled once (`compileTemplate`), bound once to a file's columns (`bind`), then
 * filled per row by concatenating its literal parts and the row's cells: no parsing, no regular
 * expression and no allocation besides the text itself, so millions of rows cost little more than
 * reading them.
 */
import { v5 as uuidv5 } from 'uuid';
import { ValidationError, type ValidationIssue } from '../errors';
import { messageFor } from '../rules/messages';

/**
 * The namespace of template digests (a fixed, random UUID of msgkit's own). The syntax version is
 * hashed with the source: a future syntax that read the same source differently gets other digests.
 */
export const TEMPLATE_DIGEST_NAMESPACE = 'c0a6f7e4-2b9d-4e31-8f5a-7d1e9b3c6a24';
const SYNTAX_VERSION = 'msgkit-template/1';

/** Why a row cannot be filled. */
export type TemplateFailureCode = 'template_unknown_column' | 'template_empty_value';

/** Why a row cannot be filled, as data: {@link BoundTemplate.fill} returns it instead of throwing. */
export interface TemplateFailure {
  /** `template_unknown_column`: the file has no such column; `template_empty_value`: the row's cell is missing or empty. */
  code: TemplateFailureCode;
  /** The placeholder's column. */
  column: string;
}

/** A template failure of one row (or of the header, for a column the file does not have). */
export class TemplateError extends ValidationError {
  constructor(
    readonly failure: TemplateFailure,
    /** The row (its line in the file, or its index), when there is one. */
    readonly row: number | undefined,
  ) {
    const where = row === undefined ? '' : `row ${row}: `;
    const issue: ValidationIssue = {
      path: row === undefined ? ['template', failure.column] : ['rows', row, failure.column],
      code: failure.code,
      message: `${where}${messageFor(failure.code, { column: failure.column })}`,
    };
    super([issue], issue.message);
  }
}

/** A template bound to one file's columns by {@link CompiledTemplate.bind}: fills rows given as arrays of cells. */
export interface BoundTemplate {
  /** The cell index of each placeholder, in the order they appear. */
  readonly cells: readonly number[];
  /**
   * The text of a row, or why it cannot be had: a missing or empty cell. Never throws; for loops
   * over many rows, where a failure is data.
   */
  fill(cells: readonly string[]): string | TemplateFailure;
  /** The text of a row; a `TemplateError` naming the column and `row` when a cell is missing or empty. */
  render(cells: readonly string[], row?: number): string;
}

/**
 * A template compiled by {@link compileTemplate}: parsed once, then bound to a file's columns or
 * rendered from a record of values.
 */
export interface CompiledTemplate {
  /** The template as written. */
  readonly source: string;
  /** The distinct placeholder names, in order of first appearance. */
  readonly placeholders: readonly string[];
  /**
   * A digest of the template (a name-based UUID, SHA-1, of the syntax version and the source): equal
   * for equal sources, different for any change, for binding a journal or a batch key to the template.
   */
  readonly digest: string;
  /** True when the text has no placeholder: every row gets the same text (`render({})`). */
  readonly constant: boolean;
  /**
   * Binds the placeholders to the columns of a file, by name; a placeholder naming no column is a
   * `TemplateError` (no row: the header). Done once per file, not per row.
   */
  bind(columns: readonly string[]): BoundTemplate;
  /** The text for one record of values; a `TemplateError` for a missing or empty value. */
  render(values: Readonly<Record<string, unknown>>, row?: number): string;
}

interface Parsed {
  /** Literal parts: always one more than the slots. */
  literals: string[];
  /** The placeholder name of each slot. */
  slots: string[];
}

function syntaxError(source: string, at: number, message: string): ValidationError {
  return new ValidationError([{ path: ['template', at], code: 'template_syntax', message: messageFor('template_syntax', { at: at + 1, why: message, near: source.slice(Math.max(0, at - 10), at + 10) }) }]);
}

function parse(source: string): Parsed {
  const literals: string[] = [];
  const slots: string[] = [];
  let literal = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === '{' || next === '}' || next === '\\') {
        literal += next;
        i++;
      } else literal += c;
    } else if (c === '{') {
      const end = source.indexOf('}', i + 1);
      const open = source.indexOf('{', i + 1);
      if (end < 0) throw syntaxError(source, i, 'a placeholder is opened and never closed (write \\{ for a literal brace)');
      if (open >= 0 && open < end) throw syntaxError(source, open, 'a placeholder name cannot hold "{" (write \\{ for a literal brace, \\{\\{…\\}\\} for a vendor\'s own {{…}} placeholder)');
      const name = source.slice(i + 1, end).trim();
      if (name === '') throw syntaxError(source, i, 'an empty placeholder {} names no column (write \\{\\} for literal braces)');
      literals.push(literal);
      slots.push(name);
      literal = '';
      i = end;
    } else if (c === '}') {
      throw syntaxError(source, i, 'a "}" closes no placeholder (write \\} for a literal brace)');
    } else literal += c;
  }
  literals.push(literal);
  return { literals, slots };
}

/** Concatenates literals and values: the one loop every row goes through. */
function join(literals: readonly string[], values: readonly string[]): string {
  let out = literals[0]!;
  for (let i = 0; i < values.length; i++) out += values[i]! + literals[i + 1]!;
  return out;
}

/**
 * Compiles `source` once; a syntax error (an unclosed or stray brace, an empty placeholder) is a
 * `ValidationError` (`template_syntax`) naming the position.
 */
export function compileTemplate(source: string): CompiledTemplate {
  if (typeof source !== 'string') throw new ValidationError([{ path: ['template'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a string' }) }]);
  const { literals, slots } = parse(source);
  const placeholders = [...new Set(slots)];
  const digest = uuidv5(`${SYNTAX_VERSION}\u0000${source}`, TEMPLATE_DIGEST_NAMESPACE);
  const constant = slots.length === 0;
  const text = constant ? literals[0]! : undefined;

  const bind = (columns: readonly string[]): BoundTemplate => {
    const index = new Map<string, number>();
    // The first of two equally named columns wins, as a reader of the header would take it.
    columns.forEach((name, i) => {
      const key = name.trim();
      if (!index.has(key)) index.set(key, i);
    });
    for (const name of placeholders) if (!index.has(name)) throw new TemplateError({ code: 'template_unknown_column', column: name }, undefined);
    const cells = slots.map((name) => index.get(name)!);
    const count = cells.length;
    const values: string[] = new Array<string>(count);
    const fill = (row: readonly string[]): string | TemplateFailure => {
      if (text !== undefined) return text;
      for (let i = 0; i < count; i++) {
        const value = row[cells[i]!];
        if (value === undefined || value === '') return { code: 'template_empty_value', column: slots[i]! };
        values[i] = value;
      }
      return join(literals, values);
    };
    return {
      cells,
      fill,
      render(row, at) {
        const result = fill(row);
        if (typeof result !== 'string') throw new TemplateError(result, at);
        return result;
      },
    };
  };

  const render = (record: Readonly<Record<string, unknown>>, row?: number): string => {
    if (text !== undefined) return text;
    if (typeof record !== 'object' || record === null) throw new ValidationError([{ path: ['values'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'an object of column values' }) }]);
    const values = slots.map((name) => {
      if (!Object.prototype.hasOwnProperty.call(record, name)) throw new TemplateError({ code: 'template_unknown_column', column: name }, row);
      const value = record[name];
      if (value === undefined || value === null || value === '') throw new TemplateError({ code: 'template_empty_value', column: name }, row);
      if (typeof value === 'string') return value;
      if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return String(value);
      throw new ValidationError([{ path: row === undefined ? [name] : ['rows', row, name], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a string or a finite number' }) }]);
    });
    return join(literals, values);
  };

  return { source, placeholders, digest, constant, bind, render };
}

/** Fills `template` (a source or a compiled template) from one record of values. */
export function renderTemplate(template: string | CompiledTemplate, values: Readonly<Record<string, unknown>>, options: { row?: number } = {}): string {
  return (typeof template === 'string' ? compileTemplate(template) : template).render(values, options.row);
}
