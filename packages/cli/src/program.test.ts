import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Io } from './io';
import { main } from './program';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'msgkit-cli-'));
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => sandbox.reset());

async function run(args: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const io: Io = { stdout, stderr, env, exitCode: 0 };
  const code = await main(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const numbers = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `+4474001${String(from + i).padStart(5, '0')}`);

describe('msgkit segments', () => {
  it('reports GSM-7 with the extension table counting twice', async () => {
    const { code, stdout } = await run(['segments', '--json', 'Price: 10€ [sale]']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ encoding: 'GSM-7', units: 20, segments: 1, nonGsm: [] });
  });

  it('names the characters that forced UCS-2', async () => {
    const { stdout } = await run(['segments', '--json', 'Привет, 👋']);
    expect(JSON.parse(stdout)).toMatchObject({ encoding: 'UCS-2', nonGsm: ['П', 'р', 'и', 'в', 'е', 'т', '👋'] });
  });
});

describe('msgkit normalize', () => {
  it('prints E.164 per input and the reason for each invalid one, exiting 1 when any is invalid', async () => {
    const { code, stdout } = await run(['normalize', '--json', '--country', 'gb', '07400 123456', '+44 (0)7400 123456', 'call me']);
    expect(code).toBe(1);
    const out = JSON.parse(stdout);
    expect(out.results[0]).toMatchObject({ ok: true, e164: '+447400123456' });
    expect(out.results[2]).toMatchObject({ ok: false, code: 'not_a_number' });
    expect(out).toMatchObject({ valid: 1, duplicates: 1, invalid: 1 });
  });

  it('reads numbers from a CSV file with a phone column', async () => {
    const file = join(dir, 'contacts.csv');
    writeFileSync(file, 'name,phone\nAda,+33 6 12 34 56 78\nBob,0612345679\n');
    const { code, stdout } = await run(['normalize', '--file', file, '--country', 'FR']);
    expect(code).toBe(0);
    expect(stdout).toContain('+33612345678');
    expect(stdout).toContain('+33612345679');
    expect(stdout).toContain('2 inputs: 2 unique valid, 0 duplicates, 0 invalid');
  });

  it('shows each number\'s type and refuses landlines unless --allow-landline, counting them', async () => {
    const refused = await run(['normalize', '--json', '--country', 'DE', '0151 28403420', '030 123456', '12345']);
    expect(refused.code).toBe(1);
    const out = JSON.parse(refused.stdout);
    expect(out.results).toEqual([
      { ok: true, row: 'arg 1', input: '0151 28403420', e164: '+4915128403420', type: 'MOBILE', duplicate: false },
      { ok: false, row: 'arg 2', input: '030 123456', code: 'not_mobile', e164: '+4930123456', type: 'FIXED_LINE' },
      { ok: false, row: 'arg 3', input: '12345', code: 'invalid' },
    ]);
    expect(out).toMatchObject({ valid: 1, invalid: 2, notMobile: 1 });
    const table = await run(['normalize', '--country', 'DE', '0151 28403420', '030 123456']);
    expect(table.stdout).toMatch(/030 123456\s*│\s*\+4930123456\s*│\s*FIXED_LINE\s*│\s*invalid: not_mobile/);
    expect(table.stdout).toContain('1 refused as landline or other non-mobile number (not_mobile; --allow-landline keeps them)');
    const allowed = await run(['normalize', '--json', '--country', 'DE', '--allow-landline', '030 123456']);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ results: [{ ok: true, e164: '+4930123456', type: 'FIXED_LINE' }], notMobile: 0 });
  });

  it('is a usage error (exit 2) for a --file that is not there', async () => {
    const { code, stderr } = await run(['normalize', '--file', join(dir, 'missing.csv')]);
    expect(code).toBe(2);
    expect(stderr).toContain('ENOENT');
  });

  it('is a usage error (exit 2) without any number', async () => {
    const { code, stderr } = await run(['normalize']);
    expect(code).toBe(2);
    expect(stderr).toContain('give phone numbers');
  });
});

describe('msgkit send', () => {
  it('sends a list in batches, accounting for every recipient', async () => {
    const file = join(dir, 'recipients.txt');
    writeFileSync(file, [...numbers(1200), 'not a phone', numbers(1)[0]].join('\n'));
    const { code, stdout } = await run(
      ['send', '-p', 'smscx', '--from', 'Shop', '--to-file', file, '--text', 'Hello', '--base-url', sandbox.baseUrls.smscx, '--batch-size', '500', '--json'],
      { SMSCX_API_KEY: 'test-key' },
    );
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ inputs: 1202, recipients: 1200, duplicates: 1, invalid: 1, sent: 1200, failed: 0 });
    expect(summary.batches.map((b: { size: number }) => b.size)).toEqual([500, 500, 200]);
    // An invalid input was not sent, so the command reports failure.
    expect(code).toBe(1);
    const sent = sandbox.messages('smscx').map((m) => m.to);
    expect(sent).toHaveLength(1200);
    expect(new Set(sent).size).toBe(1200);
  });

  it('validates a dry run without making any request', async () => {
    const { code, stdout } = await run(['send', '-p', 'smsworks', '--from', 'Shop', '--to', '07400 123456', '-c', 'GB', '--text', 'Hi', '--base-url', sandbox.baseUrls.smsworks, '--dry-run'], {
      SMSWORKS_TOKEN: 'token',
    });
    expect(code).toBe(0);
    expect(stdout).toContain('Nothing was sent');
    expect(sandbox.received()).toHaveLength(0);
  });

  it("reports a dry run's validation issues with the vendor's codes and exit 1", async () => {
    const { code, stdout } = await run(['send', '-p', 'smscx', '--from', 'AB', '--to', '+447400123456', '--text', 'Hi', '--base-url', sandbox.baseUrls.smscx, '--dry-run', '--json'], {
      SMSCX_ACCESS_TOKEN: 'token',
    });
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ dryRun: true, valid: false, issues: [expect.objectContaining({ path: ['from'], vendorCode: 1106 })] });
    expect(sandbox.received()).toHaveLength(0);
  });

  it('exits 1 and names the failed batch when the vendor refuses it', async () => {
    sandbox.faults.add({ vendor: 'smsworks', count: 1, status: 402, body: { message: 'Insufficient credits', errorCode: 402, status: 'PAYMENT_REQUIRED' } });
    const { code, stdout } = await run(['send', '-p', 'smsworks', '--from', 'Shop', '--to', ...numbers(3), '--text', 'Hi', '--base-url', sandbox.baseUrls.smsworks, '--batch-size', '2', '--concurrency', '1'], {
      SMSWORKS_TOKEN: 'token',
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAILED.*insufficient_credit/);
    expect(stdout).toContain('3 recipients: 1 sent, 2 failed');
  });

  it('is a usage error without credentials, naming the variable, and sends nothing', async () => {
    const { code, stderr } = await run(['send', '-p', 'octopush', '--type', 'sms_premium', '--from', 'Shop', '--to', '+33612345678', '--text', 'Hi']);
    expect(code).toBe(2);
    expect(stderr).toContain('OCTOPUSH_API_LOGIN and OCTOPUSH_API_KEY');
  });

  it('is a usage error for a batch size over the vendor maximum', async () => {
    const { code, stderr } = await run(['send', '-p', 'octopush', '--type', 'sms_low_cost', '--from', 'Shop', '--to', '+33612345678', '--text', 'Hi', '--batch-size', '501'], {
      OCTOPUSH_API_LOGIN: 'a',
      OCTOPUSH_API_KEY: 'b',
    });
    expect(code).toBe(2);
    expect(stderr).toContain("over octopush's maximum of 500");
  });

  it('is a usage error for an unknown option, with help', async () => {
    const { code, stderr } = await run(['send', '-p', 'smscx', '--text', 'x', '--bogus']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--bogus'");
  });
});

describe('msgkit --help', () => {
  it('lists every command', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const command of ['segments', 'normalize', 'send', 'report', 'sandbox']) expect(stdout).toContain(command);
  });
});
