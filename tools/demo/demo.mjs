// The main job: msgkit end to end with no vendor account and no phone. Starts the sandbox on
// 127.0.0.1 and drives the four real clients against it, then a 60 000-recipient campaign split by
// sendInBatches, then a request msgkit refuses before the wire.
import { performance } from 'node:perf_hooks';
import { countSegments, normalizeRecipients, sendInBatches, ValidationError } from '@msgkit/core';
import { InfobipClient } from '@msgkit/infobip';
import { OctopushClient } from '@msgkit/octopush';
import { startSandbox } from '@msgkit/sandbox';
import { SmscxClient } from '@msgkit/smscx';
import { SmsWorksClient } from '@msgkit/smsworks';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';

const started = performance.now();
const rows = [];
const record = (step, provider, outcome, detail) => rows.push([step, provider, outcome, detail]);
const heading = (text) => console.log(`\n== ${text}`);

const sandbox = await startSandbox({ port: 0 });
console.log(`sandbox listening on ${sandbox.url} (SMS.CX, The SMS Works, Octopush, Infobip)`);

try {
  const smscx = new SmscxClient({ apiKey: 'demo-smscx-key', baseUrl: sandbox.baseUrls.smscx });
  const smsworks = new SmsWorksClient({ token: 'demo-smsworks-jwt', baseUrl: sandbox.baseUrls.smsworks });
  const octopush = new OctopushClient({ apiLogin: 'demo@example.com', apiKey: 'demo-octopush-key', baseUrl: sandbox.baseUrls.octopush });
  const infobip = new InfobipClient({ apiKey: 'demo-infobip-key', baseUrl: sandbox.baseUrls.infobip });

  heading('SMS.CX SMS: estimate first, then send');
  const text = 'Your table for 4 is booked for 19:30 tonight. Reply STOP to opt out.';
  const sms = { from: 'Bistro', to: ['+44 7400 123123', '07400 123456', '0044 7400 123789'], text, countryIso: 'GB' };
  const estimate = await smscx.sms.estimate(sms);
  console.log(`estimate: ${estimate.info.totalValid} recipients, ${estimate.info.totalParts} parts, cost ${estimate.info.totalCost} (nothing sent, nothing billed)`);
  const sent = await smscx.sms.send(sms);
  console.log(`sent: campaign ${sent.info.campaignId}, ${sent.data.length} messages, cost ${sent.info.totalCost}`);
  record('SMS with estimate', 'SMS.CX', 'sent', `${sent.data.length} msgs, ${sent.info.totalParts} parts, cost ${sent.info.totalCost}`);

  heading('SMS.CX Multichannel: Viber first, SMS as failover');
  const multi = await smscx.multichannel.send({
    from: 'Bistro',
    to: ['+447400123123'],
    strategy: [
      { channel: 'viber', templateId: 1042 },
      { channel: 'sms', text: 'Your table is ready.' },
    ],
    ttl: 3600,
  });
  console.log(`sent: campaign ${multi.info.campaignId}, ${multi.data.length} message(s) via ${multi.data.map((m) => m.channel).join(', ')}`);
  record('Viber -> SMS', 'SMS.CX', 'sent', `campaign ${multi.info.campaignId.slice(0, 8)}…`);

  heading('The SMS Works: a batch');
  const batch = await smsworks.batch.send({ sender: 'Bistro', destinations: ['07400 123123', '+44 7400 123456'], content: text });
  console.log(`sent: batch ${batch.batchid} (${batch.status})`);
  record('batch', 'The SMS Works', 'sent', `batch ${batch.batchid}`);

  heading('Octopush: multi-channel send');
  const octo = await octopush.multichannel.send({
    channel: 'sms',
    text: 'Votre table est prête. STOP au 30101',
    recipients: [{ phoneNumber: '06 12 34 56 78' }],
    sender: 'Bistro',
    metadata: { type: 'sms_premium' },
  });
  console.log(`sent: ticket ${octo.smsTicket}, ${octo.numberOfContacts} contact(s), cost ${octo.totalCost}`);
  record('multi-channel (sms)', 'Octopush', 'sent', `ticket ${octo.smsTicket}, cost ${octo.totalCost}`);

  heading('Infobip: OMNI advanced send');
  const omni = await infobip.omni.send({ destinations: [{ to: { phoneNumber: '+49 151 28403420' } }], sms: { text: 'Ihr Tisch ist bereit.' } });
  console.log(`sent: ${omni.messages.length} message(s), first ${omni.messages[0]?.messageId} ${omni.messages[0]?.status?.name ?? ''}`);
  record('OMNI advanced', 'Infobip', 'sent', `${omni.messages.length} msg, ${omni.messages[0]?.status?.name ?? ''}`);

  heading('A 60 000-recipient campaign, split by sendInBatches');
  const inputs = Array.from({ length: 60_000 }, (_, i) => `+44 7400 ${String(i).padStart(6, '0')}`);
  const recipients = normalizeRecipients(inputs, { defaultCountry: 'GB' });
  const campaignText = 'Flash sale: 20% off all week at the Bistro. Reply STOP to opt out.';
  const { segments, encoding } = countSegments(campaignText);
  console.log(`${recipients.valid.length} recipients (${recipients.invalid.length} invalid, ${recipients.duplicates} duplicates), ${encoding}, ${segments} segment(s) each`);
  const bar = new SingleBar({ format: 'sending [{bar}] {value}/{total} batches of 5 000', noTTYOutput: true, notTTYSchedule: 250, stream: process.stdout });
  const batchSize = 5_000; // The SMS Works' per-request maximum
  bar.start(Math.ceil(recipients.valid.length / batchSize), 0);
  const results = await sendInBatches(recipients.valid, {
    size: batchSize,
    concurrency: 2,
    send: (destinations) => smsworks.batch.send({ sender: 'Bistro', destinations, content: campaignText }),
    onProgress: (done) => bar.update(done),
  });
  bar.stop();
  const accepted = results.filter((r) => r.ok).reduce((n, r) => n + r.items.length, 0);
  const failed = results.filter((r) => !r.ok);
  console.log(`${results.length} batches: ${accepted} recipients accepted, ${failed.length} batches failed`);
  record('60 000-recipient campaign', 'The SMS Works', failed.length === 0 ? 'sent' : 'FAILED', `${results.length} batches, ${accepted} accepted`);

  heading('A request msgkit refuses before the wire');
  try {
    await smscx.multichannel.send({
      from: 'BistroTooLongName',
      to: ['+447400123123', 'not a number'],
      strategy: [{ channel: 'sms', text: 'hello' }, { channel: 'viber', text: 'hello' }],
      ttl: 60,
    });
    record('invalid request', 'SMS.CX', 'SENT (unexpected)', '');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    console.log(`${error.name}: ${error.issues.length} issue(s), no HTTP request made`);
    for (const issue of error.issues) {
      console.log(`  ${issue.path.join('.') || '(request)'}: ${issue.message}${issue.vendorCode === undefined ? '' : ` [SMS.CX code ${issue.vendorCode}]`}`);
    }
    record('invalid request', 'SMS.CX', 'refused', `${error.issues.length} issues, codes ${error.issues.map((i) => i.vendorCode ?? '-').join(', ')}`);
  }

  heading('Results');
  const table = new Table({ head: ['step', 'provider', 'outcome', 'detail'], style: { head: [], border: [] } });
  table.push(...rows);
  console.log(table.toString());
  const received = sandbox.received();
  console.log(`the sandbox recorded ${received.length} accepted requests; demo took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (failed.length > 0 || rows.some((r) => r[2] !== 'sent' && r[2] !== 'refused')) process.exitCode = 1;
} finally {
  await sandbox.close();
}
