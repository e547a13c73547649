// Gzipped size of an app that imports only one provider package, for each of the four, bundled by
// esbuild (minified, browser platform, tree-shaken), against libphonenumber-js's min metadata
// alone bundled the same way. Target: ≤ 45 kB each.
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

/** One send through each client, so the send path and its checks are what survives tree-shaking. */
const APPS = {
  '@msgkit/smscx': `import { SmscxClient } from '@msgkit/smscx';
    new SmscxClient({ apiKey: 'k' }).sms.send({ from: 'Shop', to: ['+447700900123'], text: 'hello' }).then(console.log);`,
  '@msgkit/smsworks': `import { SmsWorksClient } from '@msgkit/smsworks';
    new SmsWorksClient({ token: 't' }).messages.send({ sender: 'Shop', destination: '+447700900123', content: 'hello' }).then(console.log);`,
  '@msgkit/octopush': `import { OctopushClient } from '@msgkit/octopush';
    new OctopushClient({ apiLogin: 'l', apiKey: 'k' }).sms.send({ type: 'sms_premium', purpose: 'alert', text: 'hello', recipients: [{ phoneNumber: '+33612345678' }] }).then(console.log);`,
  '@msgkit/infobip': `import { InfobipClient } from '@msgkit/infobip';
    new InfobipClient({ apiKey: 'k', baseUrl: 'https://x.api.infobip.com' }).omni.send({ destinations: [{ to: { phoneNumber: '+447700900123' } }], sms: { text: 'hello' } }).then(console.log);`,
};

export async function run() {
  const anchor = await gzipped(`import metadata from 'libphonenumber-js/min/metadata'; console.log(metadata);`);
  // DESIGN.md's 29 kB for "min metadata alone" matches this: the metadata with the parse and
  // validate code any use of it needs.
  const parsing = await gzipped(`import { parsePhoneNumberFromString } from 'libphonenumber-js/min'; console.log(parsePhoneNumberFromString('+447400123456')?.isValid());`);
  console.log(`libphonenumber-js min metadata alone   ${kb(anchor.gzip)} gzip (${kb(anchor.raw)} min)`);
  console.log(`  … with parse + isValid                ${kb(parsing.gzip)} gzip (${kb(parsing.raw)} min)`);
  for (const [name, contents] of Object.entries(APPS)) {
    const app = await gzipped(contents);
    const label = `app importing only ${name}`.padEnd(38);
    console.log(`${label} ${kb(app.gzip)} gzip (${kb(app.raw)} min); ÷ metadata = ${(app.gzip / anchor.gzip).toFixed(2)}, ÷ with parsing = ${(app.gzip / parsing.gzip).toFixed(2)}; ${app.gzip <= 45 * 1024 ? '≤' : '>'} 45 kB target`);
  }
}
