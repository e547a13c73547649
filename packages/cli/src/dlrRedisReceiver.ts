/**
 * `msgkit webhooks serve --redis`: delivery reports of queue campaigns into the queue's Redis, each
 * answered 200 only once Redis holds it (`createDeliveryRecorder` of @msgkit/queue as the handler's
 * `record`). Reports that overtook their batch's answer wait in Redis and are placed every
 * `flushEveryMs` once the worker has recorded the answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeliveryRecorder } from '@msgkit/queue';
import { createWebhookHandler, toNodeListener, type WebhookHandler } from '@msgkit/webhooks';
import type { ReportServerOptions } from './dlrReceiver';

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
  const handler = createWebhookHandler({
    formats: options.formats,
    ...(options.secrets && { secrets: options.secrets }),
    ...(options.auth && { auth: options.auth }),
    ...(options.vendor !== undefined && { vendor: options.vendor }),
    ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
    ...(options.publicOrigin !== undefined && { publicOrigin: options.publicOrigin }),
    record: recorder.record,
    onRefused: (reason, detail) => options.onRefused?.(reason, detail.status),
  });
  let flushing: Promise<number> = Promise.resolve(0);
  const flush = () => (flushing = flushing.catch(() => 0).then(() => recorder.flush()));
  const timer = setInterval(() => void flush().catch(() => undefined), options.flushEveryMs ?? 1000);
  const server: Server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  }).catch(async (error) => {
    clearInterval(timer);
    await recorder.close();
    throw error;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
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
