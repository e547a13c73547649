// Gzipped size of an app that imports only one provider package (@msgkit/smscx, then each of the
// other three), bundled by esbuild (minified, browser platform, tree-shaken), against
// libphonenumber-js's min metadata alone bundled the same way. Target: ≤ 45 kB for each provider.
// Also the SMS.CX app sending through smscxSender and sendWithFailover, to show what the campaign
// contract costs an app that uses it (and that one that does not pays nothing), and what of it is
// the phone and segment code of @msgkit/core alone.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

async function gzipped(contents) {
  const result = await build({
    stdin: { contents, resolveDir: import.meta.dirname, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { raw: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
const verdict = (size) => (size.gzip <= 45 * 1024 ? '≤ 45 kB target' : '> 45 kB target');

export async function run() {
  const anchor = await gzipped(`import metadata from 'libphonenumber-js/min/metadata'; console.log(metadata);`);
  // DESIGN.md's 29 kB for "min metadata alone" matches this: the metadata with the parse and
  // validate code any use of it needs.
  const parsing = await gzipped(`import { parsePhoneNumberFromString } from 'libphonenumber-js/min'; console.log(parsePhoneNumberFromString('+447400123456')?.isValid());`);
  const app = await gzipped(`
    import { SmscxClient } from '@msgkit/smscx';
    const client = new SmscxClient({ apiKey: 'k' });
    client.sms.send({ from: 'Shop', to: ['+447700900123'], text: 'hello' }).then(console.log);
  `);
  const others = {
    smsworks: `import { SmsWorksClient } from '@msgkit/smsworks';
      new SmsWorksClient({ token: 'k' }).messages.send({ sender: 'Shop', destination: '+447700900123', content: 'hello' }).then(console.log);`,
    octopush: `import { OctopushClient } from '@msgkit/octopush';
      new OctopushClient({ apiLogin: 'a@example.com', apiKey: 'k' }).sms.send({ recipients: [{ phoneNumber: '+447700900123' }], text: 'hello', type: 'sms_premium', purpose: 'alert', sender: 'Shop' }).then(console.log);`,
    infobip: `import { InfobipClient } from '@msgkit/infobip';
      new InfobipClient({ apiKey: 'k', baseUrl: 'https://xxxxx.api.infobip.com' }).sms.send({ messages: [{ destinations: [{ to: '+447700900123' }], text: 'hello' }] }).then(console.log);`,
  };
  const core = await gzipped(`import { countSegments, normalizePhone } from '@msgkit/core'; console.log(countSegments('hello'), normalizePhone('+447700900123'));`);
  // The campaign sender and failover are tree-shaken away from the app above; this one uses them.
  const failover = await gzipped(`
    import { sendWithFailover } from '@msgkit/core';
    import { smscxSender } from '@msgkit/smscx';
    const smscx = smscxSender({ apiKey: 'k' });
    sendWithFailover([smscx], ['+447700900123'], { from: 'Shop', text: 'hello' }).then(console.log);
  `);
  console.log(`libphonenumber-js min metadata alone   ${kb(anchor.gzip)} gzip (${kb(anchor.raw)} min)`);
  console.log(`  … with parse + isValid                ${kb(parsing.gzip)} gzip (${kb(parsing.raw)} min)`);
  console.log(`core normalizePhone + countSegments     ${kb(core.gzip)} gzip (${kb(core.raw)} min)`);
  console.log(`app importing only @msgkit/smscx       ${kb(app.gzip)} gzip (${kb(app.raw)} min)  ${verdict(app)}`);
  for (const [name, contents] of Object.entries(others)) {
    const size = await gzipped(contents);
    console.log(`app importing only @msgkit/${name.padEnd(9)}  ${kb(size.gzip)} gzip (${kb(size.raw)} min)  ${verdict(size)}`);
  }
  console.log(`app with smscxSender + sendWithFailover ${kb(failover.gzip)} gzip (${kb(failover.raw)} min), ${kb(failover.gzip - app.gzip)} more`);
  console.log(`smscx app ÷ metadata = ${(app.gzip / anchor.gzip).toFixed(2)}, ÷ metadata with parsing = ${(app.gzip / parsing.gzip).toFixed(2)}`);
}
