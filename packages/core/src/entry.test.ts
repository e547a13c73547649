// Imports the BUILT package by its name, through its `exports` map, as a user would
// (run `pnpm --filter @msgkit/core build` first; turbo's test task depends on build).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as core from '@msgkit/core';
import * as max from '@msgkit/core/max';

const require = createRequire(import.meta.url);

describe('published entry points', () => {
  it('export the same API from @msgkit/core and @msgkit/core/max', () => {
    expect(Object.keys(max).sort()).toEqual(Object.keys(core).sort());
    for (const name of ['normalizePhone', 'normalizeRecipients', 'countSegments', 'splitSegments', 'chunk', 'sendInBatches', 'senderId', 'assertValid', 'ValidationError', 'MsgkitError', 'sendWithFailover', 'createSender', 'senderFactory', 'classifyError', 'MissingCredentialsError', 'ChainValidationError']) {
      expect(core, name).toHaveProperty(name);
    }
  });

  it('bind min metadata by default and max metadata on the max subpath', () => {
    // Right length and leading digits for Germany, but no such number type: only full metadata knows.
    const input = '+49 1000 1234567';
    expect(core.normalizePhone(input)).toMatchObject({ ok: true });
    expect(max.normalizePhone(input)).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('throw ValidationError instances of the exported class', () => {
    const rules = core.requestRules({ from: core.senderId({ alpha: [3, 11], numeric: [3, 15] }) });
    expect(() => core.assertValid({ from: 'x' }, rules)).toThrow(core.ValidationError);
  });

  it('load through require as CommonJS with the same API', () => {
    const cjs = require('@msgkit/core') as typeof core;
    const cjsMax = require('@msgkit/core/max') as typeof max;
    expect(cjs.countSegments('hello').segments).toBe(1);
    expect(Object.keys(cjsMax).sort()).toEqual(Object.keys(core).sort());
  });
});
