// A delivery-report receiver for SMS.CX on node:http. Give each send a callback URL from
// `createCallbackUrl` (signed with the same secret, expiring); forged, tampered, expired and replayed
// reports are refused before `onReports` sees them.
//
//   MSGKIT_WEBHOOK_SECRET=<32 bytes or more> PORT=8080 node dist/webhook-receiver.js
//
// It prints `listening on <url>` once it takes reports, then one line per message state, and stops
// on SIGINT or SIGTERM after the reports it accepted have been handled.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { smscxReports } from '@msgkit/smscx';
import { createWebhookHandler, toNodeListener } from '@msgkit/webhooks';

const secret = process.env.MSGKIT_WEBHOOK_SECRET;
if (!secret || Buffer.byteLength(secret) < 32) {
  console.error('usage: MSGKIT_WEBHOOK_SECRET=<32 bytes or more> [PORT=8080] [HOST=127.0.0.1] node dist/webhook-receiver.js');
  process.exit(2);
}

const reports = createWebhookHandler({
  formats: [smscxReports],
  secrets: [secret],
  // Runs after the vendor got its 200, from a bounded queue, retried when it throws: the place for
  // slow work (a database update). Where a report must be stored before the 200, use `record`.
  onReports: (batch) => {
    for (const state of batch.states) {
      console.log(`report: ${state.vendor} message ${state.messageId}${state.to ? ` to ${state.to}` : ''} is ${state.status}${state.final ? ' (final)' : ''}, campaign ${batch.claims?.campaign ?? '-'}`);
    }
  },
  onRefused: (reason, { status }) => console.log(`refused a callback: ${reason} (${status})`),
});

const server = createServer(toNodeListener(reports));
server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(`listening on http://${address}:${port}/dlr`);
});

const stop = () => {
  server.close(() => {
    void reports.drain().then(() => {
      const refused = Object.values(reports.stats.refused).reduce((sum, n) => sum + n, 0);
      console.log(`stopped: ${reports.stats.accepted} callback(s) accepted, ${refused} refused`);
    });
  });
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
