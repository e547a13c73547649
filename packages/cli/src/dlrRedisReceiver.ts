/**
 * `msgkit webhooks serve --redis`: delivery reports of queue campaigns into the queue's Redis, each
 * answered 200 only once Redis holds it (`createDeliveryRecorder` of @msgkit/queue as the handler's
 * `record`). Reports that overtook their batch's answer wait in Redis and are placed every
 * `flushEveryMs` once the worker has recorded the answer.
 */
import type { DeliveryRecorder, RecorderPersistence } from '@msgkit/queue';
import type { WebhookHandler } from '@msgkit/webhooks';
import { reportHandler, serveReports, type ReportServerOptions } from './dlrReceiver';

export interface RedisReceiverOptions extends ReportServerOptions {
  /** `createDeliveryRecorder` of the queue, connected to the campaigns' Redis and prefix. */
  recorder: DeliveryRecorder;
  /** Called after each flush (of the timer or `flush()`), e.g. to say how many reports aged out; its failure is ignored. */
  afterFlush?: () => Promise<void>;
}

export interface RedisReceiver {
  url: string;
  handler: WebhookHandler;
  /** Places the reports that wait for their batch's answer; resolves with how many still wait. */
  flush(): Promise<number>;
  /** Stops taking reports, waits for the ones taken, places what it can and closes the recorder; resolves with the reports still waiting. */
  close(): Promise<number>;
}

export async function startRedisReceiver(options: RedisReceiverOptions): Promise<RedisReceiver> {
  const { recorder } = options;
  const handler = reportHandler(options, recorder.record);
  let flushing: Promise<number> = Promise.resolve(0);
  const flush = () =>
    (flushing = flushing
      .catch(() => 0)
      .then(async () => {
        const waiting = await recorder.flush();
        await options.afterFlush?.().catch(() => undefined);
        return waiting;
      }));
  const timer = setInterval(() => void flush().catch(() => undefined), options.flushEveryMs ?? 1000);
  const { server, url } = await serveReports(handler, options).catch(async (error) => {
    clearInterval(timer);
    await recorder.close();
    throw error;
  });
  return {
    url,
    handler,
    flush,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearInterval(timer);
      await handler.drain();
      const waiting = await flush().catch(() => -1);
      await recorder.close();
      return waiting;
    },
  };
}

/**
 * What a crash can lose of the reports this receiver answered 200, given what Redis said at start
 * (a vendor does not resend a report it got 200 for): one line per fact, printed when it starts.
 */
export function persistenceNotice(p: RecorderPersistence, address: string): string[] {
  const recover = 'msgkit reconcile --campaign asks the vendors for them again, except Octopush, which has no status lookup';
  if (p.mode === 'accept-loss') {
    return [`--redis-persistence accept-loss: Redis at ${address} was not checked for an append-only file. A restart without one loses every report answered 200 since its last snapshot; ${recover}.`];
  }
  if (p.appendfsync === 'always') return [`Redis at ${address} writes each report to its append-only file before answering (appendfsync always): a report answered 200 survives a crash of Redis or of the machine.`];
  const everysec = `a crash of the machine or a power cut can lose the reports answered 200 in about the last second (up to 2 s when the disk stalls; a crash of Redis alone loses none); ${recover}. appendfsync always loses none.`;
  if (p.appendfsync === 'everysec') return [`Redis at ${address} syncs its append-only file every second (appendfsync everysec): ${everysec}`];
  return [`Redis at ${address} hides its settings (CONFIG is disabled) and says it writes an append-only file (--redis-persistence trust-aof). With appendfsync everysec, ${everysec}`];
}

/** A duration in ms as the flags take it (`24h`, `90m`, `30s`, days from 2 days on; ms when no unit divides it). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms >= (unit === 'd' ? 2 * size : size) && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** What the receiver does with reports on an account URL whose ticket no batch recorded: printed when it starts (`defaultWindowMs`: the queue's DEFAULT_KEPT_WINDOW_MS). */
export function keptNotice(kept: DeliveryRecorder['kept'], counts: { kept: number; agedOut: number }, defaultWindowMs: number): string {
  return `reports on an account URL (Octopush) whose ticket no batch recorded are kept (${counts.kept} now); a ticket still unknown ${formatDuration(kept.keptWindowMs)} after its first report moves its reports aside unplaced (--kept-window ${formatDuration(kept.keptWindowMs)}${kept.keptWindowMs === defaultWindowMs ? ", the default: Octopush's request_id lifetime" : ''}), counted (${counts.agedOut} so far) and the newest ${kept.agedOutCap} kept for proof (--aged-out-cap); each flush reads at most ${kept.keptPerFlush} tickets of each kind`;
}
