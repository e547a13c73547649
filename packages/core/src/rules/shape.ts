/**
 * Request-shape checks generated from the specs. tools/generate/checks.mjs turns every request
 * schema of a vendor's spec into a data table (a `ShapeNode` per schema, in the generated models'
 * property names) and `checkShape` reads it: one small walker instead of generated code, so a spec
 * change is a check change at the cost of a few bytes of data per constraint.
 *
 * The issue codes are msgkit's (one per constraint keyword, below); a provider's rules.ts maps a
 * field and keyword to the vendor's own code (`SpecCodes`), because vendor codes live in the
 * provider package, not in the spec (DESIGN.md: "A vendor fact lives once").
 */
import type { ValidationIssue } from '../errors';
import type { IssueCode, VendorCode } from './codes';
import { MAX_LIST_LENGTH } from './lists';
import { messageFor, type IssueParams } from './messages';
import { readError } from './rule';

/** A schema's `type`, as OpenAPI 3.0 writes it; a value of another type breaks the `type` keyword. */
export type ShapeType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
/** The formats a check enforces; others are descriptive and not checked. */
export type ShapeFormat = 'int32' | 'int64' | 'float' | 'double' | 'uuid' | 'uri' | 'email';

/** One schema's constraints, as OpenAPI 3.0 writes them; property names are the generated model's. */
export interface ShapeNode {
  type?: ShapeType;
  nullable?: boolean;
  format?: ShapeFormat;
  enum?: readonly unknown[];
  pattern?: RegExp;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minItems?: number;
  maxItems?: number;
  required?: readonly string[];
  properties?: { readonly [name: string]: ShapeNode | undefined };
  additionalProperties?: ShapeNode;
  items?: ShapeNode;
}

type ShapeBase = Omit<ShapeNode, 'properties' | 'items' | 'required' | 'additionalProperties'>;
/**
 * A ShapeNode whose property names are checked against the generated model `T` at compile time:
 * the generated checks name their fields as the generated models do, and `tsc` proves it.
 */
export type Shape<T = unknown> = unknown extends T
  ? ShapeNode
  : NonNullable<T> extends ReadonlyArray<infer E>
    ? ShapeBase & { items?: Shape<E> }
    : NonNullable<T> extends string | number | boolean | bigint | Date
      ? ShapeBase
      : ShapeBase & {
          required?: ReadonlyArray<keyof NonNullable<T> & string>;
          properties?: { [K in keyof NonNullable<T>]?: Shape<NonNullable<T>[K]> };
          additionalProperties?: ShapeNode;
        };

/** What one operation's request is checked against: its body and its path and query parameters. */
export interface OperationShape {
  body?: ShapeNode;
  params?: ShapeNode;
}

/** The constraint keywords a check enforces: what a {@link SpecCodes} entry maps to a vendor's code, per field. */
export type ShapeKeyword =
  | 'required'
  | 'type'
  | 'format'
  | 'enum'
  | 'pattern'
  | 'minLength'
  | 'maxLength'
  | 'minimum'
  | 'maximum'
  | 'minItems'
  | 'maxItems';

/** The code an issue gets: a vendor code alone, or msgkit's own code (and prose parameters) too. */
export type SpecCode = VendorCode | { code?: IssueCode | VendorIssueCode; vendorCode?: VendorCode; params?: IssueParams };
/** A provider's own issue code (e.g. Octopush `invalid_country`); its prose is `invalid`'s, from the params. */
type VendorIssueCode = string & { readonly vendorIssueCode?: never };

/**
 * A provider's vendor codes for what its spec constrains. `fields` is keyed by the field's path in
 * model names, with `[]` for the items of a list (`strategy[].channel`); `any` applies to every
 * keyword of that field. `vendorCode` is the code of every issue the table does not name.
 */
export interface SpecCodes {
  vendorCode?: VendorCode;
  fields?: { readonly [path: string]: Partial<Record<ShapeKeyword | 'any', SpecCode>> };
}

type Path = (string | number)[];

interface Walk {
  codes: SpecCodes | undefined;
  issues: ValidationIssue[];
}

/** Every constraint of `shape` that `value` breaks, at most one per field, with the vendor's codes. */
export function checkShape(shape: ShapeNode, value: unknown, codes?: SpecCodes): ValidationIssue[] {
  const walk: Walk = { codes, issues: [] };
  const path: Path = [];
  try {
    if (value === undefined || value === null) fail(walk, path, 'required', {}, 'required');
    else node(walk, shape, value, path);
  } catch (error) {
    walk.issues.push({ path: [...path], code: 'unreadable', message: messageFor('unreadable', { reason: readError(error) }) });
  }
  return walk.issues;
}

/** `path` as the key of SpecCodes.fields: `strategy[].channel`. */
export function shapePathKey(path: readonly (string | number)[]): string {
  let key = '';
  for (const segment of path) key += typeof segment === 'number' ? '[]' : key === '' ? segment : `.${segment}`;
  return key;
}

function fail(walk: Walk, path: Path, keyword: ShapeKeyword, params: IssueParams, code: IssueCode | VendorIssueCode): void {
  const field = walk.codes?.fields?.[shapePathKey(path)];
  const entry = field?.[keyword] ?? field?.any;
  let vendorCode = walk.codes?.vendorCode;
  if (typeof entry === 'object') {
    if (entry.code !== undefined) code = entry.code;
    if (entry.vendorCode !== undefined) vendorCode = entry.vendorCode;
    if (entry.params !== undefined) params = { ...params, ...entry.params };
  } else if (entry !== undefined) vendorCode = entry;
  const issue: ValidationIssue = { path: [...path], code, message: messageFor(code as IssueCode, params) };
  walk.issues.push(vendorCode === undefined ? issue : { ...issue, vendorCode });
}

const EXPECTED: Record<ShapeType, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

const INT32 = 2 ** 31;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isType(type: ShapeType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

/** The failed format's issue, or undefined; formats of another type than the value's are not looked at. */
function formatIssue(format: ShapeFormat, value: unknown): [IssueCode, IssueParams] | undefined {
  switch (format) {
    case 'int32':
      return typeof value === 'number' && (value < -INT32 || value >= INT32) ? ['invalid_type', { expected: `a whole number from ${-INT32} to ${INT32 - 1} (int32)` }] : undefined;
    case 'int64':
      return typeof value === 'number' && !Number.isSafeInteger(value) ? ['invalid_type', { expected: 'a whole number within ±(2^53 − 1), which JavaScript holds exactly' }] : undefined;
    case 'uuid':
      return typeof value === 'string' && !UUID.test(value) ? ['uuid_invalid', { shape: true }] : undefined;
    case 'uri':
      return typeof value === 'string' && !isAbsoluteUri(value) ? ['url_invalid', {}] : undefined;
    case 'email':
      return typeof value === 'string' && !EMAIL.test(value) ? ['invalid', { expected: 'an e-mail address' }] : undefined;
    default:
      return undefined;
  }
}

function isAbsoluteUri(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** Code points, counting no further than `stop + 1` when a limit is known (long texts stay cheap). */
export function codePoints(text: string, stop = Number.POSITIVE_INFINITY): number {
  let count = 0;
  for (let i = 0; i < text.length && count <= stop; i++, count++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return count;
}

/** Checks one present, non-null value; the first constraint it breaks is its one issue. */
function node(walk: Walk, shape: ShapeNode, value: unknown, path: Path): void {
  if (shape.type !== undefined && !isType(shape.type, value)) return fail(walk, path, 'type', { expected: EXPECTED[shape.type] }, 'invalid_type');
  if (shape.format !== undefined) {
    const found = formatIssue(shape.format, value);
    if (found) return fail(walk, path, 'format', found[1], found[0]);
  }
  if (shape.enum !== undefined && !shape.enum.includes(value)) return fail(walk, path, 'enum', { allowed: shape.enum }, 'invalid');
  if (typeof value === 'string') {
    if (!text(walk, shape, value, path)) return;
  } else if (typeof value === 'number') {
    if (!range(walk, shape, value, path)) return;
  } else if (Array.isArray(value)) list(walk, shape, value, path);
  else if (typeof value === 'object' && value !== null) object(walk, shape, value as Record<string, unknown>, path);
}

function text(walk: Walk, shape: ShapeNode, value: string, path: Path): boolean {
  // value.length counts UTF-16 units, never fewer than code points: count only when it matters.
  if (shape.minLength !== undefined && value.length < shape.minLength * 2 && codePoints(value, shape.minLength) < shape.minLength) {
    fail(walk, path, 'minLength', { min: shape.minLength, length: codePoints(value, Infinity) }, value === '' ? 'text_empty' : 'too_short');
    return false;
  }
  if (shape.maxLength !== undefined && value.length > shape.maxLength && codePoints(value, shape.maxLength) > shape.maxLength) {
    fail(walk, path, 'maxLength', { max: shape.maxLength, length: codePoints(value, Infinity) }, 'text_too_long');
    return false;
  }
  if (shape.pattern !== undefined && !shape.pattern.test(value)) {
    fail(walk, path, 'pattern', { pattern: shape.pattern.source }, 'invalid');
    return false;
  }
  return true;
}

function range(walk: Walk, shape: ShapeNode, value: number, path: Path): boolean {
  const { minimum, maximum } = shape;
  if (minimum !== undefined && (shape.exclusiveMinimum ? value <= minimum : value < minimum)) {
    fail(walk, path, 'minimum', { min: minimum, exclusive: shape.exclusiveMinimum === true, value }, 'too_small');
    return false;
  }
  if (maximum !== undefined && (shape.exclusiveMaximum ? value >= maximum : value > maximum)) {
    fail(walk, path, 'maximum', { max: maximum, exclusive: shape.exclusiveMaximum === true, value }, 'too_big');
    return false;
  }
  return true;
}

function list(walk: Walk, shape: ShapeNode, value: unknown[], path: Path): void {
  if (value.length > MAX_LIST_LENGTH) return fail(walk, path, 'maxItems', { max: MAX_LIST_LENGTH, length: value.length }, 'too_long');
  if (shape.minItems !== undefined && value.length < shape.minItems) fail(walk, path, 'minItems', { min: shape.minItems, count: value.length }, 'too_few_items');
  else if (shape.maxItems !== undefined && value.length > shape.maxItems) fail(walk, path, 'maxItems', { max: shape.maxItems, count: value.length }, 'too_many_items');
  const items = shape.items;
  if (items === undefined) return;
  for (let index = 0; index < value.length; index++) {
    path.push(index);
    present(walk, items, value[index], path, false);
    path.pop();
  }
}

/** An object schema as `object` walks it: its properties in order, and what `required` adds. */
interface ObjectPlan {
  /** Each property with a schema, in the shape's order, and whether it is required. */
  properties: Array<{ name: string; node: ShapeNode; required: boolean }>;
  /** Required names the properties give no schema for: only their presence is checked. */
  requiredOnly: string[];
}

// Shapes are constant tables (generated, or written once): each is read into a plan on first use.
const plans = new WeakMap<ShapeNode, ObjectPlan>();

function planOf(shape: ShapeNode): ObjectPlan {
  let plan = plans.get(shape);
  if (plan === undefined) {
    const { properties, required } = shape;
    plan = { properties: [], requiredOnly: [] };
    for (const name of required ?? []) if (properties?.[name] === undefined) plan.requiredOnly.push(name);
    for (const name in properties) {
      const node = properties[name];
      if (node !== undefined) plan.properties.push({ name, node, required: required !== undefined && required.includes(name) });
    }
    plans.set(shape, plan);
  }
  return plan;
}

function object(walk: Walk, shape: ShapeNode, value: Record<string, unknown>, path: Path): void {
  const plan = planOf(shape);
  for (const name of plan.requiredOnly) {
    const item = value[name];
    if (item === undefined || item === null) {
      path.push(name);
      fail(walk, path, 'required', {}, 'required');
      path.pop();
    }
  }
  for (const property of plan.properties) {
    path.push(property.name);
    // Read at its own path, where a getter that throws is reported.
    const item = value[property.name];
    if (item !== undefined || property.required) present(walk, property.node, item, path, property.required);
    path.pop();
  }
  const extra = shape.additionalProperties;
  if (extra !== undefined) {
    const { properties } = shape;
    for (const name of Object.keys(value)) {
      if (properties !== undefined && Object.prototype.hasOwnProperty.call(properties, name)) continue;
      path.push(name);
      present(walk, extra, value[name], path, false);
      path.pop();
    }
  }
}

/** A property or item: absent is fine unless required; `null` only where the spec says nullable. */
function present(walk: Walk, shape: ShapeNode, value: unknown, path: Path, required: boolean): void {
  if (value === undefined) {
    if (required) fail(walk, path, 'required', {}, 'required');
  } else if (value === null) {
    if (required && !shape.nullable) fail(walk, path, 'required', {}, 'required');
    else if (!shape.nullable) fail(walk, path, 'type', { expected: shape.type === undefined ? 'a value' : EXPECTED[shape.type] }, 'invalid_type');
  } else node(walk, shape, value, path);
}

const samePath = (a: readonly (string | number)[], b: readonly (string | number)[]) => a.length === b.length && a.every((segment, i) => segment === b[i]);

/**
 * One request's issues: the generated check's and the hand-written rules'. A hand rule that reports
 * at a field the generated check refused replaces that issue: it reads the same field in the
 * vendor's own terms (a sender's kind, a text's parts, a date's meaning), so the caller gets one
 * account of each mistake. `explanations` only reword: each replaces a generated issue at its
 * field and is dropped where the spec refused nothing (they say why, they never refuse more).
 * The hand rules' issues keep their order; each other one goes right after the last issue that
 * precedes it: fields in the order of `shape` (the spec's, as the vendor documents them), a list
 * before its items, items by index.
 */
export function mergeIssues(
  shaped: readonly ValidationIssue[],
  hand: readonly ValidationIssue[],
  shape?: ShapeNode,
  explanations: readonly ValidationIssue[] = [],
): ValidationIssue[] {
  if (shaped.length === 0) return [...hand];
  const merged = [...hand];
  for (const issue of shaped) {
    if (hand.some((other) => samePath(other.path, issue.path))) continue;
    const reworded = explanations.filter((other) => samePath(other.path, issue.path));
    let after = merged.length - 1;
    while (after >= 0 && precedes(merged[after]!.path, issue.path, shape) > 0) after--;
    merged.splice(after + 1, 0, ...(reworded.length > 0 ? reworded : [issue]));
  }
  return merged;
}

/** Negative when `a` comes first, positive when `b` does, 0 when the shape does not say. */
function precedes(a: readonly (string | number)[], b: readonly (string | number)[], shape: ShapeNode | undefined): number {
  let node = shape;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (x === y) {
      node = typeof x === 'number' ? node?.items : node?.properties?.[x];
      continue;
    }
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    const fields = Object.keys(node?.properties ?? {});
    const [ia, ib] = [fields.indexOf(String(x)), fields.indexOf(String(y))];
    return ia < 0 || ib < 0 ? 0 : ia - ib;
  }
  return a.length - b.length;
}
