/**
 * `msgkit webhooks serve --redis`: delivery reports of queue campaigns into the queue's Redis, each
 * answered 200 only once Redis holds it (`createDeliveryRecorder` of @msgkit/queue as the handler's
 * `record`). Reports that overtook their batch's answer wait in Redis and are placed every
 * `flushEveryMs` once the worker has recorded the answer.
 */
import type { DeliveryRecorder } from '@msgkit/queue';
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
