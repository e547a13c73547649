// One campaign worker process for the queue end-to-end test and benchmark: a BullMQ worker per
// provider (all four), sending through the real clients to the base URLs it is given.
// argv: <redis url> <key prefix> <JSON { smscx, smsworks, octopush, infobip } base URLs> [concurrency]
import { InfobipClient } from '@msgkit/infobip';
import { OctopushClient } from '@msgkit/octopush';
import { createCampaignWorker, infobipAdapter, octopushAdapter, smscxAdapter, smsWorksAdapter } from '@msgkit/queue';
import { SmscxClient } from '@msgkit/smscx';
import { SmsWorksClient } from '@msgkit/smsworks';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const [url, prefix, bases, concurrency = '2'] = process.argv.slice(2);
const baseUrl = JSON.parse(bases);
// The dedupe vendors' clients retry lost answers themselves with the same key; the others never
// resend a request that may have reached the vendor, whatever maxRetries says.
const http = { timeoutMs: HANG_LIMIT_MS, maxRetries: 3 };
const adapters = {
  smscx: smscxAdapter(new SmscxClient({ apiKey: 'e2e-key', baseUrl: baseUrl.smscx, ...http })),
  octopush: octopushAdapter(new OctopushClient({ apiLogin: 'e2e@example.com', apiKey: 'e2e-key', baseUrl: baseUrl.octopush, ...http }), { type: 'sms_premium', purpose: 'alert' }),
  smsworks: smsWorksAdapter(new SmsWorksClient({ token: 'JWT e2e', baseUrl: baseUrl.smsworks, ...http })),
  infobip: infobipAdapter(new InfobipClient({ apiKey: 'e2e-key', baseUrl: baseUrl.infobip, ...http })),
};
const workers = Object.entries(adapters)
  .filter(([provider]) => baseUrl[provider])
  .map(([, adapter]) =>
    createCampaignWorker({
      connection: url,
      prefix,
      adapter,
      concurrency: Number(concurrency),
      rateLimitBackoffMs: 100,
      // Short locks so a killed worker's jobs are taken over within seconds, not half a minute.
      lockDuration: 5_000,
      stalledInterval: 2_000,
    }),
  );
process.on('SIGTERM', async () => {
  await Promise.all(workers.map((w) => w.close()));
  process.exit(0);
});
// Each worker checks Redis first (The SMS Works and Infobip need an append-only file); a refusal
// ends this process with its message.
await Promise.all(workers.map((w) => w.ready));
process.send?.('ready');
