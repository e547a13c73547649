/** A delivery-report receiver of a test's own: the webhooks handler recording into Redis through the queue's recorder, on a free 127.0.0.1 port. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeliveryReportFormat } from '@msgkit/core';
import type { Sandbox } from '@msgkit/sandbox';
import { createWebhookHandler, toNodeListener, type WebhookHandler } from '@msgkit/webhooks';
import { createDeliveryRecorder, type DeliveryRecorder, type DeliveryRecorderOptions } from '../recorder';

export interface TestReceiver {
  url: string;
  handler: WebhookHandler;
  recorder: DeliveryRecorder;
  close(): Promise<void>;
}

export async function startTestReceiver(options: { connection: string; prefix: string; formats: readonly DeliveryReportFormat[]; secret: string; port?: number; recorder?: Partial<DeliveryRecorderOptions> }): Promise<TestReceiver> {
  const recorder = await createDeliveryRecorder({ ...options.recorder, connection: options.connection, prefix: options.prefix });
  const handler = createWebhookHandler({ formats: options.formats, secrets: [options.secret], record: recorder.record });
  const server: Server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handler,
    recorder,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await recorder.close();
    },
  };
}

/**
 * Waits for every report the sandbox posted, posts again each one it gave up on (its own timeout, on
 * a loaded machine) as a vendor retries, waits for the receiver's work and places the reports that
 * overtook their batch's answer or ticket: resolves with how many still wait (the recorder's flush).
 */
export async function receiveAll(sandbox: Sandbox, receiver: TestReceiver): Promise<number> {
  await sandbox.settled();
  for (const d of sandbox.deliveries()) {
    if (d.ok || d.dropped || d.status === 403) continue;
    for (;;) {
      const status = (await fetch(d.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(d.body) })).status;
      if (status === 200 || status === 403) break;
    }
  }
  await receiver.handler.drain();
  return receiver.recorder.flush();
}
