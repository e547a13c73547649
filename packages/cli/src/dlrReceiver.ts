/**
 * `msgkit webhooks serve`: delivery reports into a campaign journal. A report is answered 200 only
 * once it is on disk: in the journal as a `delivery` record when the journal is free, else in a
 * spool beside it (`<journal>.dlr`, appended and fdatasynced), moved into the journal as soon as
 * the journal's lock is free. A report that names no recipient (SMS.CX's name only the message id)
 * and overtook the send's answer waits in the spool as unplaced until the journal holds that answer.
 * The spool exists because `msgkit send` holds the journal's lock for
 * the whole send, and reports arrive while it runs; `msgkit report` and `msgkit reconcile` read the
 * spool too, so nothing recorded is missing from an answer. Moving twice (a crash between the
 * journal append and the spool's truncation) only repeats a report, which reduces to the same state.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { open, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DeliveryEvent, DeliveryReportFormat } from '@msgkit/core';
import { JournalLockedError, readJournal, reopenFileJournal, type BeginLine, type CampaignHeader, type StateLine } from '@msgkit/journal';
import { createWebhookHandler, toNodeListener, type CallbackAuthenticator, type ReportBatch, type WebhookHandler } from '@msgkit/webhooks';

export const spoolPath = (journal: string) => `${journal}.dlr`;

/** A report of another campaign, or a journal that cannot be read: answered 500, so the vendor sends it again. */
export class UnplacedReportError extends Error {
  override name = 'UnplacedReportError';
}

/** What a report receiver serves with, wherever it records: a journal (this file) or a queue's Redis (dlrRedisReceiver.ts). */
export interface ReportServerOptions {
  formats: readonly DeliveryReportFormat[];
  secrets?: readonly (string | Uint8Array)[];
  auth?: Readonly<Record<string, CallbackAuthenticator>>;
  /** Vendor of callbacks that carry no msgkit token (the journal's provider; Infobip's account webhook, with BASIC security). */
  vendor?: string;
  host?: string;
  port?: number;
  trustProxy?: boolean;
  publicOrigin?: string;
  /** How often reports not yet placed are tried again (default 1 s): into a journal another run holds, or onto a batch whose answer is not recorded yet. */
  flushEveryMs?: number;
  onRefused?: (reason: string, status: number) => void;
}

/** The webhook handler of a receiver: the options' verification, each verified batch handed to `record`. */
export function reportHandler(options: ReportServerOptions, record: (batch: ReportBatch) => Promise<void> | void): WebhookHandler {
  return createWebhookHandler({
    formats: options.formats,
    ...(options.secrets && { secrets: options.secrets }),
    ...(options.auth && { auth: options.auth }),
    ...(options.vendor !== undefined && { vendor: options.vendor }),
    ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
    ...(options.publicOrigin !== undefined && { publicOrigin: options.publicOrigin }),
    record,
    onRefused: (reason, detail) => options.onRefused?.(reason, detail.status),
  });
}

/** Serves `handler` on the options' host and port (127.0.0.1 and a free port by default): the server, listening, and its URL. */
export async function serveReports(handler: WebhookHandler, options: Pick<ReportServerOptions, 'host' | 'port'>): Promise<{ server: Server; url: string }> {
  const server: Server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${host}:${address.port}` };
}

export interface ReceiverOptions extends ReportServerOptions {
  journal: string;
}

export interface Receiver {
  url: string;
  handler: WebhookHandler;
  /** Reports waiting in the spool (the journal was busy). */
  spooled(): number;
  /** Moves spooled reports into the journal now, if its lock is free; true when the spool is empty after. */
  flush(): Promise<boolean>;
  /** Stops taking reports, then moves the spool into the journal (false: the journal stayed busy; the spool is kept). */
  close(): Promise<boolean>;
}

const digits = (to: string) => to.replace(/\D/g, '');

/** A report kept in the spool until the send's answer names its recipient (SMS.CX reports name none). */
export const UNPLACED = -1;

/** Where a report belongs in the journal: its batch and the recipient as the journal spells it. */
class Placement {
  header: CampaignHeader | undefined;
  readonly #byNumber = new Map<string, { i: number; to: string }>();
  readonly #byMessage = new Map<string, { i: number; to: string }>();
  readonly #batches = new Map<number, string[]>();
  #readBytes = -1;
  /** The read under way: reports that arrive while it runs wait for it rather than each reading the whole journal again. */
  #reading: Promise<void> | undefined;
  constructor(private readonly path: string) {}

  /** Reads the journal again when it grew since the last read (a batch begun, a send's answer recorded); one read at a time. */
  refresh(): Promise<void> {
    this.#reading ??= this.#read().finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  async #read(): Promise<void> {
    const size = await stat(this.path).then(
      (s) => s.size,
      () => -1,
    );
    // No journal yet: the send has not begun, and the report waits in the spool.
    if (size === -1 || (size === this.#readBytes && this.header)) return;
    const contents = await readJournal(
      this.path,
      (b: BeginLine) => {
        this.#batches.set(b.i, b.to);
        for (const to of b.to) this.#byNumber.set(digits(to), { i: b.i, to });
      },
      (s: StateLine) => {
        const e = s.t === 'delivery' ? (s.e as unknown as DeliveryEvent) : undefined;
        const to = e?.reference?.recipient ?? e?.to;
        if (e && to !== undefined) this.#byMessage.set(messageKey(e), { i: s.i, to });
      },
    ).catch((error: NodeJS.ErrnoException) => {
      throw new UnplacedReportError(`cannot read the journal ${this.path}: ${error.code ?? error.message}`);
    });
    // A chain's journal (v2) records attempts: a batch's first is sent to all of its recipients.
    if (contents.header.v === 2) {
      try {
        for (const i of contents.attempts.keys()) {
          if (this.#batches.has(i)) continue;
          const to = contents.attempts.read(this.path, i)[0]?.recipients ?? [];
          this.#batches.set(i, [...to]);
          for (const n of to) this.#byNumber.set(digits(n), { i, to: n });
        }
      } finally {
        // Each refresh reads the journal anew: its reader must not outlive it.
        contents.attempts.closeReader();
      }
    }
    this.header = contents.header;
    this.#readBytes = size;
  }

  /**
   * A report's batch and recipient, or undefined when the journal does not know its message yet (a
   * report can overtake the send's answer). Refuses a report of another campaign.
   */
  async place(reported: DeliveryEvent): Promise<{ i: number; to: string } | undefined> {
    // The reference `msgkit send --dlr-url` had the vendor echo: for callbacks without msgkit's token (Infobip's account webhook).
    const echoed = /^msgkit:(.+):(\d+)$/.exec(reported.echo ?? '');
    const event = echoed ? { ...reported, reference: { campaign: echoed[1]!, batch: Number(echoed[2]), ...reported.reference } } : reported;
    let found = this.#find(event);
    if (!found) {
      await this.refresh();
      found = this.#find(event);
    }
    const campaign = event.reference?.campaign;
    if (this.header && campaign !== undefined && campaign !== this.header.campaignId) throw new UnplacedReportError(`a report of campaign ${campaign} reached the receiver of ${this.header.campaignId} (${this.path})`);
    return found;
  }

  #find(event: DeliveryEvent): { i: number; to: string } | undefined {
    if (!this.header) return undefined;
    const number = event.reference?.recipient ?? event.to;
    if (number === undefined) return this.#byMessage.get(messageKey(event));
    const batch = event.reference?.batch;
    if (batch !== undefined) {
      const to = this.#batches.get(batch)?.find((t) => digits(t) === digits(number));
      return to === undefined ? undefined : { i: batch, to };
    }
    return this.#byNumber.get(digits(number));
  }
}

const messageKey = (e: DeliveryEvent) => `${e.vendor}\u0000${e.messageId}`;

const placed = (event: DeliveryEvent, at: { i: number; to: string }): StateLine => ({ t: 'delivery', i: at.i, e: { ...event, reference: { ...event.reference, recipient: at.to } } as unknown as Record<string, unknown> });

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const placement = new Placement(options.journal);
  const spool = spoolPath(options.journal);
  let file = await open(spool, 'a');
  const kept = await readSpool(spool);
  // A line torn by a crash was never answered 200; cut it off, or the next line would join it.
  await file.truncate(kept.validBytes);
  let spooled = kept.lines.length;
  // One chain for every spool write and every move into the journal: a move never truncates a line it has not copied.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };

  // Moves go one at a time, on their own chain: opening the journal reads it whole, which takes long
  // once it is large, and reports keep being answered (into the spool) meanwhile.
  let moving: Promise<unknown> = Promise.resolve();
  const oneMove = <T>(work: () => Promise<T>): Promise<T> => {
    const next = moving.then(work);
    moving = next.catch(() => undefined);
    return next;
  };

  const moveSpool = (): Promise<boolean> =>
    oneMove(async () => {
      if (spooled === 0 && (await readSpool(spool)).lines.length === 0) return true;
      let journal: Awaited<ReturnType<typeof reopenFileJournal>>;
      try {
        // A brief hold: a send that opens the journal meanwhile waits for it rather than being refused.
        journal = await reopenFileJournal(options.journal, { brief: true });
      } catch (error) {
        if (error instanceof JournalLockedError || (error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
      let open = true;
      try {
        const close = (): Promise<void> => {
          open = false;
          return journal.close();
        };
        return await serial(() => moveInto(journal, close));
      } finally {
        if (open) await journal.close();
      }
    });

  /** Inside the spool's chain: every spooled line the journal can place, appended to it; the spool then emptied or replaced. */
  const moveInto = async (journal: Awaited<ReturnType<typeof reopenFileJournal>>, close: () => Promise<void>): Promise<boolean> => {
    const { lines } = await readSpool(spool);
    if (lines.length === 0) return true;
    const moved: StateLine[] = [];
    const kept: StateLine[] = [];
    try {
      // The journal is free, so every answer the send recorded is in it now.
      for (const l of lines) {
        if (l.i !== UNPLACED) moved.push(l);
        else {
          const e = (l as { e: Record<string, unknown> }).e as unknown as DeliveryEvent;
          const at = await placement.place(e).catch(() => undefined);
          if (at) moved.push(placed(e, at));
          else kept.push(l);
        }
      }
      // Queued together, FileJournal writes them in one write and one fdatasync.
      await Promise.all(moved.map((l) => journal.note(l)));
    } finally {
      await close();
    }
    if (kept.length === 0) {
      // Every line is in the journal, durably: the spool may be emptied in place.
      await file.truncate(0);
      await file.datasync();
    } else {
      // Lines still unplaced were answered 200 and live only here: the spool is replaced whole
      // (a new file made durable, then renamed over it), never truncated and written again, so a
      // crash at any point leaves either the old spool (its moved lines only repeat reports) or the new one.
      file = await replaceSpool(spool, file, kept);
    }
    spooled = kept.length;
    return kept.length === 0;
  };

  const record = async (batch: ReportBatch): Promise<void> => {
    const lines: StateLine[] = [];
    for (const event of batch.events) {
      const at = await placement.place(event);
      lines.push(at ? placed(event, at) : { t: 'delivery', i: UNPLACED, e: event as unknown as Record<string, unknown> });
    }
    await serial(async () => {
      await file.appendFile(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
      await file.datasync();
      spooled += lines.length;
    });
    schedule();
  };

  const handler = reportHandler(options, record);

  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void moveSpool()
        .catch(() => false)
        .then((done) => {
          if (!done) schedule();
        });
    }, options.flushEveryMs ?? 1000);
  };
  if (spooled > 0) schedule();

  const { server, url } = await serveReports(handler, options).catch(async (error: unknown) => {
    // Nothing was answered: stop the move scheduled for an earlier spool and let go of the spool file.
    clearTimeout(timer);
    timer = undefined;
    await chain;
    await file.close();
    throw error;
  });
  return {
    url,
    handler,
    spooled: () => spooled,
    flush: moveSpool,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearTimeout(timer);
      timer = undefined;
      await handler.drain();
      const done = await moveSpool().catch(() => false);
      await chain;
      await file.close();
      return done;
    },
  };
}

/** Writes `lines` to a new file, fdatasyncs it, renames it over `spool` and syncs the folder; returns the new spool opened for appending (`old` is closed). */
async function replaceSpool(spool: string, old: FileHandle, lines: readonly StateLine[]): Promise<FileHandle> {
  const next = `${spool}.new`;
  const fresh = await open(next, 'w');
  try {
    await fresh.writeFile(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    await fresh.datasync();
  } finally {
    await fresh.close();
  }
  await rename(next, spool);
  const folder = await open(dirname(spool), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
  await old.close();
  return open(spool, 'a');
}

/** The spool's complete lines (a torn last line was never answered 200: the vendor sends it again). */
export async function readSpool(path: string): Promise<{ lines: StateLine[]; validBytes: number }> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const lines: StateLine[] = [];
  let validBytes = 0;
  const parts = text.split('\n');
  // The last part follows the last newline: empty, or a torn line.
  for (const line of parts.slice(0, -1)) {
    try {
      lines.push(JSON.parse(line) as StateLine);
    } catch {
      break;
    }
    validBytes += Buffer.byteLength(line) + 1;
  }
  return { lines, validBytes };
}
