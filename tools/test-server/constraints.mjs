// Every constraint a spec puts on a request, and a request that breaks it, for the tests that prove
// each one is refused before the wire. Read from the spec itself, not from the generated checks: a
// constraint added to a spec and not regenerated is one this finds and no check enforces.
//
// A constraint is broken on top of a valid request (the operation's own example, or one assembled
// from the schema's examples and limits), at one place, and the refusal must name that place: a
// request refused for another reason proves nothing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { modelName } from '../generate/names.mjs';

/** The keywords whose every use is proved; `format` only where a format refuses something. */
const KEYWORDS = ['required', 'minLength', 'maxLength', 'minimum', 'maximum', 'enum', 'pattern', 'minItems', 'maxItems', 'format'];
/** Formats that say nothing a type does not (any finite number is a double). */
const DESCRIPTIVE_FORMATS = new Set(['double', 'float']);

function resolve(spec, node) {
  let current = node;
  for (let hops = 0; current && typeof current.$ref === 'string'; hops++) {
    if (hops > 20) throw new Error(`${node.$ref}: reference loop`);
    current = current.$ref.replace(/^#\//, '').split('/').reduce((at, key) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return current;
}

function* operations(spec) {
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (typeof operation?.operationId === 'string') yield { path, method, operation, shared: item.parameters ?? [] };
    }
  }
}

/**
 * Every constraint of every request of `spec`: `{ operationId, in: 'body' | 'params', path,
 * keyword, value, schema }`, `path` in the spec's own names with `[]` for a list's items.
 */
export function requestConstraints(spec) {
  const out = [];
  const walk = (schema, path, where, depth) => {
    const node = resolve(spec, schema);
    if (!node || typeof node !== 'object' || depth > 12) return;
    for (const keyword of KEYWORDS) {
      if (keyword === 'required' || node[keyword] === undefined) continue;
      if (keyword === 'format' && DESCRIPTIVE_FORMATS.has(node.format)) continue;
      out.push({ ...where, path, keyword, value: node[keyword], schema: node });
    }
    for (const name of node.required ?? []) out.push({ ...where, path: [...path, name], keyword: 'required', value: true, schema: resolve(spec, node.properties?.[name]) ?? {} });
    for (const [name, property] of Object.entries(node.properties ?? {})) walk(property, [...path, name], where, depth + 1);
    if (node.items) walk(node.items, [...path, '[]'], where, depth + 1);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties, [...path, '{}'], where, depth + 1);
  };
  for (const { operation, shared } of operations(spec)) {
    const operationId = operation.operationId;
    for (const parameter of [...shared, ...(operation.parameters ?? [])].map((p) => resolve(spec, p))) {
      if (parameter.in !== 'path' && parameter.in !== 'query') continue;
      const where = { operationId, in: 'params' };
      if (parameter.required || parameter.in === 'path') out.push({ ...where, path: [parameter.name], keyword: 'required', value: true, schema: resolve(spec, parameter.schema) });
      walk(parameter.schema, [parameter.name], where, 0);
    }
    const body = resolve(spec, operation.requestBody)?.content?.['application/json'];
    if (body) walk(body.schema, [], { operationId, in: 'body' }, 0);
  }
  return out;
}

/** Every example value the spec gives a property, by the property's name. */
function examplesByName(spec) {
  const out = new Map();
  const add = (name, value) => {
    if (value === undefined || value === null || typeof value === 'object') return;
    if (!out.has(name)) out.set(name, []);
    out.get(name).push(value);
  };
  const visit = (node, depth) => {
    if (!node || typeof node !== 'object' || depth > 40) return;
    if (Array.isArray(node)) return node.forEach((item) => visit(item, depth + 1));
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && value && typeof value === 'object') {
        for (const [name, property] of Object.entries(value)) add(name, property?.example);
      }
      if ((key === 'example' || key === 'value') && value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [name, item] of Object.entries(value)) add(name, item);
      }
      visit(value, depth + 1);
    }
  };
  visit(spec, 0);
  return out;
}

const borrowed = new WeakMap();
/** A value the spec shows for a property of this name elsewhere that keeps `node`'s constraints. */
function borrow(spec, name, node) {
  if (!borrowed.has(spec)) borrowed.set(spec, examplesByName(spec));
  const fits = (value) =>
    typeof value === 'string' &&
    (!node.pattern || new RegExp(node.pattern, 'u').test(value)) &&
    [...value].length >= (node.minLength ?? 0) &&
    [...value].length <= (node.maxLength ?? Infinity);
  return (borrowed.get(spec).get(name) ?? []).find(fits);
}

/** A value that keeps every constraint of `schema`, from its examples where it has them. */
function validValue(spec, schema, depth = 0, name = undefined) {
  const node = resolve(spec, schema) ?? {};
  if (node.example !== undefined) return structuredClone(node.example);
  if (node.enum) return node.enum[0];
  if (depth > 12) throw new Error('schema too deep to assemble a value');
  switch (node.type) {
    case 'array':
      return Array.from({ length: Math.max(node.minItems ?? 1, 1) }, () => validValue(spec, node.items, depth + 1, name));
    case 'object': {
      const out = {};
      for (const [key, property] of Object.entries(node.properties ?? {})) {
        if ((node.required ?? []).includes(key) || resolve(spec, property)?.example !== undefined) out[key] = validValue(spec, property, depth + 1, key);
      }
      return out;
    }
    case 'integer':
    case 'number':
      return node.minimum !== undefined ? node.minimum + (node.exclusiveMinimum ? 1 : 0) : node.maximum !== undefined ? Math.min(1, node.maximum) : 1;
    case 'boolean':
      return true;
    default: {
      const byFormat = { uuid: '3328fe13-2b99-4282-b62e-d891f5e452a8', uri: 'https://example.com/msgkit', email: 'msgkit@example.com' }[node.format];
      if (byFormat) return byFormat;
      const shown = name === undefined ? undefined : borrow(spec, name, node);
      if (shown !== undefined) return shown;
      if (node.pattern) throw new Error(`no example for a string with pattern ${node.pattern}: give the schema an example`);
      return 'x'.repeat(Math.min(Math.max(node.minLength ?? 1, 1), node.maxLength ?? Infinity));
    }
  }
}

/**
 * The requests an operation can be proved on, best first: each of its examples, then one assembled
 * from its schemas. A constraint is broken on the first whose field it concerns is not refused.
 */
function* baseRequests(spec, operationId) {
  const { operation, shared } = [...operations(spec)].find(({ operation: o }) => o.operationId === operationId);
  const params = {};
  for (const parameter of [...shared, ...(operation.parameters ?? [])].map((p) => resolve(spec, p))) {
    if (parameter.in !== 'path' && parameter.in !== 'query') continue;
    if (parameter.required || parameter.in === 'path' || parameter.example !== undefined) params[parameter.name] = parameter.example ?? validValue(spec, parameter.schema);
  }
  const media = resolve(spec, operation.requestBody)?.content?.['application/json'];
  if (!media) {
    yield { params };
    return;
  }
  if (media.example !== undefined) yield { body: structuredClone(media.example), params: structuredClone(params) };
  for (const example of Object.values(media.examples ?? {})) yield { body: structuredClone(resolve(spec, example).value), params: structuredClone(params) };
  yield { body: validValue(spec, media.schema), params: structuredClone(params) };
}

/** The schema at `path` below `schema`. */
function schemaAt(spec, schema, path) {
  let node = resolve(spec, schema);
  for (const key of path) node = resolve(spec, key === '[]' ? node?.items : key === '{}' ? node?.additionalProperties : node?.properties?.[key]);
  return node;
}

/** Makes `path` exist in `value` (creating valid parents), returning the concrete path (`[]` -> 0). */
function reach(spec, root, value, path) {
  const concrete = [];
  let at = value;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] === '[]' ? 0 : path[i] === '{}' ? 'key' : path[i];
    const childSchema = schemaAt(spec, root, path.slice(0, i + 1));
    if (at[key] === undefined || at[key] === null || typeof at[key] !== 'object') at[key] = validValue(spec, childSchema, 0, path[i]);
    if (Array.isArray(at[key]) && at[key].length === 0) at[key].push(validValue(spec, childSchema.items, 0, path[i]));
    concrete.push(key);
    at = at[key];
  }
  const last = path.at(-1);
  concrete.push(last === '[]' ? 0 : last === '{}' ? 'key' : last);
  return { parent: at, key: concrete.at(-1), concrete };
}

const PHONE = /^\+?\d{9,15}$/;
/** The `index`-th distinct copy of a list item: phone numbers get other last digits (lists are deduplicated). */
function distinct(item, index) {
  if (typeof item === 'string') return PHONE.test(item) ? `${item.slice(0, -5)}${String(index).padStart(5, '0')}` : item;
  if (Array.isArray(item)) return item.map((x) => distinct(x, index));
  if (item && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, distinct(v, index)]));
  return item;
}

function codePoints(text) {
  return [...text].length;
}

/** A value at the constraint's place that breaks it and, where it can, nothing else there. */
function breaking(constraint, current) {
  const { keyword, value, schema } = constraint;
  const text = typeof current === 'string' ? current : '';
  switch (keyword) {
    case 'maxLength':
      return text + 'a'.repeat(Math.max(value + 1 - codePoints(text), 0));
    case 'minLength':
      return [...text].slice(0, value - 1).join('').padEnd(value - 1, 'a');
    case 'maximum':
      return schema.exclusiveMaximum ? value : value + 1;
    case 'minimum':
      return schema.exclusiveMinimum ? value : value - 1;
    case 'enum':
      return typeof value[0] === 'number' ? Math.max(...value) + 1 : 'msgkit-not-in-enum';
    case 'pattern': {
      const pattern = new RegExp(value, 'u');
      const fits = (s) => codePoints(s) >= (schema.minLength ?? 0) && codePoints(s) <= (schema.maxLength ?? Infinity);
      const candidates = ['!'.repeat(Math.max(schema.minLength ?? 1, 1)), ' ', '', 'msgkit not matching', `${text} !`];
      return candidates.find((s) => !pattern.test(s) && fits(s)) ?? candidates.find((s) => !pattern.test(s));
    }
    case 'maxItems': {
      const item = Array.isArray(current) && current.length > 0 ? current[0] : undefined;
      return Array.from({ length: value + 1 }, (_, i) => distinct(structuredClone(item), i));
    }
    case 'minItems':
      return (Array.isArray(current) ? current : []).slice(0, value - 1);
    case 'format': {
      const broken = { int32: 2 ** 31, int64: 2 ** 53 + 2, uuid: 'not-a-uuid', uri: 'not a uri', email: 'not-an-email' }[value];
      if (broken === undefined) throw new Error(`no way to break format ${value}: add one here, or list it as descriptive`);
      return broken;
    }
    default:
      throw new Error(`no way to break ${keyword}`);
  }
}

/** A wire-shaped value in the generated models' names, renaming only the properties its schema declares. */
function toModel(spec, schema, value, depth = 0) {
  const node = resolve(spec, schema);
  if (!node || depth > 40 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => toModel(spec, node.items, item, depth + 1));
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    const declared = node.properties?.[key];
    out[declared ? modelName(key) : key] = toModel(spec, declared ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined), item, depth + 1);
  }
  return out;
}

/** The issue path a client reports for a constraint's place: the generated models' names, indexes for items. */
function modelPath(concrete) {
  return concrete.map((key) => (typeof key === 'number' ? key : modelName(key)));
}

const samePath = (a, b) => a.length === b.length && a.every((k, i) => k === b[i]);

async function attempt(call, request) {
  try {
    await call(request.body, request.params);
    return { issues: undefined };
  } catch (error) {
    return { issues: Array.isArray(error?.issues) ? error.issues : undefined, error };
  }
}

/** The schema of an operation's request as one object: `body` and each parameter by name. */
function requestSchema(spec, operationId) {
  const { operation, shared } = [...operations(spec)].find(({ operation: o }) => o.operationId === operationId);
  const properties = {};
  for (const parameter of [...shared, ...(operation.parameters ?? [])].map((p) => resolve(spec, p))) {
    const schema = resolve(spec, parameter.schema) ?? {};
    properties[parameter.name] = parameter.example === undefined ? schema : { ...schema, example: parameter.example };
  }
  const body = resolve(spec, operation.requestBody)?.content?.['application/json'];
  if (body) properties.body = body.schema;
  return { type: 'object', properties };
}

/**
 * Breaks one constraint on one base request: the control (the base with a valid value where the
 * constraint applies) must not be refused there, the broken request must be, with an issue at that
 * place, and nothing may reach `recorder`. Returns undefined when proved, else why not.
 */
async function prove(spec, constraint, base, call, recorder, aliases) {
  const request = { body: base.body, ...base.params };
  const path = constraint.in === 'body' ? ['body', ...constraint.path] : constraint.path;
  const root = requestSchema(spec, constraint.operationId);
  const { parent, key, concrete } = reach(spec, root, request, path);
  const at = modelPath(constraint.in === 'body' ? concrete.slice(1) : concrete);
  // A parameter a method takes as an argument is reported under the argument's name.
  if (constraint.in === 'params' && aliases[at[0]] !== undefined) at[0] = aliases[at[0]];
  // The client takes what the generated models name (`phoneNumber` for the wire's `phone_number`).
  const send = () => {
    const model = toModel(spec, root, request);
    const { body, ...params } = model;
    return attempt(call, { body, params });
  };
  const field = [...path].reverse().find((k) => k !== '[]' && k !== '{}');
  if (parent[key] === undefined) parent[key] = validValue(spec, schemaAt(spec, root, path), 0, field);
  const control = await send();
  const refusedThere = control.issues?.find((issue) => samePath(issue.path, at));
  if (refusedThere) return { retry: true, why: `every request it could be broken on is refused at ${at.join('.')} already (${refusedThere.code}: ${refusedThere.message})` };
  if (constraint.keyword === 'required') delete parent[key];
  else parent[key] = breaking(constraint, parent[key]);
  recorder.reset();
  const broken = await send();
  const sent = recorder.requests.length;
  if (sent > 0) return { why: `${sent} request(s) reached the server` };
  if (!broken.issues) return { why: `no ValidationError (${broken.error ? String(broken.error) : 'it was sent'})` };
  if (!broken.issues.some((issue) => samePath(issue.path, at))) return { why: `refused, but not at ${at.join('.')}: ${broken.issues.map((i) => `${i.path.join('.')} ${i.code}`).join('; ')}` };
  return undefined;
}

/**
 * Sends, for every constraint of `spec`, a request breaking it through `calls[operationId](body,
 * params)` (in the generated models' names) against `recorder`. Returns `checked` (how many
 * constraints) and `unenforced`: each one the client did not refuse before the wire, with why.
 * `aliases` names the method argument a parameter is passed as (`{ batchid: 'batchId' }`);
 * `operations` limits the run to those operation ids.
 */
export async function enforcement(spec, calls, recorder, { aliases = {}, operations: only } = {}) {
  const unenforced = [];
  const constraints = requestConstraints(spec).filter((constraint) => only === undefined || only.includes(constraint.operationId));
  for (const constraint of constraints) {
    const name = `${constraint.operationId} ${constraint.in} ${constraint.path.join('.') || '(root)'} ${constraint.keyword} ${JSON.stringify(constraint.value).slice(0, 60)}`;
    const call = calls[constraint.operationId];
    if (!call) {
      unenforced.push({ constraint: name, why: 'no call for this operation in the test' });
      continue;
    }
    let outcome = { why: 'no request to break it on' };
    for (const base of baseRequests(spec, constraint.operationId)) {
      try {
        outcome = await prove(spec, constraint, base, call, recorder, aliases);
      } catch (error) {
        outcome = { retry: true, why: error.message };
      }
      if (!outcome?.retry) break;
    }
    if (outcome) unenforced.push({ constraint: name, why: outcome.why });
  }
  return { checked: constraints.length, unenforced };
}

/** A temporary copy of `spec` changed by `edit`, written to and read back from a fresh directory. */
export function editedCopy(spec, edit) {
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-spec-copy-'));
  try {
    const copy = structuredClone(spec);
    edit(copy);
    writeFileSync(join(dir, 'spec.yaml'), stringify(copy));
    return parse(readFileSync(join(dir, 'spec.yaml'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
