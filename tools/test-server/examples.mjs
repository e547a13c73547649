// The request examples a spec carries, for the tests that prove every example the vendor publishes
// passes the client's rules and reaches the wire whole: operation examples (`example`, `examples`,
// `$ref`s to components/examples resolved), the message a schema's property examples form together
// (how The SMS Works publishes its examples), and each operation's 2xx example to answer with.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const SPECS = new URL('../../specs/', import.meta.url);

export function loadSpec(vendor) {
  return parse(readFileSync(new URL(`${vendor}.yaml`, SPECS), 'utf8'));
}

function resolve(spec, node) {
  let current = node;
  while (current && typeof current === 'object' && typeof current.$ref === 'string') {
    current = current.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((at, key) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return current;
}

function operations(spec) {
  const out = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation && typeof operation === 'object' && typeof operation.operationId === 'string') out.push({ path, method, operation });
    }
  }
  return out;
}

/** Every JSON request-body example of every operation: `{ operationId, name, value }`. */
export function requestExamples(spec) {
  const out = [];
  for (const { operation } of operations(spec)) {
    const media = resolve(spec, operation.requestBody)?.content?.['application/json'];
    if (!media) continue;
    if (media.example !== undefined) out.push({ operationId: operation.operationId, name: 'example', value: media.example });
    for (const [name, example] of Object.entries(media.examples ?? {})) out.push({ operationId: operation.operationId, name, value: resolve(spec, example).value });
  }
  return out;
}

/** The object a schema's property-level examples form (nested object schemas assembled likewise). */
export function schemaExample(spec, schemaName) {
  const assemble = (schema) => {
    const resolved = resolve(spec, schema);
    if (resolved?.example !== undefined) return resolved.example;
    if (resolved?.type !== 'object' || !resolved.properties) return undefined;
    const out = {};
    for (const [name, property] of Object.entries(resolved.properties)) {
      const value = assemble(property);
      if (value !== undefined) out[name] = value;
    }
    return out;
  };
  const schema = spec.components.schemas[schemaName];
  if (!schema) throw new Error(`no schema ${schemaName}`);
  return assemble({ ...schema, example: undefined });
}

/** The first 2xx example of an operation's answer, or undefined. */
export function responseExample(spec, operationId) {
  const found = operations(spec).find(({ operation }) => operation.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId}`);
  for (const [status, response] of Object.entries(found.operation.responses ?? {})) {
    if (!/^2/.test(status)) continue;
    const content = resolve(spec, response)?.content ?? {};
    for (const media of Object.values(content)) {
      if (media.example !== undefined) return { status: Number(status), json: media.example };
      const first = Object.values(media.examples ?? {})[0];
      if (first) return { status: Number(status), json: resolve(spec, first).value };
    }
    return { status: Number(status) };
  }
  return undefined;
}

/** The key paths of a JSON value (`a.b`, `list.0.c`): what a body must still hold once sent. */
export function keyPaths(value, at = '') {
  if (Array.isArray(value)) return value.flatMap((item, index) => keyPaths(item, `${at}${index}.`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [`${at}${key}`, ...keyPaths(item, `${at}${key}.`)]);
}

/**
 * Sends one request example through a client against the recorder, answered with the operation's
 * own 2xx example: how many requests reached the wire, and which key paths of the example the
 * request that arrived lacks.
 */
export async function exampleOnWire(recorder, spec, operationId, example, send) {
  recorder.reset();
  const answer = responseExample(spec, operationId);
  recorder.replyAlways({ status: answer?.status ?? 200, ...(answer?.json !== undefined && { json: answer.json }) });
  await send(example);
  const sent = new Set(recorder.requests.flatMap((request) => keyPaths(request.body)));
  return { requests: recorder.requests.length, missing: keyPaths(example).filter((path) => !sent.has(path)) };
}
