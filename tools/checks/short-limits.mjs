// Finds fixed wall-clock limits in test code that a loaded machine can reach (the rule is in
// CONTRIBUTING.md, "Time in tests"). A test waits for a condition, not for a clock: the only
// wall-clock limits allowed are those that end a genuine hang, and they are at least HANG_LIMIT_MS.
// Deliberately short timeouts of the code under test (a client's `timeoutMs` against a server that
// never answers) are not limits on the test: load can only make them fire later, never falsely.

import { HANG_LIMIT_MS } from '../test-child.mjs';

export { HANG_LIMIT_MS };

const number = (text) => Number(text.replaceAll('_', ''));
const HOOKS = /(?:^|[^\w.$])(?:it|test|describe|bench|beforeAll|afterAll|beforeEach|afterEach)(?:\.\w+)*(?:\([^()]*\))?$/;

/** The code just before the `(` that opens the call whose argument list the `}` at `index` closes. */
function calleeOf(text, index) {
  let depth = 0;
  for (let i = index; i >= 0; i--) {
    const c = text[i];
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') {
      depth--;
      if (depth < 0 && c === '(') return text.slice(Math.max(0, i - 80), i).trimEnd();
      if (depth < 0) depth = 0;
    }
  }
  return '';
}

// Each rule: what it matches, the literal in it, and why it is not allowed.
const RULES = [
  [/\b(?:test|hook)Timeout\s*[:=]\s*([\d_]+)/g, 'a vitest default timeout'],
  [/--(?:test|hook)Timeout[= ]([\d_]+)/g, 'a vitest default timeout'],
  [/\btimeout\s*:\s*([\d_]+)/g, 'a timeout option (a child process, a vitest test, a vm script)'],
  [/\b\w*[tT]imeout\w*\s*(?:=|\?\?)\s*([\d_]+)/g, 'a default deadline'],
  [/[(,]\s*(?:ms|\w*(?:Deadline|Limit|Wait|Max)Ms)\s*=\s*([\d_]+)\s*[,)]/g, 'a default deadline'],
  [/AbortSignal\.timeout\(\s*([\d_]+)/g, 'an AbortSignal deadline'],
  [/\.setTimeout\(\s*([\d_]+)/g, 'a socket or request deadline'],
  [/setTimeout\([^;]*\b(?:kill|reject)\([^;]*?,\s*([\d_]+)\s*\)/g, 'a timer that kills a process or fails a wait'],
];

/**
 * Every short fixed limit in `files` ([{ path, text }]), as `path:line: what (N ms < HANG_LIMIT_MS)`.
 */
export function findShortLimits(files) {
  const found = new Map();
  for (const { path, text } of files) {
    const lineOf = (index) => text.slice(0, index).split('\n').length;
    const add = (index, message) => {
      const where = `${path}:${lineOf(index)}`;
      if (!found.has(where)) found.set(where, `${where}: ${message}`);
    };
    const report = (index, what, ms) => add(index, `${what} of ${ms} ms, under the ${HANG_LIMIT_MS} ms hang limit`);
    for (const [pattern, what] of RULES) {
      for (const match of text.matchAll(pattern)) {
        const ms = number(match[1]);
        if (ms > 0 && ms < HANG_LIMIT_MS) report(match.index, what, ms);
      }
    }
    // `it('…', () => { … }, 30_000)`: the per-test timeout as the call's last argument.
    for (const match of text.matchAll(/\}\s*,\s*([\d_]+)\s*\)/g)) {
      const ms = number(match[1]);
      if (ms > 0 && ms < HANG_LIMIT_MS && HOOKS.test(calleeOf(text, match.index))) report(match.index, 'a per-test or per-hook timeout', ms);
    }
    // vitest's own waiting helpers give up after 1 s unless told otherwise.
    for (const match of text.matchAll(/\b(?:vi\.waitFor|vi\.waitUntil|expect\.poll)\(/g)) {
      const line = text.slice(match.index, text.indexOf('\n', match.index));
      if (!/\btimeout\s*:/.test(line)) add(match.index, `${match[0].slice(0, -1)} without a timeout gives up after 1000 ms`);
    }
  }
  return [...found.values()];
}

/** The files the rule applies to: test files, test helpers and the tools that run tests. */
export function isTestCode(path) {
  if (/\/generated\//.test(path)) return false;
  if (/\.test\.[cm]?[jt]s$/.test(path)) return true;
  if (/^packages\/[^/]+\/src\/(?:.*\/)?test\/.*\.[cm]?[jt]s$/.test(path)) return true;
  if (/^tools\/(?:e2e|release|checks|generate|test-server)\/.*\.[cm]?[jt]s$/.test(path) && !/\.d\.[cm]?ts$/.test(path)) return true;
  if (/^tools\/test-[\w-]+\.mjs$/.test(path)) return true;
  if (/(?:^|\/)vitest(?:\.\w+)?\.config\.[cm]?[jt]s$/.test(path)) return true;
  return /(?:^|\/)package\.json$/.test(path);
}
