#!/usr/bin/env node
// Regenerates one provider's client: `node tools/generate/generate.mjs <generator-key>`.
//
// The generator entry (spec, output, templates, options) is read from openapitools.json, the one
// source of truth that `openapi-generator-cli generate --generator-key <key>` also reads. We do not
// let the generator write into the committed output directly: the spec is parsed and validated
// first, the client is generated into a temporary directory, and only a complete, successful run
// replaces packages/<p>/src/generated and, beside it, src/generated-checks (the request checks
// tools/generate/checks.mjs writes from the same spec). A broken spec therefore stops here with the
// file and the problem named, and the committed code is left as it was.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileErrors, validate } from '@readme/openapi-parser';
import { parseDocument } from 'yaml';
import { generateChecks, SpecError } from './checks.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fail = (message) => {
  console.error(`generate: ${message}`);
  process.exit(1);
};

// `--openapitools <file>` points at another configuration (the tests use one with a broken spec);
// paths in it are relative to its own folder, as the wrapper treats them.
const [key, flag, configArg] = process.argv.slice(2);
const readCli = (file) => JSON.parse(readFileSync(file, 'utf8'))['generator-cli'];
const rootConfig = join(root, 'openapitools.json');
const rootCli = readCli(rootConfig);
const configPath = flag === '--openapitools' && configArg ? resolve(configArg) : rootConfig;
const configDir = dirname(configPath);
const cli = configPath === rootConfig ? rootCli : readCli(configPath);
const entry = cli.generators?.[key];
if (!entry) fail(`no generator "${key}" in openapitools.json (known: ${Object.keys(cli.generators).join(', ')})`);

const fromConfig = (path) => resolve(configDir, path.replace('#{cwd}', '.'));
const specPath = fromConfig(entry.inputSpec);
const outputDir = fromConfig(entry.output);
const specName = relative(process.cwd(), specPath);

if (!existsSync(specPath)) fail(`${specName}: file not found`);
const doc = parseDocument(readFileSync(specPath, 'utf8'), { prettyErrors: true });
if (doc.errors.length > 0) fail(`${specName} does not parse as YAML:\n${doc.errors.map((e) => e.message).join('\n')}`);
let validation;
try {
  validation = await validate(doc.toJS());
} catch (error) {
  fail(`${specName} is not a valid OpenAPI document:\n${error.message}`);
}
if (!validation.valid) fail(`${specName} is not a valid OpenAPI document:\n${compileErrors(validation)}`);

// The request checks come from the same spec; a constraint they cannot enforce stops the run here,
// before anything is written.
const checksDir = join(dirname(outputDir), 'generated-checks');
let checks;
try {
  checks = generateChecks(doc.toJS(), { specName: relative(root, specPath), modelsImport: `${relative(checksDir, outputDir).split(sep).join('/')}/index` });
} catch (error) {
  if (!(error instanceof SpecError)) throw error;
  fail(`${specName}: ${error.message}`);
}

const require = createRequire(join(root, 'package.json'));
const wrapper = join(dirname(require.resolve('@openapitools/openapi-generator-cli/package.json')), 'main.js');
// The jar and its version always come from the project's own configuration.
const jar = resolve(root, rootCli.storageDir, `${rootCli.version}.jar`);
if (!existsSync(jar)) fail(`generator jar ${relative(root, jar)} is missing; run \`pnpm install\` (its postinstall puts it there)`);

// Staged beside the output's file system so the final rename is atomic.
const cache = join(root, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const scratch = mkdtempSync(join(cache, `msgkit-generate-${key}-`));
const staged = join(scratch, 'generated');
const properties = Object.entries(entry.additionalProperties ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
const args = [wrapper, 'generate', '-g', entry.generatorName, '-i', specPath, '-o', staged, '-t', fromConfig(entry.templateDir)];
if (properties) args.push(`--additional-properties=${properties}`);
// The wrapper resolves openapitools.json from $PWD, not from cwd: point both at the root.
args.splice(1, 0, '--openapitools', rootConfig);
const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, PWD: root } });
if (run.status !== 0) {
  rmSync(scratch, { recursive: true, force: true });
  // Keep the generator's own diagnosis, not its stack traces or the wrapper's bundled source.
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => l.length < 400);
  const detail = lines.filter((l) => /ERROR|Exception|issues|attribute|WARN/.test(l) && !/^\s+at /.test(l));
  fail(`openapi-generator failed on ${specName}:\n${(detail.length > 0 ? detail : lines.slice(-20)).join('\n')}`);
}

// With compactModels, a model's fields are written `name=baseName` (modelGeneric.mustache: the
// template cannot tell whether the two are the same); a field whose two names are the same is
// written `name` alone, as runtime.mapModel reads it.
const stagedModels = join(staged, 'models');
if (existsSync(stagedModels)) {
  for (const file of readdirSync(stagedModels)) {
    const path = join(stagedModels, file);
    const code = readFileSync(path, 'utf8');
    const compact = code.replace(/(mapModel\((?:json|value), ')([^']*)'/g, (_, head, fields) => `${head}${fields.split(' ').filter((field) => field !== '').map((field) => field.replace(/^([^=?*[]+)=\1(?=[?*[]|$)/, '$1')).join(' ')}'`);
    if (compact !== code) writeFileSync(path, compact);
  }
}

const stagedChecks = join(scratch, 'generated-checks');
mkdirSync(stagedChecks);
writeFileSync(join(stagedChecks, 'index.ts'), checks);
// The output's folder may not exist yet (check-drift regenerates into a fresh out/<key>/generated).
mkdirSync(dirname(outputDir), { recursive: true });
rmSync(outputDir, { recursive: true, force: true });
renameSync(staged, outputDir);
rmSync(checksDir, { recursive: true, force: true });
renameSync(stagedChecks, checksDir);
rmSync(scratch, { recursive: true, force: true });
console.log(`generate: ${specName} -> ${relative(process.cwd(), outputDir)}, ${relative(process.cwd(), checksDir)}`);
