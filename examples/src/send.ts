// A transactional SMS through SMS.CX: one message, checked against SMS.CX's limits before the wire,
// retried only with the idempotency key the client generates for the call.
//
//   SMSCX_API_KEY=… node dist/send.js --from Shop --to "07400 123456" --country GB --text "Your code is 123456"
//
// SMSCX_BASE_URL points the client elsewhere than SMS.CX's API (the sandbox, in the tests).
import { parseArgs } from 'node:util';
import { ApiError, SmscxClient, ValidationError } from '@msgkit/smscx';

const { values } = parseArgs({
  options: { from: { type: 'string' }, to: { type: 'string' }, text: { type: 'string' }, country: { type: 'string' } },
});
const apiKey = process.env.SMSCX_API_KEY;
if (!values.from || !values.to || !values.text || !apiKey) {
  console.error('usage: SMSCX_API_KEY=… node dist/send.js --from <sender> --to <number> --text <text> [--country <ISO code>]');
  process.exit(2);
}

const smscx = new SmscxClient({ apiKey, baseUrl: process.env.SMSCX_BASE_URL });
console.log(`sending through ${process.env.SMSCX_BASE_URL ?? 'SMS.CX'}; national numbers read as ${values.country ?? '(no country: international format only)'}`);
try {
  const sent = await smscx.sms.send({ from: values.from, to: [values.to], text: values.text, countryIso: values.country });
  const message = sent.data[0];
  console.log(`sent: campaign ${sent.info.campaignId}, message ${message?.msgId} to ${message?.to}, ${sent.info.totalParts} part(s), cost ${sent.info.totalCost}`);
} catch (error) {
  if (error instanceof ValidationError) {
    // Refused before the wire: nothing was sent. Each issue names the field and SMS.CX's own code.
    for (const issue of error.issues) console.error(`refused: ${issue.path.join('.') || '(request)'}: ${issue.message}${issue.vendorCode === undefined ? '' : ` [SMS.CX ${issue.vendorCode}]`}`);
    process.exit(1);
  }
  if (error instanceof ApiError) {
    // `outcomeUnknown` says whether the message may have gone out anyway (a 5xx after acting, …).
    console.error(`SMS.CX answered ${error.status} (${error.code}); may have been sent: ${error.outcomeUnknown}`);
    process.exit(1);
  }
  throw error;
}
