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
  const flush = () => (flushing = flushing.catch(() => 0).then(() => recorder.flush()));
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
