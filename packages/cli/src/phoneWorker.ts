/**
 * `msgkit normalize --csv` on a long list, on two threads (issue 20): the phone numbers' checks
 * (normalizePhone with full metadata) and the writing of their rows run in a worker thread, a chunk
 * of the file at a time, while the main thread reads the file, judges and writes the chunks the
 * worker has no room for, checks duplicates in the rows' order (rewriting the rows that are),
 * writes the output and draws the progress line. On two cores the run takes about as long as half
 * the work instead of all of it; it uses more CPU time in all (the worker loads the metadata too,
 * each chunk's cells are copied to it and its rows back).
 */
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Classifier } from './classify';
import { ChunkWriter, READY, type WrittenChunk } from './judgeChunk';
import type { CsvRows } from './csvRows';
import type { RecipientsFile } from './recipients';

/** What the worker is started with. */
export interface PhoneWorkerData {
  defaultCountry: string | undefined;
  allowLandline: boolean;
}

/**
 * A chunk's phone cells, country cells and lines, in the file's order: the cells as one string and
 * their lengths, the countries as indexes into the chunk's few distinct ones. Copying a million
 * small strings one by one to the worker cost more than half the time the worker saved.
 */
export interface JudgeRequest {
  text: string;
  lengths: Uint32Array;
  /** 0: no country cell; else 1 + the index in `countryNames`. */
  countries: Uint8Array;
  countryNames: string[];
  /** Each row's line in the file (its row number in the output). */
  lines: Float64Array;
}

/**
 * Below this many bytes of file, one thread even with `--threads 2`: starting the worker and loading
 * the phone metadata in it costs about 0.15–0.25 s of CPU time, and the phone checks of ~20-byte rows
 * run about 1 µs a row, so a file under about 4 MB (125 000 rows of 32 bytes, as in the bench; 200 000
 * of 20) would wait for the worker's start longer than it saves. An estimate from those two figures,
 * not a measured sweep. MSGKIT_NORMALIZE_WORKER_BYTES sets another size (the tests send small files
 * through the worker with 0).
 */
export const WORKER_MIN_BYTES = 4 * 1024 * 1024;

/**
 * `--threads`: `auto` (the default), 1 or 2. The pipeline spends more CPU time than one thread (the
 * worker's own metadata load, each chunk's cells copied to it and its answers back: 1.18–1.52× one
 * thread's CPU in `pnpm bench cli-normalize`), which it gives back in wall time only where a second
 * core is free: 0.75× and 0.86× one thread's wall on this 2-core machine idle, 0.89× at load 3–3.6,
 * but 1.07–1.27× at load 6–12 (medians of alternating rounds). (The kernel here groups a session's
 * threads for its CPU share (sched_autogroup_enabled = 1): under load a second thread may get the
 * process no more CPU.) So `auto` takes two threads only where the machine says a core is free.
 */
export type ThreadsOption = 'auto' | 1 | 2;

/** What `auto` looks at: the cores, and the 1-minute load average (undefined where the system gives none). */
export interface Machine {
  cores: number;
  load: number | undefined;
}

/** This machine now. Windows has no load average (os.loadavg() answers zeros there): unknown. */
export const thisMachine = (): Machine => ({ cores: availableParallelism(), load: process.platform === 'win32' ? undefined : loadavg()[0] });

/** Whether a file of `size` bytes goes through the worker, `threads` being `--threads` 1 or 2 as given (or as auto chose). */
export function useWorker(size: number, env: Record<string, string | undefined>, threads: 1 | 2): boolean {
  return threads === 2 && size >= workerThreshold(env);
}

function workerThreshold(env: Record<string, string | undefined>): number {
  const setting = env.MSGKIT_NORMALIZE_WORKER_BYTES;
  return setting !== undefined && /^\d+$/.test(setting) ? Number(setting) : WORKER_MIN_BYTES;
}

/**
 * The threads a file of `size` bytes is read with. `auto` takes 2 for a file from the worker's
 * threshold when the machine has 2 cores or more and its 1-minute load is under its cores (load <
 * cores: on 2 cores, under 2), else 1: where the other processes hold the cores, the second thread
 * cost CPU time and gave no wall time back (1.07–1.51× one thread's wall at load 6–12 on 2 cores),
 * while with some of them free it paid (0.69× one thread's wall at load 1.3–1.6, 0.89× at 3–3.6:
 * `pnpm bench cli-normalize`; an earlier rule, load < cores − 1, kept one thread at load 1.3–1.6,
 * where the bench's own processes alone keep a 2-core machine). `why` says
 * what auto saw (printed after the summary); undefined when the threads were asked for.
 */
export function chooseThreads(requested: ThreadsOption, size: number, env: Record<string, string | undefined>, machine: Machine): { threads: 1 | 2; why: string | undefined } {
  if (requested !== 'auto') return { threads: useWorker(size, env, requested) ? 2 : 1, why: undefined };
  const threshold = workerThreshold(env);
  const { cores, load } = machine;
  if (size < threshold) return { threads: 1, why: `auto: a file under ${threshold === WORKER_MIN_BYTES ? '4 MB' : `${threshold} bytes`}` };
  if (cores < 2) return { threads: 1, why: 'auto: one core' };
  if (load === undefined) return { threads: 1, why: 'auto: the load is unknown' };
  if (load >= cores) return { threads: 1, why: `auto: load ${load.toFixed(2)} on ${cores} cores` };
  return { threads: 2, why: `auto: ${cores} cores, load ${load.toFixed(2)}` };
}

let live = 0;
let lastRun: PhoneWorker | undefined;

/** How many chunks the worker of the last run through it judged (tests: the worker's path was taken). */
export const lastWorkerChunks = () => lastRun?.answered ?? 0;

/** How many phone workers are running (tests: none is left behind by any way a run ends). */
export const liveWorkers = () => live;

const workerUrl = () =>
  // From the sources (tests), the built worker: a worker thread cannot load TypeScript.
  import.meta.url.endsWith('.ts') ? new URL('../dist/normalizeWorker.mjs', import.meta.url) : new URL('./normalizeWorker.mjs', import.meta.url);

/** The worker thread, answering chunks in the order they were sent. */
export class PhoneWorker {
  readonly #worker: Worker;
  readonly #waiting: Array<{ resolve: (written: WrittenChunk) => void; reject: (error: unknown) => void }> = [];
  #failure: { error: unknown } | undefined;
  #closed: Promise<void> | undefined;
  #ready = false;
  #answered = 0;

  /** True once the worker has loaded (the phone metadata with it): a chunk sent before would wait for its start. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Chunks the worker has judged (tests: the worker's path was taken). */
  get answered(): number {
    return this.#answered;
  }

  /** Resolves once the worker has loaded, rejects if it failed first. */
  started(): Promise<void> {
    if (this.#ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        this.#worker.off('message', check);
        if (this.#ready) resolve();
      };
      this.#worker.on('message', check);
      this.#worker.once('error', reject);
      this.#worker.once('exit', () => reject(this.#failure?.error ?? new Error('the phone worker stopped')));
    });
  }

  constructor(data: PhoneWorkerData) {
    this.#worker = new Worker(workerUrl(), { workerData: data });
    live++;
    // Never what keeps the process alive: close() ends it, and so does the process's end.
    this.#worker.unref();
    this.#worker.on('message', (written: WrittenChunk | typeof READY) => {
      if (written === READY) this.#ready = true;
      else {
        this.#answered++;
        this.#waiting.shift()?.resolve(written);
      }
    });
    const fail = (error: unknown) => {
      this.#failure ??= { error };
      for (const waiting of this.#waiting.splice(0)) waiting.reject(this.#failure.error);
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => {
      live--;
      fail(new Error(`the phone worker stopped (exit code ${code})`));
    });
  }

  /** Judges and writes a chunk's rows: phone cells, each with its row's country cell and line (see JudgeRequest). */
  write(inputs: string[], countries: Array<string | undefined>, lines: number[]): Promise<WrittenChunk> {
    if (this.#failure) return Promise.reject(this.#failure.error);
    const answer = new Promise<WrittenChunk>((resolve, reject) => this.#waiting.push({ resolve, reject }));
    const lineArray = Float64Array.from(lines);
    const encoded = request(inputs, countries, lineArray);
    if (encoded) this.#worker.postMessage(encoded.request, encoded.transfer);
    else this.#worker.postMessage({ inputs, countries, lines: lineArray }, [lineArray.buffer]);
    return answer;
  }

  /** Ends the worker; resolves once it has exited. */
  close(): Promise<void> {
    this.#closed ??= this.#worker.terminate().then(() => undefined);
    return this.#closed;
  }
}

/**
 * Chunks read and not yet written before the main thread waits for the oldest. While the worker
 * works through its WORKER_QUEUE chunks the main thread judges about as many itself, each behind
 * the worker's oldest: at 10 it waited for the worker 3.6–6.1 % of a run (profiles of 1 000 000
 * rows at load 6–7), at 16 0.9–2.1 %.
 */
const IN_FLIGHT = 16;

/**
 * Chunks the worker may have waiting: a chunk read while it has that many is judged and written by
 * the main thread itself, as soon as it is read, so both threads share the phone checks and the
 * rows' writing as their pace allows. With 2 waiting (about 5 ms of work) the worker ran dry while
 * the main thread judged a chunk or was put off the core: idle 3–10 % of a run, against 0.3–3.7 %
 * with 4 (profiles at load 6–7).
 */
const WORKER_QUEUE = 4;

interface Chunk {
  /** The worker's answer; none for a chunk written by the main thread. */
  answer: Promise<WrittenChunk> | undefined;
  written?: WrittenChunk;
}

/** The request for a chunk's cells (see JudgeRequest); undefined when its countries are too many to index in a byte. */
function request(inputs: string[], countries: Array<string | undefined>, lines: Float64Array): { request: JudgeRequest; transfer: ArrayBuffer[] } | undefined {
  const count = inputs.length;
  const lengths = new Uint32Array(count);
  const indexes = new Uint8Array(count);
  const countryNames: string[] = [];
  let lastCountry: string | undefined;
  let lastIndex = 0;
  for (let i = 0; i < count; i++) {
    lengths[i] = inputs[i]!.length;
    const country = countries[i];
    if (country === undefined) continue;
    if (country !== lastCountry) {
      lastCountry = country;
      lastIndex = countryNames.indexOf(country) + 1;
      if (lastIndex === 0) {
        if (countryNames.length === 255) return undefined;
        lastIndex = countryNames.push(country);
      }
    }
    indexes[i] = lastIndex;
  }
  return { request: { text: inputs.join(''), lengths, countries: indexes, countryNames, lines }, transfer: [lengths.buffer, indexes.buffer, lines.buffer as ArrayBuffer] };
}

/** Test hook: who judges and writes the chunk of this index (0 the first), instead of the worker's queue deciding. */
export type ChunkAssignment = (chunk: number) => 'worker' | 'main';

/**
 * Writes every row of `file` to `out` as `msgkit normalize --csv` does on one thread (same bytes,
 * same order, same tally), with the phone checks in a worker. `flush` hands `out`'s rows to stdout
 * and answers false once stdout takes no more (then this stops and answers false). A row the file
 * cannot give (RecipientsFileError) ends it after every row before it is written, as on one thread.
 * The worker is ended on every way out.
 */
export async function writeThroughWorker(
  file: RecipientsFile,
  classifier: Classifier,
  allowLandline: boolean,
  out: CsvRows,
  flush: () => Promise<boolean>,
  { waitForStart = false, assign }: { waitForStart?: boolean; assign?: ChunkAssignment } = {},
): Promise<boolean> {
  const worker = new PhoneWorker({ defaultCountry: classifier.defaultCountry, allowLandline });
  lastRun = worker;
  const here = new ChunkWriter(classifier.defaultCountry, allowLandline);
  const pending: Chunk[] = [];
  let chunks = 0;
  let inputs: string[] = [];
  let countries: Array<string | undefined> = [];
  let lines: number[] = [];
  let sent = 0;
  let expected = false;
  let waiting = 0;
  const send = () => {
    if (inputs.length === 0) return;
    const chunk: Chunk = { answer: undefined };
    const index = chunks++;
    // Until the worker has loaded (about 0.2–0.3 s), the main thread judges every chunk and writes it at once, rather than wait for its start.
    if (assign ? assign(index) === 'main' : !worker.ready || waiting >= WORKER_QUEUE) chunk.written = here.write(inputs, countries, lines);
    else {
      waiting++;
      const answer = (chunk.answer = worker.write(inputs, countries, lines));
      // Read when its turn comes; until then a failure must not count as unhandled.
      answer.then(
        (written) => {
          waiting--;
          chunk.written = written;
        },
        () => {},
      );
    }
    pending.push(chunk);
    sent += inputs.length;
    inputs = [];
    countries = [];
    lines = [];
  };
  const writeOldest = async () => {
    const chunk = pending.shift()!;
    const written = chunk.written ?? (await chunk.answer!);
    // Its usable numbers are written valid; their duplicate check comes with flush's settle, in file order.
    out.append(written.bytes, written.statusAt);
    classifier.countChunk(written);
    return flush();
  };
  try {
    // Tests: a short file would otherwise be read before the worker has loaded, and never reach it.
    if (waitForStart) await worker.started();
    let failure: { error: unknown } | undefined;
    try {
      for await (const _ of file.scan((input, country, line) => {
        inputs.push(input);
        countries.push(country);
        lines.push(line);
      })) {
        // Room for as many numbers as the first chunk's rows promise for the whole file.
        if (!expected && file.bytesRead() > 0) {
          expected = true;
          classifier.expect(Math.ceil(((sent + inputs.length) * file.size) / file.bytesRead()));
        }
        send();
        while (pending.length > 0 && (pending.length >= IN_FLIGHT || pending[0]!.written)) if (!(await writeOldest())) return false;
      }
    } catch (error) {
      // The rows read before an unreadable one are written before its error, as on one thread.
      failure = { error };
    }
    send();
    while (pending.length > 0) if (!(await writeOldest())) return false;
    if (failure) throw failure.error;
    return true;
  } finally {
    await worker.close();
  }
}
