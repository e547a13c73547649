// The size of an app built on the published package (the BUILT dist: turbo's test task depends on
// build), bundled as tools/bench/src/bundle-smscx.mjs bundles it (esbuild, minified, browser, ES2022,
// gzip -9). Issue 18's bound is 45 kB gzip per provider. Sizes do not depend on the machine's load:
// the same sources and bundler give the same bytes.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

async function gzipSize(contents: string): Promise<number> {
  const result = await build({
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    stdin: { contents, resolveDir: import.meta.dirname, loader: 'js' },
  });
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
}

const kB = 1024; // KiB, as tools/bench measures
const request = "{ destinations: [{ to: { phoneNumber: '+447700900123' } }], sms: { text: 'hello' } }";

describe('an app that sends one OMNI message', () => {
  it('through omniSend (@msgkit/infobip/omni-send) is at most 44 KiB gzip', async () => {
    const size = await gzipSize(`import { omniSend } from '@msgkit/infobip/omni-send';
      omniSend({ apiKey: 'k', baseUrl: 'https://xxxxx.api.infobip.com' })(${request}).then(console.log);`);
    expect(size / kB).toBeLessThanOrEqual(44);
  });

  it('through InfobipClient (the bench\'s app) is at most 45 KiB gzip, issue 18\'s bound', async () => {
    // The client builds every operation in its constructor, so its app keeps all of them: 45.9 kB
    // before the checks' namespace, the enum object and the compact models went (45.5 kB) and core's
    // copy of libphonenumber-js took its own metadata module (44.6 kB).
    const size = await gzipSize(`import { InfobipClient } from '@msgkit/infobip';
      new InfobipClient({ apiKey: 'k', baseUrl: 'https://xxxxx.api.infobip.com' }).omni.send(${request}).then(console.log);`);
    expect(size / kB).toBeLessThanOrEqual(45);
  });
});
