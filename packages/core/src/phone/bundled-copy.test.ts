// The BUILT package (run `pnpm --filter @msgkit/core build` first; turbo's test task depends on
// build) carries its own copy of libphonenumber-js. Its answers are those of msgkit's rules over the
// library as published (this workspace's copy, read through the library alone), and an app that
// imports libphonenumber-js beside it keeps the library it installed, unchanged.
import * as core from '@msgkit/core';
import * as coreMax from '@msgkit/core/max';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import examples from 'libphonenumber-js/mobile/examples';
import maxMetadata from 'libphonenumber-js/max/metadata';
import minMetadata from 'libphonenumber-js/min/metadata';
import { getCountries, type CountryCode } from 'libphonenumber-js/core';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { normalizePhoneWith, normalizeRecipientsWith } from './normalize';
import { regExpsBuiltDuring } from './test/regexps';

const DEFAULTS: (CountryCode | undefined)[] = ['GB', 'US', 'DE', 'BR', 'AR', 'IN', undefined];

/** Each country's example mobile written four ways, and a few strings the library must decide. */
const inputs = getCountries(minMetadata).flatMap((country) => {
  const national = examples[country];
  if (!national) return [];
  return [national, `0${national}`, `+${national}`, `${national.slice(0, 3)} ${national.slice(3)}`];
});
inputs.push('+44 7400 123456 ext. 5', 'call 0151 28403420', 'tel:+1-201-555-0123', '＋４９１５１２８４０３４２０');

describe.each([
  ['@msgkit/core', core, minMetadata],
  ['@msgkit/core/max', coreMax, maxMetadata],
] as const)('%s as built', (_, entry, metadata) => {
  it('answers as msgkit’s rules over the published libphonenumber-js read through the library alone', () => {
    for (const defaultCountry of DEFAULTS) {
      for (const input of inputs) {
        expect(entry.normalizePhone(input, { defaultCountry }), `${input} under ${defaultCountry}`).toEqual(normalizePhoneWith(metadata, input, { defaultCountry }, true));
      }
      expect(entry.normalizeRecipients(inputs, { defaultCountry })).toEqual(normalizeRecipientsWith(metadata, inputs, { defaultCountry }, true));
    }
  });
});

describe('the copy @msgkit/core carries', () => {
  it('has no number formatting (format, formatNational, RFC 3966, international prefixes), which msgkit never calls', () => {
    const dist = join(dirname(createRequire(import.meta.url).resolve('@msgkit/core/package.json')), 'dist');
    const built = readdirSync(dist).filter((file) => /\.(mjs|cjs)$/.test(file));
    expect(built.length).toBeGreaterThan(0);
    for (const file of built) {
      const code = readFileSync(join(dist, file), 'utf8');
      // Function names of the library's format.js and its helpers, kept in the unminified build.
      expect(code, file).not.toMatch(/function (formatNumber|formatIDD|formatNationalNumber|formatNationalNumberUsingFormat|getIddPrefix|formatRFC3966)\b/);
    }
  });

  it('reads metadata with core’s own version-4 module (library-metadata.js), without the library’s code for older metadata', () => {
    const dist = join(dirname(createRequire(import.meta.url).resolve('@msgkit/core/package.json')), 'dist');
    const built = readdirSync(dist).filter((file) => /\.(mjs|cjs)$/.test(file));
    const metadataModules: string[] = [];
    for (const file of built) {
      const code = readFileSync(join(dist, file), 'utf8');
      // The library's metadata.js: v1 to v3 branches, the semver compare of string versions, the
      // pre-v4 names of the calling codes and of the non-geographic plans.
      expect(code, file).not.toMatch(/this\.v[123]\b|semver-compare|country_phone_code_to_countries|nonGeographical/);
      // The unminified build names each module it holds: the library's path, core's file.
      for (const [, region] of code.matchAll(/^\/\/#region [^\n]*\/libphonenumber-js\/source\/metadata\.js\n([\s\S]*?)^\/\/#endregion/gm)) {
        metadataModules.push(region!);
      }
    }
    // Once for ESM and once for CommonJS, each refusing other metadata when loaded.
    expect(metadataModules).toHaveLength(2);
    for (const region of metadataModules) expect(region).toContain('METADATA_VERSION');
  });
});

describe('an app that imports libphonenumber-js beside @msgkit/core', () => {
  it('does not get libphonenumber-js from @msgkit/core, which bundles its own copy', () => {
    const manifest = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@msgkit/core/package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain('libphonenumber-js');
    expect(Object.keys(manifest.peerDependencies ?? {})).not.toContain('libphonenumber-js');
  });

  it('keeps its own copy as published: it still builds a RegExp on every parse, while msgkit’s copy builds none per number', () => {
    const numbers = Array.from({ length: 200 }, (_, i) => `07400 ${String(100_000 + i * 7).padStart(6, '0')}`);
    core.normalizeRecipients(numbers, { defaultCountry: 'GB' });
    expect(regExpsBuiltDuring(() => core.normalizeRecipients(numbers.map((n) => n.replace('07400', '07401')), { defaultCountry: 'GB' }))).toBe(0);
    const own = regExpsBuiltDuring(() => {
      for (const number of numbers) expect(parsePhoneNumberFromString(number, 'GB')?.isValid()).toBe(true);
    });
    expect(own).toBeGreaterThanOrEqual(numbers.length);
  });
});

describe('where the phone metadata sits in what an app bundles from @msgkit/core', () => {
  // A bundler lays modules out in the order they run, and an entry's imports run before its own
  // code. The metadata (52 kB min) is longer than gzip's 32 kB window: left in the entry itself, it
  // came after the code of the chunks the entry imports and before the provider's and the app's, so
  // the code after it could not reuse the strings before it (an SMS.CX app was 0.8 kB gzip larger).
  // Its own chunk, imported first, puts it ahead of all code.
  it.each(['index.mjs', 'index.cjs'])('%s loads the metadata first, from a chunk that holds only it and loads nothing', (file) => {
    const dist = join(dirname(createRequire(import.meta.url).resolve('@msgkit/core/package.json')), 'dist');
    const loads = (code: string) => [...code.matchAll(/^(?:import\b[^;]*?from|.*\brequire\()\s*"(\.\/[^"]+)"/gm)].map((match) => match[1]);
    const [first] = loads(readFileSync(join(dist, file), 'utf8'));
    expect(first, file).toBeDefined();
    const chunk = readFileSync(join(dist, first), 'utf8');
    expect(chunk).toContain('country_calling_codes');
    expect(loads(chunk)).toEqual([]);
    // The unminified build names each module it holds.
    expect([...chunk.matchAll(/^\/\/#region (.+)$/gm)].map((match) => match[1])).toEqual(['src/phone/send-metadata.json']);
  });
});
