// A campaign worker for SMS.CX on @msgkit/queue (BullMQ over Redis). Run as many as you like, on
// any machines: they share the account's queue and its pace. Batches come from `enqueueCampaign`
// (see `--enqueue` below, or your own producer); each is marked begun in Redis before its request
// leaves, and one a dead worker left half-done is resent with the same idempotency key.
//
//   MSGKIT_REDIS_URL=redis://127.0.0.1:6379 SMSCX_API_KEY=… node dist/queue-worker.js
//   MSGKIT_REDIS_URL=… node dist/queue-worker.js --enqueue spring --from Shop --text "Sale today" --country GB "07400 123456" …
//
// A worker stops on SIGINT or SIGTERM after the batches in flight.
import { parseArgs } from 'node:util';
import { campaignStatus, createCampaignWorker, enqueueCampaign, formatCampaignStatus } from '@msgkit/queue';
import { smscxSender } from '@msgkit/smscx';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { enqueue: { type: 'string' }, status: { type: 'string' }, from: { type: 'string' }, text: { type: 'string' }, country: { type: 'string' } },
});
const connection = process.env.MSGKIT_REDIS_URL;
if (!connection) {
  console.error('MSGKIT_REDIS_URL names the Redis of the queue (redis://host:port)');
  process.exit(2);
}

if (values.enqueue !== undefined) {
  if (!values.from || !values.text || positionals.length === 0) {
    console.error('usage: node dist/queue-worker.js --enqueue <campaign id> --from <sender> --text <text> [--country <ISO code>] <number>…');
    process.exit(2);
  }
  const campaign = await enqueueCampaign({
    connection,
    campaignId: values.enqueue,
    // The producer checks the message with SMS.CX's rules and takes its batch size; it sends nothing.
    sender: smscxSender({ apiKey: 'unused-by-the-producer' }),
    recipients: positionals,
    defaultCountry: values.country,
    message: { from: values.from, text: values.text },
    batchSize: 1000,
  });
  // Enqueuing the same campaign again adds nothing: job ids derive from the campaign id and batch.
  console.log(`${campaign.created ? 'enqueued' : 'already enqueued'}: ${campaign.campaignId}, ${campaign.recipients} recipients in ${campaign.batches} batch(es) on ${campaign.queue}`);
} else if (values.status !== undefined) {
  const status = await campaignStatus(connection, values.status);
  if (!status) {
    console.error(`no campaign ${values.status} in this Redis`);
    process.exit(2);
  }
  console.log(formatCampaignStatus(status));
  process.exitCode = status.done && status.sent.batches === status.batches ? 0 : 1;
} else {
  const apiKey = process.env.SMSCX_API_KEY;
  if (!apiKey) {
    console.error('SMSCX_API_KEY is the SMS.CX key the worker sends with');
    process.exit(2);
  }
  const worker = createCampaignWorker({
    connection,
    sender: smscxSender({ apiKey, baseUrl: process.env.SMSCX_BASE_URL }),
    // SMS.CX's pace for this account, shared by every worker of every process.
    limiter: { max: 10, duration: 1000 },
  });
  await worker.ready;
  console.log(`worker ready on ${worker.queue}`);
  const stop = () => void worker.close().then(() => console.log('worker stopped'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
