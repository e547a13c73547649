// Writes a provider's request-shape checks from its spec: every operation's JSON body and path and
// query parameters become a data table of their constraints (core's ShapeNode), in the generated
// models' property names, which core's checkShape reads before any request leaves. generate.mjs
// runs this beside openapi-generator, so `pnpm generate` writes both and the drift check compares
// both.
//
// Every keyword of a request schema is either translated, or known to describe without
// constraining, or stops the generation naming it: a constraint is never dropped in silence.
import { modelName, typeName } from './names.mjs';

/** Keywords that constrain a request, and the ShapeNode field each becomes. */
const TRANSLATED = new Set([
  'type',
  'nullable',
  'format',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'required',
  'properties',
  'items',
  'additionalProperties',
]);
/** Keywords that describe a value or say what the vendor assumes, but refuse nothing. */
const DESCRIPTIVE = new Set(['description', 'example', 'examples', 'default', 'title', 'deprecated', 'externalDocs', 'xml']);
/** Formats checkShape enforces. */
const CHECKED_FORMATS = new Set(['int32', 'int64', 'float', 'double', 'uuid', 'uri', 'email']);
const TYPES = new Set(['string', 'integer', 'number', 'boolean', 'array', 'object']);

class SpecError extends Error {}

function refName(ref) {
  const match = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
  if (!match) throw new SpecError(`${ref}: only references to #/components/schemas/… are supported in request schemas`);
  return match[1];
}

function resolve(spec, node) {
  let current = node;
  for (let hops = 0; current && typeof current.$ref === 'string'; hops++) {
    if (hops > 20) throw new SpecError(`${node.$ref}: reference loop`);
    current = current.$ref.replace(/^#\//, '').split('/').reduce((at, key) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  if (current === undefined) throw new SpecError(`${node.$ref}: does not resolve`);
  return current;
}

/** The operations of a spec, in the spec's order. */
export function operations(spec) {
  const out = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'].includes(method)) continue;
      if (typeof operation?.operationId !== 'string') throw new SpecError(`${method.toUpperCase()} ${path}: no operationId`);
      out.push({ path, method, operation, pathParameters: item.parameters ?? [] });
    }
  }
  return out;
}

/**
 * The TypeScript source of a spec's checks. `specName` is named in the header; the generated
 * models are imported from `modelsImport`. Throws, naming the schema and keyword, on anything a
 * check would not enforce.
 */
export function generateChecks(spec, { specName, modelsImport = '../generated/index' }) {
  const components = new Map(); // schema name -> its source, printed last, in dependency order
  const inProgress = new Set();
  const types = new Set();

  const literal = (value) => JSON.stringify(value);

  function component(name, where) {
    if (components.has(name)) return `${name}Shape`;
    if (inProgress.has(name)) throw new SpecError(`${where}: #/components/schemas/${name} refers to itself; recursive request schemas are not supported`);
    const schema = spec.components?.schemas?.[name];
    if (schema === undefined) throw new SpecError(`${where}: #/components/schemas/${name} does not exist`);
    inProgress.add(name);
    const tree = node(schema, `#/components/schemas/${name}`);
    inProgress.delete(name);
    const type = typeOf({ $ref: `#/components/schemas/${name}` });
    trees.push(tree);
    components.set(name, () => `const ${name}Shape: Shape<${type}> = ${print(tree, '', true)};`);
    return `${name}Shape`;
  }

  /** The generated TypeScript type of a schema, for the compile-time check of names. */
  function typeOf(schema) {
    if (schema?.$ref) {
      const name = refName(schema.$ref);
      const target = spec.components.schemas[name];
      if (target?.type === 'array' && target.items) return `Array<${typeOf(target.items)}>`;
      // A free-form object (no properties) is no model of its own in typescript-fetch.
      if (target?.properties) {
        types.add(typeName(name));
        return typeName(name);
      }
      return 'unknown';
    }
    if (schema?.type === 'array' && schema.items) return `Array<${typeOf(schema.items)}>`;
    return 'unknown';
  }

  function node(schema, where) {
    if (schema?.$ref) return component(refName(schema.$ref), where);
    if (schema === undefined || schema === null || typeof schema !== 'object') throw new SpecError(`${where}: not a schema`);
    const parts = [];
    for (const key of Object.keys(schema)) {
      if (key.startsWith('x-') || DESCRIPTIVE.has(key)) continue;
      if (!TRANSLATED.has(key)) {
        throw new SpecError(`${where}: keyword \`${key}\` is not checked before sending; teach tools/generate/checks.mjs and core's checkShape to enforce it, or leave it out of the spec with a DECISION`);
      }
    }
    const { type, format } = schema;
    if (type !== undefined) {
      if (!TYPES.has(type)) throw new SpecError(`${where}: type \`${type}\` is not supported`);
      parts.push(`type: ${literal(type)}`);
    }
    if (schema.nullable === true) parts.push('nullable: true');
    if (format !== undefined) {
      if (CHECKED_FORMATS.has(format)) parts.push(`format: ${literal(format)}`);
      else throw new SpecError(`${where}: format \`${format}\` is not checked before sending; add it to core's checkShape and to CHECKED_FORMATS`);
    }
    if (schema.enum !== undefined) {
      if (!Array.isArray(schema.enum) || schema.enum.length === 0) throw new SpecError(`${where}: enum must be a non-empty list`);
      parts.push(`enum: ${literal(schema.enum)}`);
    }
    if (schema.pattern !== undefined) {
      let pattern;
      try {
        pattern = new RegExp(schema.pattern, 'u');
      } catch (error) {
        throw new SpecError(`${where}: pattern ${literal(schema.pattern)} is not an ECMA-262 regular expression: ${error.message}`);
      }
      parts.push(`pattern: /${pattern.source}/u`);
    }
    for (const key of ['minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems']) {
      if (schema[key] === undefined) continue;
      if (typeof schema[key] !== 'number' || !Number.isFinite(schema[key])) throw new SpecError(`${where}: ${key} must be a number`);
      parts.push(`${key}: ${schema[key]}`);
    }
    for (const key of ['exclusiveMinimum', 'exclusiveMaximum']) {
      if (schema[key] === true) parts.push(`${key}: true`);
      else if (schema[key] !== undefined && schema[key] !== false) throw new SpecError(`${where}: ${key} must be true or false (OpenAPI 3.0)`);
    }
    if (schema.required !== undefined) {
      if (!Array.isArray(schema.required)) throw new SpecError(`${where}: required must be a list`);
      parts.push(`required: ${literal(schema.required.map(modelName))}`);
    }
    const nested = [];
    if (schema.properties !== undefined) {
      nested.push(['properties', Object.entries(schema.properties).map(([name, property]) => [safeKey(modelName(name)), node(property, `${where}.${name}`)])]);
    }
    if (schema.items !== undefined) nested.push(['items', node(schema.items, `${where}[]`)]);
    const extra = schema.additionalProperties;
    if (extra === false) throw new SpecError(`${where}: additionalProperties: false is not checked before sending`);
    if (extra !== undefined && extra !== true && Object.keys(extra).some((key) => !DESCRIPTIVE.has(key))) {
      nested.push(['additionalProperties', node(extra, `${where}{}`)]);
    }
    return { parts, nested };
  }

  // A field constrained alike in several requests (every SMS.CX send's `from`) is one shared node:
  // the bundle carries each distinct constraint once.
  const trees = [];
  const shared = new Map(); // flat source -> shared node name
  const isShareable = (tree) => typeof tree !== 'string' && tree.nested.every(([key, value]) => key !== 'properties' && isShareable(value));
  function share() {
    const uses = new Map(); // flat source -> property names it is used under
    const visit = (tree, key) => {
      if (typeof tree === 'string') return;
      if (isShareable(tree)) {
        const source = print(tree);
        uses.set(source, [...(uses.get(source) ?? []), key]);
      }
      for (const [nestedKey, value] of tree.nested) {
        if (nestedKey === 'properties') for (const [name, child] of value) visit(child, name);
        else visit(value, `${key}${nestedKey === 'items' ? 'Item' : 'Value'}`);
      }
    };
    for (const tree of trees) visit(tree, 'request');
    const taken = new Set();
    for (const [source, keys] of uses) {
      if (keys.length < 2) continue;
      // Named after the fields that use it, or after its type when it is nothing more.
      const type = /^\{ type: "(\w+)" \}$/.exec(source)?.[1];
      const names = [...new Set(keys)];
      const stem = type ?? (names.length <= 3 ? names.map((key, i) => (i === 0 ? key : key[0].toUpperCase() + key.slice(1))).join('Or') : `${names[0]}AndOthers`);
      const base = `${stem}Field`.replace(/[^A-Za-z0-9_$]/g, '_');
      let name = base;
      for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
      taken.add(name);
      shared.set(source, name);
    }
  }

  /** A node as source: flat constraints on one line, one line per property, so a spec change is a one-line diff. */
  function print(tree, indent = '', sharing = false) {
    if (typeof tree === 'string') return tree;
    if (sharing && isShareable(tree) && shared.has(print(tree))) return shared.get(print(tree));
    const inner = `${indent}  `;
    const lines = tree.parts.map((part) => `${inner}${part},`);
    for (const [key, value] of tree.nested) {
      if (key === 'properties') {
        lines.push(`${inner}properties: {`, ...value.map(([name, child]) => `${inner}  ${name}: ${print(child, `${inner}  `, sharing)},`), `${inner}},`);
      } else lines.push(`${inner}${key}: ${print(value, inner, sharing)},`);
    }
    if (tree.nested.length === 0) return `{ ${tree.parts.join(', ')} }`;
    return `{\n${lines.join('\n')}\n${indent}}`;
  }

  const exports = [];
  for (const { path, method, operation, pathParameters } of operations(spec)) {
    const id = operation.operationId;
    const where = `${method.toUpperCase()} ${path} (${id})`;
    const shape = [];
    const parameters = [...pathParameters, ...(operation.parameters ?? [])].map((parameter) => resolve(spec, parameter));
    const checked = parameters.filter((parameter) => parameter.in === 'path' || parameter.in === 'query');
    for (const parameter of parameters) {
      if (parameter.in !== 'path' && parameter.in !== 'query' && (parameter.required || Object.keys(parameter.schema ?? {}).some((key) => TRANSLATED.has(key) && key !== 'type'))) {
        throw new SpecError(`${where}: ${parameter.in} parameter ${parameter.name} is constrained, and only path and query parameters are checked`);
      }
    }
    let params;
    if (checked.length > 0) {
      const properties = checked.map((parameter) => [safeKey(modelName(parameter.name)), node(parameter.schema, `${where} ${parameter.in} parameter ${parameter.name}`)]);
      const required = checked.filter((parameter) => parameter.required || parameter.in === 'path').map((parameter) => modelName(parameter.name));
      const requestType = `${typeName(id)}${spec.components?.schemas?.[`${typeName(id)}Request`] ? 'OperationRequest' : 'Request'}`;
      types.add(requestType);
      params = `${id}Params`;
      const parts = ['type: "object"', ...(required.length > 0 ? [`required: ${literal(required)}`] : [])];
      const tree = { parts, nested: [['properties', properties]] };
      trees.push(tree);
      exports.push(() => `const ${params}: Shape<${requestType}> = ${print(tree, '', true)};`);
      shape.push(`params: ${params}`);
    }
    const body = operation.requestBody ? resolve(spec, operation.requestBody) : undefined;
    if (body) {
      const json = body.content?.['application/json'];
      if (!json) throw new SpecError(`${where}: request body without application/json content`);
      const tree = node(json.schema, `${where} body`);
      const bodyName = typeof tree === 'string' ? tree : `${id}Body`;
      if (typeof tree !== 'string') {
        trees.push(tree);
        exports.push(() => `const ${bodyName}: Shape<${typeOf(json.schema)}> = ${print(tree, '', true)};`);
      }
      shape.push(`body: ${bodyName}`);
    }
    if (shape.length > 0) exports.push(() => `/** ${method.toUpperCase()} ${path} */\nexport const ${id}: OperationShape = { ${shape.join(', ')} };`);
  }

  share();
  const imports = [...types].sort();
  return [
    `// Generated by tools/generate/checks.mjs from ${specName}: the constraints of every request of the`,
    '// spec, read by checkShape (@msgkit/core/internal) before anything is sent. Do not edit: change the',
    '// spec and run `pnpm generate`.',
    `import type { OperationShape, Shape${shared.size > 0 ? ', ShapeNode' : ''} } from '@msgkit/core/internal';`,
    imports.length > 0 ? `import type { ${imports.join(', ')} } from '${modelsImport}';` : '',
    '',
    ...[...shared].map(([source, name]) => `const ${name}: ShapeNode = ${source};`),
    '',
    ...[...components.values()].map((write) => write()),
    '',
    ...exports.map((write) => write()),
    '',
  ]
    .filter((line, index, lines) => !(line === '' && lines[index - 1] === ''))
    .join('\n');
}

function safeKey(name) {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

export { SpecError };
