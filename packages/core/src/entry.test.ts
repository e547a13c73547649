// Imports the BUILT package by its name, through its `exports` map, as a user would
// (run `pnpm --filter @msgkit/core build` first; turbo's test task depends on build).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as core from '@msgkit/core';
import * as max from '@msgkit/core/max';
import * as internal from '@msgkit/core/internal';

const require = createRequire(import.meta.url);

/**
 * What an app imports from `@msgkit/core`: the names DESIGN.md makes public and nothing of the
 * machinery the provider packages are built with, which lives at `@msgkit/core/internal`. A name
 * added to the root is a public promise: add it here on purpose.
 */
const ROOT_EXPORTS = [
  // phone numbers, SMS segments, national tables and a vendor's billing facts
  'normalizePhone', 'normalizeRecipients', 'countSegments', 'splitSegments', 'suggestCheaper', 'countSegmentsFor', 'NATIONAL_LANGUAGES',
  // personalized texts
  'compileTemplate', 'renderTemplate', 'TemplateError',
  // lists and campaigns: batches, their keys and outcomes, failover
  'chunk', 'sendInBatches', 'batchDedupeKey', 'outcomeOfError', 'resumeDecision', 'sendWithFailover',
  // failover after sending: on a final negative delivery report, or a timer asked for by name
  'failoverProofs', 'reportMovesOn', 'REPORT_FAILOVER_STATUSES',
  // delivery status vocabulary
  'DELIVERY_STATUSES', 'FINAL_DELIVERY_STATUSES', 'NEGATIVE_DELIVERY_STATUSES', 'isDeliveryStatus', 'isFinalDeliveryStatus', 'isNegativeDeliveryStatus', 'deliveryProgress',
  // the errors
  'MsgkitError', 'ValidationError', 'MissingCredentialsError', 'ChainValidationError', 'ApiError', 'BadRequestError', 'AuthenticationError',
  'InsufficientCreditError', 'PermissionDeniedError', 'NotFoundError', 'RedirectError', 'RateLimitError', 'ServerError', 'ConnectionError',
  'TimeoutError', 'AbortError', 'JournalMismatchError', 'JournalWriteError', 'InvalidReportError',
].sort();

describe('the root of @msgkit/core', () => {
  it('exports exactly the names an app uses', () => {
    expect(Object.keys(core).sort()).toEqual(ROOT_EXPORTS);
  });

  it('leaves the provider machinery to @msgkit/core/internal, sharing its classes with the root', () => {
    for (const name of ['execute', 'createRedactor', 'guardFetch', 'requestRules', 'collectIssues', 'createSender', 'senderFactory', 'reportReader', 'resolveCredentials']) {
      expect(internal, name).toHaveProperty(name);
      expect(core, name).not.toHaveProperty(name);
    }
    for (const name of Object.keys(internal)) expect(ROOT_EXPORTS, `${name} is exported by both`).not.toContain(name);
    const cjs = require('@msgkit/core/internal') as typeof internal;
    expect(typeof cjs.execute).toBe('function');
  });
});

describe('published entry points', () => {
  it('export the same API from @msgkit/core and @msgkit/core/max', () => {
    expect(Object.keys(max).sort()).toEqual(Object.keys(core).sort());
    for (const name of ['normalizePhone', 'normalizeRecipients', 'countSegments', 'splitSegments', 'chunk', 'sendInBatches', 'ValidationError', 'MsgkitError', 'sendWithFailover', 'MissingCredentialsError', 'ChainValidationError']) {
      expect(core, name).toHaveProperty(name);
    }
  });

  it('bind min metadata by default and max metadata on the max subpath', () => {
    // Right length and leading digits for Germany, but no such number type: only full metadata knows.
    const input = '+49 1000 1234567';
    expect(core.normalizePhone(input)).toMatchObject({ ok: true });
    expect(max.normalizePhone(input)).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('throw ValidationError instances of the exported class, from the root and from internal', () => {
    const rules = internal.requestRules({ from: internal.senderId({ alpha: [3, 11], numeric: [3, 15] }) });
    expect(() => internal.assertValid({ from: 'x' }, rules)).toThrow(core.ValidationError);
    expect(() => core.countSegments(1 as unknown as string)).toThrow(core.ValidationError);
  });

  it('load through require as CommonJS with the same API', () => {
    const cjs = require('@msgkit/core') as typeof core;
    const cjsMax = require('@msgkit/core/max') as typeof max;
    expect(cjs.countSegments('hello').segments).toBe(1);
    expect(Object.keys(cjsMax).sort()).toEqual(Object.keys(core).sort());
  });
});
