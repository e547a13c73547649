/**
 * `msgkit normalize --csv` with its phone checks in a worker thread (phoneWorker.ts): the same bytes
 * as on one thread, the same errors, and no worker left running however the run ends.
 * `--threads 2` with MSGKIT_NORMALIZE_WORKER_BYTES=0 sends even these small files through the worker
 * (and MSGKIT_NORMALIZE_WORKER_START=wait waits for its start, which a short file would not need);
 * `--threads 1` keeps one thread.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Classifier } from './classify';
import { CsvRows } from './csvRows';
import type { Io } from './io';
import { chooseThreads, lastWorkerChunks, liveWorkers, PhoneWorker, useWorker, WORKER_MIN_BYTES, writeThroughWorker } from './phoneWorker';
import { main } from './program';
import { openRecipientsFile } from './recipients';
import { runCli } from './testing';

const dir = mkdtempSync(join(tmpdir(), 'msgkit-phone-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A file this short would be read before the worker has loaded, the main thread judging it all: these runs wait for its start.
const SMALL = { MSGKIT_NORMALIZE_WORKER_BYTES: '0', MSGKIT_NORMALIZE_WORKER_START: 'wait' };
const one = (args: string[]) => runCli([...args, '--threads', '1'], SMALL);
const two = (args: string[]) => runCli([...args, '--threads', '2'], SMALL);

/** A run without its progress lines (one comes each second a run takes, however loaded the machine is) and without the summary's `--threads` (the one difference said). */
const steady = (run: { code: number; stdout: string; stderr: string }) => ({ ...run, stderr: run.stderr.replace(/^normalizing: .*\n/gm, '').replace(/; --threads [12]\n/, '\n') });

/** A list with what a worker could get wrong: many countries (over 255 in a chunk too), repeats across chunks, quotes, CRLF, non-ASCII, blanks, landlines. */
function mixedList(rows: number) {
  const lines = ['name;phone;country'];
  const countries = ['GB', 'DE', 'FR', 'US', '', ' gb'];
  for (let i = 0; i < rows; i++) {
    const country = i % 7 === 0 ? `X${i % 400}` : countries[i % countries.length]!;
    const phone = [`07400 ${100000 + (i % 9000)}`, `030 ${100000 + i}`, `"06 12 34 ${String(i % 100).padStart(2, '0')} 78"`, '', 'n/a', `é0740${i}`, `+1 201 555 ${String(i % 10000).padStart(4, '0')}`, `"0740""0 ${i}"`][i % 8]!;
    lines.push(`${i % 5 === 0 ? `"Doe; ""J"" ${i}"` : `Customer ${i}`};${phone};${country}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('msgkit normalize --csv through the phone worker', () => {
  it('writes byte for byte what one thread writes, with the same summary and exit code', async () => {
    const path = join(dir, 'mixed.csv');
    writeFileSync(path, `\uFEFF${mixedList(30_000)}`);
    for (const args of [['normalize', '--csv', '--file', path], ['normalize', '--csv', '--allow-landline', '--country', 'DE', '--file', path], ['normalize', '--csv', '--file', path, '07400 123456']]) {
      const single = await one(args);
      const pipelined = await two(args);
      expect(pipelined.stdout.length, args.join(' ')).toBeGreaterThan(1_000_000);
      expect(lastWorkerChunks(), args.join(' ')).toBeGreaterThan(0);
      expect(single.stderr).toMatch(/; --threads 1\n$/);
      expect(pipelined.stderr).toMatch(/; --threads 2\n$/);
      expect(steady(pipelined), args.join(' ')).toEqual(steady(single));
      expect(liveWorkers()).toBe(0);
    }
  });

  it('writes every row before an unreadable row late in the file, then the same error, and ends its worker', async () => {
    const good = Array.from({ length: 20_000 }, (_, i) => `Customer ${i},0740${String(i).padStart(7, '0')},GB`);
    const path = join(dir, 'late.csv');
    writeFileSync(path, `name,phone,country\n${good.join('\n')}\nLate,"07400 999999" x,GB\nAfter,07400 999998,GB\n`);
    const single = await one(['normalize', '--csv', '--file', path]);
    const pipelined = await two(['normalize', '--csv', '--file', path]);
    expect(steady(pipelined)).toEqual(steady(single));
    expect(pipelined.code).toBe(1);
    expect(pipelined.stderr).toContain(`${path} row 20002: malformed CSV`);
    expect(pipelined.stdout.trimEnd().split('\n')).toHaveLength(20_001);
    expect(liveWorkers()).toBe(0);
  });

  it('stops quietly when its output closes, and ends its worker', async () => {
    const path = join(dir, 'long.csv');
    writeFileSync(path, `phone,country\n${Array.from({ length: 60_000 }, (_, i) => `07400 ${100_000 + i},GB`).join('\n')}\n`);
    let written = 0;
    // A reader that leaves after 100 kB: the writes after fail as a closed pipe's do.
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.length;
        if (written > 100_000) done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        else done();
      },
    });
    const stderr = new PassThrough();
    stderr.resume();
    const io: Io = { stdout, stderr, env: SMALL, exitCode: 0 };
    const code = await main(['normalize', '--csv', '--threads', '2', '--file', path], io);
    expect(code).toBe(0);
    expect(io.stdoutClosed?.aborted).toBe(true);
    expect(written).toBeLessThan(3_000_000);
    expect(liveWorkers()).toBe(0);
  });

  it('leaves no process behind when stopped with Ctrl-C mid-run', async () => {
    const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.mjs');
    const path = join(dir, 'interrupted.csv');
    writeFileSync(path, `phone,country\n${Array.from({ length: 400_000 }, (_, i) => `07400 ${100_000 + (i % 800_000)},GB`).join('\n')}\n`);
    const child = spawn(process.execPath, [bin, 'normalize', '--csv', '--threads', '2', '--file', path], { stdio: ['ignore', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '', ...SMALL } });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    let rows = 0;
    // Interrupted once the worker's first answers are written out (a run of 400 000 rows writes far more).
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        rows += chunk.toString().split('\n').length - 1;
        if (rows > 10_000 && !child.killed) {
          child.kill('SIGINT');
          resolve();
        }
      }),
    );
    const { code, signal } = await exited;
    expect(signal ?? code).toBe('SIGINT');
    expect(rows).toBeLessThan(400_000);
    // The worker was a thread of the process: with it gone, no pid of the run is left.
    expect(() => process.kill(child.pid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });

  it("keeps one thread for a short file, where the worker's start would cost more than it saves, and with --threads 1", () => {
    expect(useWorker(WORKER_MIN_BYTES - 1, {}, 2)).toBe(false);
    expect(useWorker(WORKER_MIN_BYTES, {}, 2)).toBe(true);
    expect(useWorker(10, SMALL, 2)).toBe(true);
    expect(useWorker(1e9, {}, 1)).toBe(false);
  });

  it('refuses a --threads other than auto, 1 or 2', async () => {
    const { code, stderr } = await runCli(['normalize', '--csv', '--threads', '3', '07400 123456']);
    expect(code).toBe(2);
    expect(stderr).toContain('--threads 3: give auto, 1 or 2');
  });

  it('by default (--threads auto) takes two threads only for a file from 4 MB on a machine of two cores or more whose load is under its cores', () => {
    const idle = { cores: 2, load: 0.4 };
    const big = WORKER_MIN_BYTES;
    expect(chooseThreads('auto', big, {}, idle)).toEqual({ threads: 2, why: 'auto: 2 cores, load 0.40' });
    // Two threads while the cores are not all busy on average; one once the load reaches them.
    expect(chooseThreads('auto', big, {}, { cores: 2, load: 1.6 })).toEqual({ threads: 2, why: 'auto: 2 cores, load 1.60' });
    expect(chooseThreads('auto', big, {}, { cores: 2, load: 2 })).toEqual({ threads: 1, why: 'auto: load 2.00 on 2 cores' });
    expect(chooseThreads('auto', big, {}, { cores: 4, load: 3.9 })).toEqual({ threads: 2, why: 'auto: 4 cores, load 3.90' });
    expect(chooseThreads('auto', big, {}, { cores: 4, load: 4 })).toEqual({ threads: 1, why: 'auto: load 4.00 on 4 cores' });
    expect(chooseThreads('auto', big, {}, { cores: 1, load: 0 })).toEqual({ threads: 1, why: 'auto: one core' });
    expect(chooseThreads('auto', big - 1, {}, idle)).toEqual({ threads: 1, why: 'auto: a file under 4 MB' });
    // Where the system gives no load (Windows answers 0 always), auto cannot tell a busy machine: one thread.
    expect(chooseThreads('auto', big, {}, { cores: 8, load: undefined })).toEqual({ threads: 1, why: 'auto: the load is unknown' });
    // Asked for, each is taken whatever the load (two still only from the worker's threshold).
    expect(chooseThreads(2, big, {}, { cores: 2, load: 12 })).toEqual({ threads: 2, why: undefined });
    expect(chooseThreads(2, big - 1, {}, idle)).toEqual({ threads: 1, why: undefined });
    expect(chooseThreads(1, big, {}, idle)).toEqual({ threads: 1, why: undefined });
    expect(chooseThreads('auto', 10, SMALL, idle)).toEqual({ threads: 2, why: 'auto: 2 cores, load 0.40' });
  });

  it('says after its summary what --threads auto chose and why', async () => {
    const path = join(dir, 'auto.csv');
    writeFileSync(path, 'phone,country\n07400 123456,GB\n');
    const run = await runCli(['normalize', '--csv', '--file', path]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/; --threads 1 \(auto: a file under 4 MB\)\n$/);
    const asked = await runCli(['normalize', '--csv', '--threads', 'auto', '--file', path]);
    expect(asked.stderr).toMatch(/; --threads 1 \(auto: a file under 4 MB\)\n$/);
  });

  it('tells numbers longer than 15 digits apart and finds their repeats across chunks, as one thread does', async () => {
    // The full metadata calls +49 30 1234567890123 a valid German landline: 17 digits, sent back as strings.
    const path = join(dir, 'long-numbers.csv');
    const numbers = ['+4930123456789012', '+493012345678901', '+4930123456789013', '+49301234567890123'];
    writeFileSync(path, `phone\n${Array.from({ length: 40_000 }, (_, i) => (i % 3 === 0 ? numbers[i % 4] : `+4930${1_000_000 + i}`)).join('\n')}\n`);
    const args = ['normalize', '--csv', '--allow-landline', '--file', path, '+4930123456789012'];
    const single = await one(args);
    const pipelined = await two(args);
    expect(pipelined.stderr).toMatch(/^40001 inputs: \d+ unique valid, \d+ duplicates, 0 invalid/m);
    expect(pipelined.stdout).toContain('\n8,+4930123456789013,+4930123456789013,valid,,FIXED_LINE\n');
    expect(steady(pipelined)).toEqual(steady(single));
    expect(lastWorkerChunks()).toBeGreaterThan(0);
    // Without --allow-landline they are refused as not_mobile, their number written beside.
    const refused = await two(['normalize', '--csv', '--file', path]);
    expect(steady(refused)).toEqual(steady(await one(['normalize', '--csv', '--file', path])));
    expect(refused.stdout).toContain('\n8,+4930123456789013,+4930123456789013,invalid,not_mobile,FIXED_LINE\n');
  });

  it('finds a duplicate whose first row was judged by the worker and its repeat by the main thread, and the reverse, across chunk ends, as one thread does', async () => {
    // Reads of 4096 bytes: a row is in the chunk of the read its line ends in. A number comes back
    // 333 rows later (about 5 kB on), in the next chunk or the one after, so repeats cross from even
    // chunks (the worker's here) to odd ones (the main thread's) and back. Every 50th row is a
    // 16-digit number (sent as a string, not as digits), every 97th an invalid one.
    const path = join(dir, 'crossing.csv');
    const rowsOf = (i: number) => (i % 97 === 0 ? '07400 12345x,GB' : i % 50 === 0 ? `+4930123456${789012 + (i % 7)}` : `07400 ${100_000 + (i % 333)},GB`);
    const rows = Array.from({ length: 6000 }, (_, i) => rowsOf(i));
    const header = 'phone,country\n';
    writeFileSync(path, `${header}${rows.join('\n')}\n`);
    const ends: number[] = [];
    rows.reduce((at, r) => ends.push(at + r.length) && at + r.length + 1, header.length);
    const chunkOf = (i: number) => Math.floor(ends[i]! / 4096);
    const firstRow = new Map<string, number>();
    const crossings = { workerThenMain: 0, mainThenWorker: 0 };
    rows.forEach((r, i) => {
      const first = firstRow.get(r);
      if (first === undefined) firstRow.set(r, i);
      else if (chunkOf(first) % 2 !== chunkOf(i) % 2) crossings[chunkOf(first) % 2 === 0 ? 'workerThenMain' : 'mainThenWorker']++;
    });
    expect(crossings.workerThenMain).toBeGreaterThan(100);
    expect(crossings.mainThenWorker).toBeGreaterThan(100);
    const single = await runCli(['normalize', '--csv', '--allow-landline', '--threads', '1', '--file', path]);
    expect(single.stdout).toContain(',duplicate,,MOBILE\n');
    expect(single.stdout).toContain(',duplicate,,FIXED_LINE\n');
    const file = await openRecipientsFile(path, undefined, { chunkSize: 4096 });
    const classifier = new Classifier(undefined, { allowLandline: true });
    const out = new CsvRows();
    const written: Buffer[] = [Buffer.from('row,input,e164,status,error,type\n')];
    const flush = async () => {
      out.settle(classifier.settle());
      written.push(out.take());
      return true;
    };
    const assigned: Array<'worker' | 'main'> = [];
    const assign = (chunk: number) => (assigned[chunk] = chunk % 2 === 0 ? 'worker' : 'main');
    expect(await writeThroughWorker(file, classifier, true, out, flush, { waitForStart: true, assign })).toBe(true);
    expect(assigned).toHaveLength(chunkOf(rows.length - 1) + 1);
    expect(lastWorkerChunks()).toBe(assigned.filter((a) => a === 'worker').length);
    expect(Buffer.concat(written).toString()).toBe(single.stdout);
    const { rows: count, valid, duplicates, invalid } = classifier.tally;
    expect(single.stderr).toContain(`${count} inputs: ${valid} unique valid, ${duplicates} duplicates, ${invalid} invalid;`);
    expect(liveWorkers()).toBe(0);
  });

  it('rejects the chunk the worker failed on with its error, and every chunk after, and the worker ends', async () => {
    const worker = new PhoneWorker({ defaultCountry: 'GB', allowLandline: false });
    await worker.started();
    const good = await worker.write(['07400 123456'], [undefined], [2]);
    expect(Buffer.from(good.bytes).toString()).toBe('2,07400 123456,+447400123456,valid,,MOBILE\n');
    // A cell that is not a string (sent as it is: a chunk of more than 255 countries goes as arrays), which the worker throws on.
    const countries = Array.from({ length: 300 }, (_, i) => `X${i}`);
    const failed = worker.write([42 as unknown as string, ...countries.slice(1).map(() => '07400 123457')], countries, countries.map((_, i) => i + 3));
    await expect(failed).rejects.toThrow(/charCodeAt/);
    await expect(worker.write(['07400 123458'], [undefined], [5])).rejects.toThrow(/charCodeAt/);
    await worker.close();
    expect(liveWorkers()).toBe(0);
  });
});
