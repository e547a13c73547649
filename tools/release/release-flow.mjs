// Helpers of the release tests: child processes with captured output, a throwaway Verdaccio
// registry, and an empty app that installs from it. No step has a deadline a slow machine can
// reach: short commands stop at the hang limit, long ones run under runChild's watchdog, which
// ends only a child that stopped making progress (tools/test-child.mjs).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HANG_LIMIT_MS, runChild } from '../test-child.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The directory names under packages/ of every package that is published (not private). */
export const publishedPackages = readdirSync(join(root, 'packages'))
  .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
  .filter((name) => !JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')).private)
  .sort();

// The environment a user's shell would give: without the npm_config_* and friends that pnpm sets
// for the script running this test (npm would warn about each one it does not know).
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key)));

/** Runs a short command to its end; throws with its output when it fails. */
export function run(command, args, { cwd, env = {} } = {}) {
  try {
    return execFileSync(command, args, {
      cwd,
      env: { ...baseEnv, ...env },
      encoding: 'utf8',
      timeout: HANG_LIMIT_MS,
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${error.message}\n${output.slice(-4000)}`);
  }
}

/**
 * Runs a command without blocking this process's event loop (a child may talk to a server running
 * in this process, the sandbox) and for as long as it makes progress; resolves with its stdout, or
 * with stdout and stderr together when `all` is set (for checking warnings); throws when it fails.
 */
export async function runAsync(command, args, { cwd, env = {}, all = false } = {}) {
  const result = await runChild(command, args, { cwd, env: { ...baseEnv, ...env } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${result.status ?? result.signal}):\n${result.output.slice(-4000)}`);
  return all ? result.output : result.stdout;
}

// Commits and tags in a throwaway clone need an identity; CI may have none configured.
export const gitIdentity = {
  GIT_AUTHOR_NAME: 'msgkit release test',
  GIT_AUTHOR_EMAIL: 'release-test@msgkit.invalid',
  GIT_COMMITTER_NAME: 'msgkit release test',
  GIT_COMMITTER_EMAIL: 'release-test@msgkit.invalid',
};

/** The turbo cache of the checkout the test runs in (a worktree shares its main checkout's), to read from. */
export function turboCacheDir() {
  const common = run('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: root }).trim();
  const dir = join(dirname(common), '.turbo', 'cache');
  return existsSync(dir) ? dir : undefined;
}

/** Starts tools/release/registry.mjs; resolves with its URL and a stop function. */
export function startRegistry(dir) {
  const child = spawn(process.execPath, [join(root, 'tools/release/registry.mjs'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      // Its storage is a temporary folder: nothing to flush.
      child.kill('SIGKILL');
    });
  // Started when it prints its URL; a registry that never does is a hang, ended by the hook's limit.
  return new Promise((resolveStart, reject) => {
    child.stderr.on('data', (chunk) => (output += chunk));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const line = output.split('\n').find((candidate) => candidate.startsWith('{"url"'));
      if (line) {
        resolveStart({ url: JSON.parse(line).url, stop, output: () => output });
      }
    });
    child.once('exit', (code) => {
      reject(new Error(`the registry exited (${code}) before it started:\n${output}`));
    });
  });
}

/** Creates a registry user (npm's adduser protocol) and returns its token. */
export async function registryToken(url) {
  const response = await fetch(new URL('-/user/org.couchdb.user:release-test', url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release-test', password: 'release-test-password' }),
  });
  const body = await response.json();
  if (!response.ok || typeof body.token !== 'string') throw new Error(`adduser failed: ${response.status} ${JSON.stringify(body)}`);
  return body.token;
}

/** An .npmrc that sends the @msgkit scope to the registry (with its token) and the rest to npm's. */
export function writeScopedNpmrc(file, url, token) {
  const host = url.replace(/^https?:/, '');
  writeFileSync(file, [`@msgkit:registry=${url}`, ...(token ? [`${host}:_authToken=${token}`] : [])].join('\n') + '\n');
}
