// One Octopush campaign worker process for the code-120 end-to-end test: Octopush's reports reach
// its account's one URL, so the worker indexes each batch's ticket (deliveryReports.accountUrl),
// with short locks so that a SIGKILLed worker's batch is taken over within seconds.
// argv: <redis url> <key prefix> <Octopush base URL> <callback secret>
import { octopushSender } from '@msgkit/octopush';
import { createCampaignWorker } from '@msgkit/queue';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const [url, prefix, baseUrl, secret] = process.argv.slice(2);
const worker = createCampaignWorker({
  connection: url,
  prefix,
  sender: octopushSender({ apiLogin: 'e2e@example.com', apiKey: 'e2e-key', baseUrl, timeoutMs: HANG_LIMIT_MS, maxRetries: 0 }),
  deliveryReports: { url: 'http://127.0.0.1:9/dlr', secret, accountUrl: true },
  lockDuration: 2_000,
  stalledInterval: 1_000,
});
process.on('SIGTERM', async () => {
  await worker.close();
  process.exit(0);
});
await worker.ready;
process.send?.('ready');
