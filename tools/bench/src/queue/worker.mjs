// One benchmark worker process: a @msgkit/queue worker sending SMS.CX batches to the sandbox.
// argv: <redis url> <key prefix> <smscx base URL> <concurrency>
import { createCampaignWorker } from '@msgkit/queue';
import { smscxSender } from '@msgkit/smscx';

const [url, prefix, baseUrl, concurrency] = process.argv.slice(2);
const worker = createCampaignWorker({
  connection: url,
  prefix,
  sender: smscxSender({ apiKey: 'bench-key', baseUrl, maxRetries: 0 }),
  concurrency: Number(concurrency),
});
await worker.worker.waitUntilReady();
process.on('SIGTERM', async () => {
  await worker.close();
  process.exit(0);
});
// The bench asks for CPU time at the start and end of its timed part, to say what limits it.
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send({ cpuMs: (user + system) / 1000 });
  }
});
process.send('ready');
