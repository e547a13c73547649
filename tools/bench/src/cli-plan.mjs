// `msgkit plan` on 1 000 000 personalized rows (issue 17: under 60 s and under 500 MB, with a
// progress bar): the seeded national GB rows of cli-normalize, a text filled from two columns, costs
// from --prices, the per-row plan written as CSV. The anchor, measured in the same run on the same
// file, is `msgkit normalize --csv --file`: the reading and classification the plan also does, so
// the ratio is what planning (filling, counting, pricing, totals) adds. Each runs in a fresh
// process with stdout to a file; peak RSS and CPU time come from cli/rss-probe.mjs. Progress goes
// to stderr (a bar on a terminal, a line a second here, where stderr is a pipe).
// BENCH_PLAN_ROWS makes a shorter run on a busy machine; the figure to quote is the default.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNationalCsv } from './data-national.mjs';
import { ratio } from './harness.mjs';

const ROWS = Number(process.env.BENCH_PLAN_ROWS ?? 1_000_000);
const here = dirname(fileURLToPath(import.meta.url));
const bin = join(dirname(createRequire(import.meta.url).resolve('@msgkit/cli/package.json')), 'dist', 'bin.mjs');
const TEXT = 'Hello {name}, your parcel for {phone} arrives today. Reply STOP to opt out';

async function msgkit(args, out, probeFile) {
  const start = performance.now();
  const fd = openSync(out, 'w');
  const child = spawn(process.execPath, ['--import', join(here, 'cli', 'rss-probe.mjs'), bin, ...args], { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, MSGKIT_BENCH_PROBE_FILE: probeFile } });
  closeSync(fd);
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const code = await new Promise((resolve) => child.on('close', resolve));
  const ms = performance.now() - start;
  if (code !== 0 && code !== 1) throw new Error(`msgkit ${args[0]} exited ${code}: ${stderr}`);
  return { ms, ...JSON.parse(readFileSync(probeFile, 'utf8')), stderr };
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-bench-plan-'));
  try {
    const file = join(dir, 'national.csv');
    await writeNationalCsv(file, ROWS);
    const prices = join(dir, 'prices.csv');
    writeFileSync(prices, 'country,price\nGB,0.035\n');
    const probe = join(dir, 'probe.json');
    console.log(`${ROWS} personalized national GB rows (${(statSync(file).size / 1e6).toFixed(1)} MB), text "${TEXT}"`);
    const anchor = await msgkit(['normalize', '--csv', '--file', file], join(dir, 'normalized.csv'), probe);
    const plan = await msgkit(['plan', file, '-p', 'smsworks', '--from', 'Shop', '--text', TEXT, '--prices', prices, '--csv', '-'], join(dir, 'plan.csv'), probe);
    const lines = readFileSync(join(dir, 'plan.csv'), 'utf8').split('\n').length - 2;
    if (lines !== ROWS) throw new Error(`msgkit plan wrote ${lines} rows for ${ROWS}`);
    const progress = plan.stderr.split('\n').filter((l) => l.startsWith('planning:')).length;
    const summary = plan.stderr.split('\n').find((l) => / rows: \d+ to send/.test(l));
    console.log(`plan summary: ${summary}`);
    console.log(`progress lines on stderr: ${progress}`);
    console.log(`wall s: msgkit normalize --csv ${(anchor.ms / 1000).toFixed(2)}, msgkit plan --csv ${(plan.ms / 1000).toFixed(2)} (target < 60 s)`);
    console.log(`CPU s:  msgkit normalize --csv ${(anchor.cpuMs / 1000).toFixed(2)}, msgkit plan --csv ${(plan.cpuMs / 1000).toFixed(2)}`);
    console.log(`plan ÷ normalize: ${ratio(plan.ms, anchor.ms)} wall, ${ratio(plan.cpuMs, anchor.cpuMs)} CPU`);
    console.log(`plan peak RSS: ${(plan.maxRssKb / 1024).toFixed(0)} MB (target < 500 MB); normalize ${(anchor.maxRssKb / 1024).toFixed(0)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
