import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { Rolldown, UserConfig } from 'tsdown';
import { msgkitBuild } from '../../tools/build/tsdown.base.mjs';

// Core ships its own copy of libphonenumber-js (the one exact version in devDependencies) instead of
// depending on it: the digit reader (src/phone/digits.ts) follows that version's parsing step by
// step and is tested against it, so an app's newer or older copy must not stand in for it; and an
// app's own libphonenumber-js stays its own. The copy is built from the library's ES2015+ sources,
// not the Babel output apps import, which keeps an app that imports one provider 2 kB (gzip)
// smaller; and with a PhoneNumber class without format methods (src/phone/library-phone-number.js:
// msgkit never formats a number, and the library's formatting code is another 1.2 kB), and with a
// metadata module that reads only version 4 metadata, the one shape core ships (src/phone/
// library-metadata.js: the library's reads every version since v1, another 0.8 kB). Its licenses
// go beside dist.
const library = dirname(createRequire(import.meta.url).resolve('libphonenumber-js/package.json'));
const phoneNumberClass = join(library, 'source', 'PhoneNumber.js');
const leanPhoneNumberClass = join(import.meta.dirname, 'src/phone/library-phone-number.js');
const metadataModule = join(library, 'source', 'metadata.js');
const leanMetadataModule = join(import.meta.dirname, 'src/phone/library-metadata.js');

function librarySources(): Rolldown.Plugin {
  const built = join(library, 'es6') + '/';
  return {
    name: 'msgkit:libphonenumber-js-sources',
    async resolveId(source, importer, options) {
      if (!importer?.startsWith(library) || !source.startsWith('.')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (!resolved?.id.startsWith(built)) return resolved;
      return join(library, 'source', resolved.id.slice(built.length));
    },
    // Loaded under the library's own path, so that its imports are the library's modules.
    load(id) {
      if (id === phoneNumberClass) return readFileSync(leanPhoneNumberClass, 'utf8');
      if (id === metadataModule) return readFileSync(leanMetadataModule, 'utf8');
      return null;
    },
  };
}

const base = msgkitBuild({ index: 'src/index.ts', max: 'src/max.ts', internal: 'src/internal.ts' });

const config: UserConfig = {
  ...base,
  deps: { alwaysBundle: [/^libphonenumber-js(\/|$)/], onlyBundle: ['libphonenumber-js'] },
  plugins: [librarySources()],
  // The send metadata in a chunk of its own, which the default entry imports first (its first import
  // in src/index.ts), so that an app's bundler places it ahead of all code: 52 kB min, longer than
  // gzip's 32 kB window, it otherwise sat between core's chunks and the provider's code, which then
  // could not reuse the strings before it (an SMS.CX app was 0.8 kB gzip larger).
  outputOptions: { codeSplitting: { groups: [{ name: 'send-metadata', test: /[\\/]send-metadata\.json$/ }] } },
  copy: [
    { from: join(library, 'LICENSE'), to: 'dist', rename: 'libphonenumber-js.LICENSE' },
    { from: join(library, 'LICENSE.Apache'), to: 'dist', rename: 'libphonenumber-js.LICENSE.Apache' },
  ],
};

export default config;
