// One chain campaign worker process for the queue chain end-to-end test: The SMS Works, then
// SMS.CX, through the real clients to the base URLs it is given, with short locks so that a
// SIGKILLed worker's batch is taken over within seconds.
// argv: <redis url> <key prefix> <JSON { smsworks, smscx } base URLs>
import { createCampaignWorker } from '@msgkit/queue';
import { smscxSender } from '@msgkit/smscx';
import { smsworksSender } from '@msgkit/smsworks';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const [url, prefix, bases] = process.argv.slice(2);
const baseUrl = JSON.parse(bases);
const http = { timeoutMs: HANG_LIMIT_MS, maxRetries: 0 };
const worker = createCampaignWorker({
  connection: url,
  prefix,
  senders: [smsworksSender({ token: 'JWT e2e', baseUrl: baseUrl.smsworks, ...http }), smscxSender({ apiKey: 'e2e-key', baseUrl: baseUrl.smscx, ...http })],
  lockDuration: 2_000,
  stalledInterval: 1_000,
});
process.on('SIGTERM', async () => {
  await worker.close();
  process.exit(0);
});
await worker.ready;
process.send?.('ready');
