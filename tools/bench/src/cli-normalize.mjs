// The CLI's own overhead (reading the CSV, classifying rows, writing CSV out, the progress lines)
// over the phone path: `msgkit normalize --csv --file` on 1 000 000 seeded national GB rows with a
// country column, against a bare loop of msgkit's own normalizePhone (@msgkit/core/max, the
// metadata the CLI reads with) over the same rows held in memory. Each contender runs in a fresh
// process, the CLI with stdout to a file and its progress on stderr; the rounds alternate and the
// medians are compared, in wall time and in CPU time (this machine is shared: a neighbour's load
// stretches wall time, not the CPU a process used). Target (issue 20): CLI ÷ loop ≤ 1.20 in CPU,
// CLI peak RSS < 300 MB; a miss prints MISSED and fails the run. The CLI's figures hold its whole
// process, so the loop's hold what any program that reads numbers with msgkit pays before its first
// number too: Node's start and the load of @msgkit/core/max (measured in the loop's process before
// it reads the file). The ratio against the bare loop alone is printed beside it. CPU is the gate:
// wall time on this shared machine moves with the neighbours' load, and is printed, not judged.
// BENCH_CLI_ROWS makes a shorter run on a busy machine; the figure to quote is the default.
//
// Two CLI contenders alternate with the loop in every round: `--threads 1` (everything on one
// thread) and `--threads 2` (the phone checks and the rows' writing shared with a worker thread, the
// reading and the duplicate check in file order on the main thread: phoneWorker.ts). The pipeline
// spends more CPU than one thread (the worker loads the metadata too, and cells are copied to it
// and its rows back) to take less wall time on two free cores, so each is
// given in wall and CPU against the loop, with the machine's cores and its load: a wall ratio
// measured while other processes held the cores is labelled LOADED, and is no measure of what the
// pipeline gives on an idle machine. Loaded means a 1-min load ≥ half the cores before the bench
// starts, or ≥ the cores at a round's start or end (the bench's own processes hold up to about two
// threads, so a lower load there leaves the pipeline its two cores). The
// two write the same bytes: their outputs' sha256 must agree in every round, or the run fails.
//
// A third CLI contender is the default, `--threads auto` (no --threads given): two threads only
// when the 1-minute load is under the cores (load < cores), else one. Its summary says what it
// chose and saw; each round prints it beside its wall and CPU against --threads 1 in the same round,
// so a run on a busy machine shows whether the default paid for a second thread there.
//
// The phone work is the same on both sides: one normalizePhone (@msgkit/core/max) per non-empty
// phone cell, with the row's country cell as defaultCountry, its options object reused while the
// country repeats (the CLI's Classifier keeps the last one the same way). Everything else the CLI
// does per row is the overhead measured, and the loop does none of it: reading and decoding the
// file and picking the two cells, classifying (empty cells, NOT_MOBILE types refused), the
// duplicate check of every usable number, writing the CSV row (input, E.164, status, error, type),
// the tallies and the progress line. The CLI reads no other number per row (no second
// normalizePhone, no knownCountry: that runs once, for --country only).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNationalCsv } from './data-national.mjs';
import { median, ratio } from './harness.mjs';

const ROWS = Number(process.env.BENCH_CLI_ROWS ?? 1_000_000);
// Two rounds of four runs keep 1 000 000 rows inside run.mjs's 10 minutes per file on a quiet machine.
const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 2);
const here = dirname(fileURLToPath(import.meta.url));
// Each CLI contender's --threads ('auto': none given, the default).
const flag = { one: 1, two: 2, auto: 'auto' };
const bin = join(dirname(createRequire(import.meta.url).resolve('@msgkit/cli/package.json')), 'dist', 'bin.mjs');

function loop(file) {
  const child = spawnSync(process.execPath, [join(here, 'cli', 'phone-loop.mjs'), file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`phone loop failed: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

/** `threads`: 1, 2, or 'auto' for the default (no --threads given). */
async function cli(file, out, probeFile, threads) {
  const args = ['--import', join(here, 'cli', 'rss-probe.mjs'), bin, 'normalize', '--csv', ...(threads === 'auto' ? [] : ['--threads', String(threads)]), '--file', file];
  const start = performance.now();
  // stdout is the file itself, as with `> out.csv` in a shell.
  const fd = openSync(out, 'w');
  const child = spawn(process.execPath, args, { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, MSGKIT_BENCH_PROBE_FILE: probeFile } });
  closeSync(fd);
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const code = await new Promise((resolve) => child.on('close', resolve));
  const ms = performance.now() - start;
  if (code !== 0 && code !== 1) throw new Error(`msgkit normalize exited ${code}: ${stderr}`);
  return { ms, ...JSON.parse(readFileSync(probeFile, 'utf8')), stderr };
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-bench-cli-'));
  // The load before the bench does anything: what other processes hold.
  const before = loadavg()[0];
  try {
    const file = join(dir, 'national.csv');
    await writeNationalCsv(file, ROWS);
    const out = join(dir, 'out.csv');
    const probeFile = join(dir, 'probe.json');
    console.log(`${ROWS} national GB rows with a country column (${(statSync(file).size / 1e6).toFixed(1)} MB), ${ROUNDS} alternating rounds`);
    const cores = availableParallelism();
    const loads = [];
    const times = { loop: [], one: [], two: [], auto: [] };
    const cpu = { loop: [], one: [], two: [], auto: [] };
    const rss = { one: [], two: [], auto: [] };
    const summaries = {};
    const chose = [];
    const digests = new Set();
    const bare = { ms: [], cpu: [] };
    let anchor;
    // Each round's order turns, so that neither CLI contender always runs right after the other.
    const orders = [['loop', 'one', 'two', 'auto'], ['auto', 'loop', 'one', 'two'], ['two', 'auto', 'loop', 'one'], ['one', 'two', 'auto', 'loop']];
    for (let round = 0; round < ROUNDS; round++) {
      const roundLoads = [loadavg()[0]];
      for (const name of orders[round % orders.length]) {
        if (name === 'loop') {
          anchor = loop(file);
          bare.ms.push(anchor.ms);
          bare.cpu.push(anchor.cpuMs);
          times.loop.push(anchor.startMs + anchor.ms);
          cpu.loop.push(anchor.startCpuMs + anchor.cpuMs);
        } else {
          const run = await cli(file, out, probeFile, flag[name]);
          times[name].push(run.ms);
          cpu[name].push(run.cpuMs);
          rss[name].push(run.maxRssKb);
          summaries[name] = run.stderr.trim().split('\n').at(-1);
          if (name === 'auto') chose.push(summaries.auto.slice(summaries.auto.lastIndexOf('; --threads ') + 2));
          const text = readFileSync(out);
          let lines = 0;
          for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) lines++;
          if (lines - 1 !== ROWS) throw new Error(`msgkit normalize --csv --threads ${flag[name]} wrote ${lines - 1} rows for ${ROWS}`);
          digests.add(createHash('sha256').update(text).digest('hex'));
        }
      }
      roundLoads.push(loadavg()[0]);
      loads.push(roundLoads);
      console.log(`round ${round + 1}: loop ${(times.loop.at(-1) / 1000).toFixed(2)} s wall, ${(cpu.loop.at(-1) / 1000).toFixed(2)} s CPU; --threads 1 ${(times.one.at(-1) / 1000).toFixed(2)} s, ${(cpu.one.at(-1) / 1000).toFixed(2)} s; --threads 2 ${(times.two.at(-1) / 1000).toFixed(2)} s, ${(cpu.two.at(-1) / 1000).toFixed(2)} s; default ${(times.auto.at(-1) / 1000).toFixed(2)} s, ${(cpu.auto.at(-1) / 1000).toFixed(2)} s (${chose.at(-1)}); peak RSS ${['one', 'two', 'auto'].map((n) => (rss[n].at(-1) / 1024).toFixed(0)).join('/')} MB; load ${roundLoads.map((l) => l.toFixed(2)).join(' → ')}`);
    }
    const anyLoaded = before >= cores / 2 || loads.some((round) => round.some((load) => load >= cores));
    const loopMs = median(times.loop);
    const loopCpu = median(cpu.loop);
    const bareMs = median(bare.ms);
    const bareCpu = median(bare.cpu);
    const perSecond = (ms) => Math.round(ROWS / (ms / 1000));
    const peakMb = (name) => Math.max(...rss[name]) / 1024;
    console.log(`CLI summary (--threads 1): ${summaries.one}`);
    console.log(`CLI summary (--threads 2): ${summaries.two}`);
    console.log(`CLI summary (default, --threads auto): ${summaries.auto}`);
    console.log(`output sha256: ${[...digests].join(', ')} (${digests.size === 1 ? 'the same bytes from all three, every round' : 'DIFFERENT'})`);
    console.log(`phone loop: ${anchor.numbers} of ${anchor.rows} rows are numbers (normalizePhone per row, nothing else; the CLI adds reading, classifying, duplicates, the CSV out)`);
    console.log(`median wall s: phone loop ${(loopMs / 1000).toFixed(2)} (${(bareMs / 1000).toFixed(2)} in the loop itself, ${perSecond(bareMs)} rows/s)`);
    console.log(`median CPU s:  phone loop ${(loopCpu / 1000).toFixed(2)} (${(bareCpu / 1000).toFixed(2)} in the loop itself)`);
    const machine = `${cores} cores, 1-min load ${before.toFixed(1)} before the bench, ${loads.flat().map((l) => l.toFixed(1)).join('/')} at the rounds' starts/ends`;
    const wallNote = anyLoaded ? `LOADED (${machine}): not an idle machine's figure` : `idle (${machine})`;
    for (const name of ['one', 'two', 'auto']) {
      const ms = median(times[name]);
      const cpuMs = median(cpu[name]);
      console.log(
        `msgkit normalize --csv --threads ${flag[name]}${name === 'auto' ? ' (the default)' : ''}: ${(ms / 1000).toFixed(2)} s wall (${perSecond(ms)} rows/s), ${(cpuMs / 1000).toFixed(2)} s CPU (the whole process, its threads included); ` +
          `÷ phone loop: ${ratio(cpuMs, loopCpu)} CPU, ${ratio(ms, loopMs)} wall ${wallNote}; ` +
          `÷ the loop itself: ${ratio(cpuMs, bareCpu)} CPU, ${ratio(ms, bareMs)} wall; peak RSS ${peakMb(name).toFixed(0)} MB`,
      );
    }
    console.log(`--threads 2 ÷ --threads 1: ${ratio(median(times.two), median(times.one))} wall, ${ratio(median(cpu.two), median(cpu.one))} CPU (per round: ${times.two.map((t, i) => ratio(t, times.one[i])).join(', ')} wall)`);
    console.log(`default ÷ --threads 1: ${ratio(median(times.auto), median(times.one))} wall, ${ratio(median(cpu.auto), median(cpu.one))} CPU (per round: ${times.auto.map((t, i) => `${ratio(t, times.one[i])} wall with ${chose[i]}`).join(', ')})`);
    // A bench that only prints its targets passes whatever it measures: misses fail the run. The
    // target is 1.20 against the loop: in CPU for one thread (what it costs on any machine), in wall
    // for the pipeline (what two cores give; it costs more CPU by design), judged on an idle machine only.
    const misses = [];
    const oneCpu = median(cpu.one);
    const twoMs = median(times.two);
    if (!summaries.two.endsWith('; --threads 2')) misses.push(`--threads 2 kept one thread (a file under the worker's threshold?): ${summaries.two}`);
    if (digests.size !== 1) misses.push('--threads 1, --threads 2 and the default wrote different bytes');
    // The default takes a second thread only when the load it read left a core free: never at a round that started with the cores busy.
    chose.forEach((choice, i) => {
      if (choice.startsWith('threads 2') && loads[i][0] >= cores) misses.push(`the default took two threads in round ${i + 1}, which started at load ${loads[i][0].toFixed(2)} on ${cores} cores: ${choice}`);
    });
    if (oneCpu / loopCpu > 1.2) misses.push(`msgkit normalize --csv --threads 1 takes ${ratio(oneCpu, loopCpu)}× the CPU of the phone loop, above the 1.20 target`);
    if (!anyLoaded && twoMs / loopMs > 1.2) misses.push(`msgkit normalize --csv --threads 2 takes ${ratio(twoMs, loopMs)}× the wall time of the phone loop on an idle machine, above the 1.20 target`);
    if (anyLoaded) console.log(`not judged: --threads 2's wall ratio (${ratio(twoMs, loopMs)}), measured on a loaded machine`);
    for (const name of ['one', 'two', 'auto']) if (peakMb(name) >= 300) misses.push(`msgkit normalize --csv --threads ${flag[name]} peaked at ${peakMb(name).toFixed(0)} MB, not under 300 MB`);
    for (const miss of misses) console.log(`MISSED: ${miss}`);
    if (misses.length > 0) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
