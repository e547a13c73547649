// Helpers of the registry release test: child processes with bounded time and captured output,
// a throwaway Verdaccio registry, and an empty app that installs from it.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The directory names under packages/ of every package that is published (not private). */
export const publishedPackages = readdirSync(join(root, 'packages'))
  .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
  .filter((name) => !JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')).private)
  .sort();

// The environment a user's shell would give: without the npm_config_* and friends that pnpm sets
// for the script running this test (npm would warn about each one it does not know).
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key)));

/** Runs a command to its end (at most `timeout` ms); throws with its output when it fails. */
export function run(command, args, { cwd, env = {}, timeout = 120_000 } = {}) {
  try {
    return execFileSync(command, args, {
      cwd,
      env: { ...baseEnv, ...env },
      encoding: 'utf8',
      timeout,
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${error.message}\n${output.slice(-4000)}`);
  }
}

/**
 * Like run, but without blocking this process's event loop: for a child that talks to a server
 * running in this process (the sandbox).
 */
export function runAsync(command, args, { cwd, env = {}, timeout = 60_000 } = {}) {
  return new Promise((resolveRun, reject) => {
    execFile(command, args, { cwd, env: { ...baseEnv, ...env }, encoding: 'utf8', timeout }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${error.message}\n${stdout}${stderr}`.slice(-4000)));
      else resolveRun(stdout);
    });
  });
}

/** Runs a command and returns stdout and stderr together (for checking warnings). */
export function runAll(command, args, options) {
  const { cwd, env = {}, timeout = 120_000 } = options;
  const out = execFileSync('sh', ['-c', '"$@" 2>&1', 'sh', command, ...args], {
    cwd,
    env: { ...baseEnv, ...env },
    encoding: 'utf8',
    timeout,
    maxBuffer: 64 * 1024 * 1024,
  });
  return out;
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
export function startRegistry(dir, { timeout = 30_000 } = {}) {
  const child = spawn(process.execPath, [join(root, 'tools/release/registry.mjs'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(killer);
        done();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the registry did not start within ${timeout} ms:\n${output}`));
    }, timeout);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const line = output.split('\n').find((candidate) => candidate.startsWith('{"url"'));
      if (line) {
        clearTimeout(timer);
        resolveStart({ url: JSON.parse(line).url, stop, output: () => output });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
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
    signal: AbortSignal.timeout(10_000),
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
