import { linkSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { batchDedupeKey } from '@msgkit/core';
import { contentOf, readJournal } from '@msgkit/journal';
import { parse as parseCsv } from 'csv-parse/sync';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseResults, runCli as run } from './testing';

let sandbox: Sandbox;
let dir: string;
let n = 0;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'msgkit-cli-send-'));
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => sandbox.reset());
const file = (name: string, text?: string) => {
  const path = join(dir, `${n++}-${name}`);
  if (text !== undefined) writeFileSync(path, text);
  return path;
};
const numbers = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `+4474002${String(from + i).padStart(5, '0')}`);
const SMSWORKS = { SMSWORKS_TOKEN: 'token' };
const smsworks = (list: string, extra: string[]) => ['send', '-p', 'smsworks', '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls.smsworks, ...extra];

describe('msgkit send --results', () => {
  it('accounts for every input row exactly once, with its line in the file', async () => {
    const list = file('list.csv', 'name;phone;country\nAda;07400 100001;GB\n\nBob;;GB\nCy;+44 7400 100001;\nDi;06 12 34 56 78;FR\nEd;0612345679;\nFi;call me;GB\n');
    const results = file('results.csv');
    const { code, stdout } = await run(smsworks(list, ['--results', results]), SMSWORKS);
    expect(code).toBe(1);
    const rows = parseResults(readFileSync(results, 'utf8')).sort((a, b) => Number(a.row) - Number(b.row));
    expect(rows.map((r) => [r.row, r.status, r.e164, r.error?.split(':')[0]])).toEqual([
      ['2', 'sent', '+447400100001', ''],
      ['4', 'invalid', '', 'empty'],
      ['5', 'duplicate', '+447400100001', ''],
      ['6', 'sent', '+33612345678', ''],
      ['7', 'invalid', '', 'invalid_country'],
      ['8', 'invalid', '', 'not_a_number'],
    ]);
    expect(rows.filter((r) => r.status === 'sent').every((r) => r.vendor_id !== '')).toBe(true);
    expect(stdout).toContain('national numbers read in 4 rows by their country column');
  });

  it('lists a batch of unknown outcome, never resends it at a vendor that cannot deduplicate, and resends it when asked', async () => {
    const list = file('list.txt', numbers(6).join('\n'));
    const journal = file('j.jsonl');
    const results = file('results.csv');
    sandbox.faults.add({ vendor: 'smsworks', count: 1, drop: true });
    const args = smsworks(list, ['--batch-size', '2', '--concurrency', '1', '--journal', journal, '--results', results]);
    const first = await run(args, SMSWORKS);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('2 recipients have an unknown outcome');
    const unknown = parseResults(readFileSync(results, 'utf8')).filter((r) => r.status === 'unknown');
    expect(unknown.map((r) => r.e164)).toEqual(numbers(2));
    expect(sandbox.messages('smsworks')).toHaveLength(4);

    const again = await run(args, SMSWORKS);
    expect(again.code).toBe(1);
    expect(sandbox.messages('smsworks')).toHaveLength(4);
    expect(parseResults(readFileSync(results, 'utf8')).filter((r) => r.status === 'unknown')).toHaveLength(2);

    const report = await run(['report', journal]);
    expect(report.stdout).toMatch(/unknown\s*│\s*1\s*│\s*2/);
    expect(report.stdout).toContain(`row 1: ${numbers(1)[0]}`);

    const resend = await run([...args, '--resend-unknown'], SMSWORKS);
    expect(resend.code).toBe(0);
    expect(sandbox.messages('smsworks').map((m) => m.to).sort()).toEqual(numbers(6).map((x) => x.slice(1)).sort());
  });

  it('resumes at a deduplicating vendor by resending unknown batches with the key bound to the campaign, its content and the batch', async () => {
    const list = file('list.txt', numbers(6).join('\n'));
    const journal = file('j.jsonl');
    // Every attempt of the first batch fails with a 500: the client gives up with an unknown outcome.
    sandbox.faults.add({ vendor: 'smscx', count: 20, path: '/sms', status: 500, body: { error: { type: 'server_error', code: 0, message: 'x', uri: '' } } });
    const args = ['send', '-p', 'smscx', '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls.smscx, '--batch-size', '3', '--concurrency', '1', '--journal', journal];
    const first = await run(args, { SMSCX_API_KEY: 'k' });
    expect(first.stdout).toContain('Run the same command to resend them with the same dedupe key');
    sandbox.faults.clear();
    const second = await run(args, { SMSCX_API_KEY: 'k' });
    expect(second.code).toBe(0);
    expect(sandbox.messages('smscx').map((m) => m.to).sort()).toEqual(numbers(6).sort());
    const { header } = await readJournal(journal);
    const keys = sandbox.received('smscx').map((r) => (r.body as { idempotencyId: string }).idempotencyId);
    const bound = (i: number) => batchDedupeKey(header.campaignId, i, { content: contentOf(header.parts), recipients: numbers(6).slice(i * 3, i * 3 + 3) });
    expect(new Set(keys)).toEqual(new Set([bound(0), bound(1)]));
  });

  it('refuses to resume a journal with another text, naming what changed, and sends nothing', async () => {
    const list = file('list.txt', numbers(2).join('\n'));
    const journal = file('j.jsonl');
    expect((await run(smsworks(list, ['--journal', journal]), SMSWORKS)).code).toBe(0);
    const changed = await run(['send', '-p', 'smsworks', '--from', 'Shop', '--to-file', list, '--text', 'Hello', '--base-url', sandbox.baseUrls.smsworks, '--journal', journal], SMSWORKS);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/refusing to resume: .* differs in its text/);
    writeFileSync(list, numbers(3).join('\n'));
    const grown = await run(smsworks(list, ['--journal', journal]), SMSWORKS);
    expect(grown.stderr).toContain('recipient list');
    expect(sandbox.messages('smsworks')).toHaveLength(2);
  });

  it('stops the campaign at the first 401 instead of repeating it for every batch', async () => {
    const list = file('list.txt', numbers(10).join('\n'));
    const results = file('results.csv');
    sandbox.faults.add({ vendor: 'smsworks', count: 1, status: 401, body: { message: 'bad token' } });
    const { code, stderr } = await run(smsworks(list, ['--batch-size', '2', '--concurrency', '1', '--results', results]), SMSWORKS);
    expect(code).toBe(1);
    expect(stderr).toContain('campaign stopped: no later batch can succeed: authentication_error');
    expect(sandbox.messages('smsworks')).toHaveLength(0);
    const rows = parseResults(readFileSync(results, 'utf8'));
    expect(rows).toHaveLength(10);
    expect(rows.filter((r) => r.error?.startsWith('authentication_error'))).toHaveLength(2);
    expect(rows.filter((r) => r.error?.startsWith('not_sent'))).toHaveLength(8);
  });
});

describe('msgkit send: arguments a new user gets wrong', () => {
  it('refuses a CSV whose phone column it cannot identify, naming the columns it found', async () => {
    const list = file('people.csv', 'name,tel2\nAda,07400100001\n');
    const { code, stderr } = await run(smsworks(list, []), SMSWORKS);
    expect(code).toBe(1);
    expect(stderr).toContain('columns found: "name", "tel2"');
    const chosen = await run(smsworks(list, ['--column', 'tel2', '-c', 'GB', '--dry-run']), SMSWORKS);
    expect(chosen.code).toBe(0);
  });

  it('is a usage error for an unknown country, and assumes none when no country is given', async () => {
    const unknown = await run(['send', '-p', 'smsworks', '--from', 'Shop', '--to', '07400100001', '--text', 'Hi', '-c', 'XX', '--dry-run'], SMSWORKS);
    expect(unknown.code).toBe(2);
    const none = await run(['send', '-p', 'smsworks', '--from', 'Shop', '--to', '07400100001', '--text', 'Hi', '--dry-run'], SMSWORKS);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('invalid_country');
    expect(none.stdout).toContain('no country assumed');
  });

  it('needs --type for octopush and refuses --from for infobip', async () => {
    const octopush = await run(['send', '-p', 'octopush', '--from', 'Shop', '--to', '+33612345678', '--text', 'Hi'], { OCTOPUSH_API_LOGIN: 'a', OCTOPUSH_API_KEY: 'b' });
    expect(octopush.code).toBe(2);
    expect(octopush.stderr).toContain('--type sms_premium or sms_low_cost');
    const infobip = await run(['send', '-p', 'infobip', '--from', 'Shop', '--to', '+33612345678', '--text', 'Hi'], { INFOBIP_API_KEY: 'a' });
    expect(infobip.code).toBe(2);
    expect(infobip.stderr).toContain('OMNI scenario');
  });

  it('sends the Octopush type it was given', async () => {
    const { code } = await run(['send', '-p', 'octopush', '--type', 'sms_low_cost', '--from', 'Shop', '--to', '+447400100001', '--text', 'Hi', '--base-url', sandbox.baseUrls.octopush], { OCTOPUSH_API_LOGIN: 'a@b.c', OCTOPUSH_API_KEY: 'b' });
    expect(code).toBe(0);
    expect((sandbox.received('octopush')[0]!.body as { type: string }).type).toBe('sms_low_cost');
  });
});

describe('msgkit send: numbers that cannot take an SMS', () => {
  it('sends no landline, writes it to the results with its type, and sends it with --allow-landline', async () => {
    const list = file('list.csv', 'phone,country\n07400 100001,GB\n020 7946 0018,GB\n030 123456,DE\n12345,DE\n');
    const results = file('results.csv');
    const first = await run(smsworks(list, ['--results', results]), SMSWORKS);
    expect(first.code).toBe(1);
    expect(sandbox.messages('smsworks').map((m) => m.to)).toEqual(['447400100001']);
    expect(first.stdout).toContain('2 refused as landline or other non-mobile number');
    const rows = parseResults(readFileSync(results, 'utf8')).sort((a, b) => Number(a.row) - Number(b.row));
    expect(rows.map((r) => [r.row, r.status, r.e164, r.type, r.error])).toEqual([
      ['2', 'sent', '+447400100001', 'MOBILE', ''],
      ['3', 'invalid', '+442079460018', 'FIXED_LINE', 'not_mobile'],
      ['4', 'invalid', '+4930123456', 'FIXED_LINE', 'not_mobile'],
      ['5', 'invalid', '', '', 'invalid'],
    ]);
    sandbox.reset();
    const allowed = await run(smsworks(list, ['--allow-landline']), SMSWORKS);
    expect(allowed.code).toBe(1);
    expect(sandbox.messages('smsworks').map((m) => m.to).sort()).toEqual(['442079460018', '447400100001', '4930123456']);
  });

  it('a dry run counts the landlines it would refuse and names them with their type', async () => {
    const { code, stdout } = await run(['send', '-p', 'smscx', '--from', 'Shop', '--to', '0151 28403420', '030 123456', '-c', 'DE', '--text', 'Hi', '--dry-run', '--json'], { SMSCX_API_KEY: 'k' });
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ recipients: 1, invalid: 1, notMobile: 1, invalidRows: [{ row: 'arg 2', input: '030 123456', code: 'not_mobile', type: 'FIXED_LINE' }] });
    const text = await run(['send', '-p', 'smscx', '--from', 'Shop', '--to', '0151 28403420', '030 123456', '-c', 'DE', '--text', 'Hi', '--dry-run'], { SMSCX_API_KEY: 'k' });
    expect(text.stdout).toContain('numbers: 1 refused as landline or other non-mobile number');
    expect(text.stdout).toContain('invalid row arg 2 "030 123456": not_mobile (FIXED_LINE)');
  });
});

describe('msgkit send --dry-run without credentials', () => {
  it.each([
    ['smscx', ['--from', 'Shop']],
    ['smsworks', ['--from', 'Shop']],
    ['octopush', ['--from', 'Shop', '--type', 'sms_premium']],
    ['infobip', []],
  ])('%s: checks the request, says which credentials a real send needs, and sends nothing', async (provider, extra) => {
    const { code, stdout } = await run(['send', '-p', provider, ...extra, '--to', '+447400100001', '--text', 'Hi', '--dry-run']);
    expect(code).toBe(0);
    expect(stdout).toContain('Nothing was sent');
    expect(stdout).toMatch(/credentials: .* not set; a dry run needs none, a real send does/);
    expect(sandbox.received()).toHaveLength(0);
  });

  it('still reports what the vendor would refuse', async () => {
    const { code, stdout } = await run(['send', '-p', 'smscx', '--from', 'AB', '--to', '+447400100001', '--text', 'Hi', '--dry-run', '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ valid: false, issues: [expect.objectContaining({ path: ['from'], vendorCode: 1106 })] });
  });

  it('report is a usage error (exit 2) for a journal that is not there', async () => {
    const { code, stderr } = await run(['report', join(dir, 'missing.journal')]);
    expect(code).toBe(2);
    expect(stderr).toContain('ENOENT');
  });

  it('is a usage error (exit 2) for a --to-file that is not there', async () => {
    const { code, stderr } = await run(smsworks(join(dir, 'missing.csv'), ['--dry-run']), SMSWORKS);
    expect(code).toBe(2);
    expect(stderr).toContain('ENOENT');
  });
});

describe('msgkit segments and normalize', () => {
  it('segments reads the text from standard input with -', async () => {
    const { code, stdout } = await run(['segments', '--json', '-'], {}, 'Hello {world}\n');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ units: 15 });
  });

  it('normalize --csv writes one row per input, tab-separated input included', async () => {
    const list = file('list.tsv', 'phone\tcountry\n07400 100001\tGB\n+33612345678\t\nxyz\tGB\n');
    const { stdout, stderr } = await run(['normalize', '--file', list, '--csv']);
    expect(stdout.trim().split('\n')).toEqual(['row,input,e164,status,error,type', '2,07400 100001,+447400100001,valid,,MOBILE', '3,+33612345678,+33612345678,valid,,MOBILE', '4,xyz,,invalid,not_a_number,']);
    expect(stderr).toContain('3 inputs: 2 unique valid');
  });
});

describe('msgkit send: a campaign id binds its content', () => {
  const smscx = (list: string, text: string, journal: string) => ['send', '-p', 'smscx', '--from', 'Shop', '--to-file', list, '--text', text, '--base-url', sandbox.baseUrls.smscx, '--batch-size', '3', '--journal', journal, '--campaign-id', 'spring'];
  const octopush = (list: string, text: string, journal: string) => ['send', '-p', 'octopush', '--type', 'sms_premium', '--from', 'Shop', '--to-file', list, '--text', text, '--base-url', sandbox.baseUrls.octopush, '--batch-size', '3', '--journal', journal, '--campaign-id', 'spring'];
  const OCTOPUSH = { OCTOPUSH_API_LOGIN: 'a@b.c', OCTOPUSH_API_KEY: 'b' };

  it('sends a reused --campaign-id with another text to everyone, at SMS.CX and Octopush, instead of the vendor dropping it as a duplicate', async () => {
    const list = file('list.txt', numbers(6).join('\n'));
    expect((await run(smscx(list, 'Sale starts Monday', file('a.jsonl')), { SMSCX_API_KEY: 'k' })).code).toBe(0);
    const second = await run(smscx(list, 'Sale postponed', file('b.jsonl')), { SMSCX_API_KEY: 'k' });
    expect(second.code).toBe(0);
    const texts = sandbox.messages('smscx').filter((m) => m.text === 'Sale postponed').map((m) => m.to);
    expect(texts.sort()).toEqual(numbers(6).sort());

    expect((await run(octopush(list, 'Sale starts Monday', file('c.jsonl')), OCTOPUSH)).code).toBe(0);
    expect((await run(octopush(list, 'Sale postponed', file('d.jsonl')), OCTOPUSH)).code).toBe(0);
    expect(sandbox.messages('octopush').filter((m) => m.text === 'Sale postponed')).toHaveLength(6);
  });

  it('lets the vendor drop a repeat of the very same campaign under the same --campaign-id, even from another journal', async () => {
    const list = file('list.txt', numbers(6).join('\n'));
    expect((await run(smscx(list, 'Hi', file('a.jsonl')), { SMSCX_API_KEY: 'k' })).code).toBe(0);
    expect((await run(smscx(list, 'Hi', file('b.jsonl')), { SMSCX_API_KEY: 'k' })).code).toBe(0);
    expect(sandbox.messages('smscx')).toHaveLength(6);
  });
});

describe('msgkit send: a malformed row late in the file', () => {
  it('stops the run with every batch already sent recorded in the journal and the results, names the row, and exits 1', async () => {
    const rows = numbers(251).map((x, i) => (i === 199 ? `"${x}` : x));
    const list = file('list.csv', `phone\n${rows.join('\n')}\n`);
    const journal = file('j.jsonl');
    const results = file('results.csv');
    const { code, stderr } = await run(smsworks(list, ['--batch-size', '20', '--concurrency', '2', '--journal', journal, '--results', results]), SMSWORKS);
    expect(code).toBe(1);
    // Row 201 of the file (its line 201, after the header) opens a quote that never closes.
    expect(stderr).toMatch(/row 201/);
    const sent = sandbox.messages('smsworks').length;
    expect(sent).toBe(180);
    const written = parseResults(readFileSync(results, 'utf8'));
    expect(written.filter((r) => r.status === 'sent')).toHaveLength(sent);
    // Every row before the bad one has its line; the ones read but not sent say so.
    expect(written.map((r) => r.row)).toEqual(Array.from({ length: 200 }, (_, i) => String(i + 2)));
    expect(written.slice(180, 199).every((r) => r.status === 'refused' && r.error!.startsWith('not_sent'))).toBe(true);
    expect(written[199]).toMatchObject({ row: '201', status: 'invalid', error: 'malformed_csv: CSV_QUOTE_NOT_CLOSED' });
    const report = JSON.parse((await run(['report', '--json', journal])).stdout);
    expect(report.totals.sent).toEqual({ batches: 9, recipients: 180 });
    expect(report.totals.unknown).toEqual({ batches: 0, recipients: 0 });
  });
});

describe('msgkit send --results never destroys an input', () => {
  it('refuses a --results path that is the recipient list, the journal, or a hard link or symlink to either, and leaves them intact', async () => {
    const text = numbers(3).join('\n');
    const list = file('list.txt', text);
    const journal = file('j.jsonl');
    expect((await run(smsworks(list, ['--journal', journal]), SMSWORKS)).code).toBe(0);
    const journalText = readFileSync(journal, 'utf8');
    const hard = file('hard.csv');
    linkSync(list, hard);
    const soft = file('soft.csv');
    symlinkSync(journal, soft);
    for (const target of [list, journal, hard, soft, join(dir, '.', basename(list))]) {
      const refused = await run(smsworks(list, ['--journal', journal, '--results', target]), SMSWORKS);
      expect(refused.code, target).toBe(2);
      expect(refused.stderr).toMatch(/--results .* is (the recipient list|the journal)/);
    }
    expect(readFileSync(list, 'utf8')).toBe(text);
    expect(readFileSync(journal, 'utf8')).toBe(journalText);
    expect(sandbox.messages('smsworks')).toHaveLength(3);
  });

  it('never overwrites a file that is not a results file of the same campaign, and rewrites its own', async () => {
    const list = file('list.txt', numbers(2).join('\n'));
    const notes = file('notes.csv', 'name,comment\nAda,keep me\n');
    const refused = await run(smsworks(list, ['--results', notes]), SMSWORKS);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not a results file of this campaign');
    expect(readFileSync(notes, 'utf8')).toBe('name,comment\nAda,keep me\n');
    expect(sandbox.messages('smsworks')).toHaveLength(0);

    const journal = file('j.jsonl');
    const results = file('results.csv');
    const args = smsworks(list, ['--journal', journal, '--results', results]);
    expect((await run(args, SMSWORKS)).code).toBe(0);
    const again = await run(args, SMSWORKS);
    expect(again.code).toBe(0);
    expect(parseResults(readFileSync(results, 'utf8')).map((r) => r.status)).toEqual(['sent', 'sent']);
    // Another campaign's results file is not this one's.
    const other = await run(['send', '-p', 'smsworks', '--from', 'Shop', '--to-file', list, '--text', 'Other text', '--base-url', sandbox.baseUrls.smsworks, '--journal', file('k.jsonl'), '--results', results], SMSWORKS);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('not a results file of this campaign');
  });
});

describe('msgkit report --json', () => {
  it('lists every recipient of unknown outcome, not the first 20', async () => {
    const list = file('list.txt', numbers(40).join('\n'));
    const journal = file('j.jsonl');
    sandbox.faults.add({ vendor: 'smsworks', count: 1, drop: true });
    await run(smsworks(list, ['--batch-size', '30', '--concurrency', '1', '--journal', journal]), SMSWORKS);
    const report = JSON.parse((await run(['report', '--json', journal])).stdout);
    expect(report.totals.unknown).toEqual({ batches: 1, recipients: 30 });
    expect(report.unknownRecipients).toHaveLength(30);
    expect(report.unknownRecipients.map((u: { e164: string }) => u.e164)).toEqual(numbers(30));
  });
});

describe('msgkit send --results: the file', () => {
  it('keeps an input cell that holds a line break and a comma whole, in its row', async () => {
    const list = file('list.csv', `name,phone\n"Ada\nLovelace, Countess",${numbers(1)[0]}\nxyz,not a number\nBob,${numbers(2)[1]}\n`);
    const results = file('results.csv');
    expect((await run(smsworks(list, ['--results', results, '--batch-size', '1', '--concurrency', '2']), SMSWORKS)).code).toBe(1);
    const rows = parseCsv(readFileSync(results, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.row, r.status, r.name])).toEqual([
      ['3', 'sent', 'Ada\nLovelace, Countess'],
      ['4', 'invalid', 'xyz'],
      ['5', 'sent', 'Bob'],
    ]);
  });

  it('is in input order whatever order the batches settle in, keeps the input columns, and gives the vendor code and a short reason', async () => {
    const lines = ['name,phone,segment'];
    for (let i = 0; i < 12; i++) lines.push(`n${i},${i === 3 ? 'call me' : i === 7 ? numbers(1)[0] : numbers(12)[i]},s${i % 3}`);
    const list = file('list.csv', `${lines.join('\n')}\n`);
    const results = file('results.csv');
    // The first request is slow, the second refused with a vendor code: batches settle out of order.
    sandbox.faults.add({ vendor: 'smscx', count: 1, delayMs: 300 });
    sandbox.faults.add({ vendor: 'smscx', count: 1, status: 400, body: { error: { type: 'invalid_param', code: 1125, message: 'Invalid value for ttl. '.repeat(20), uri: 'https://example.com/docs' } } });
    const args = ['send', '-p', 'smscx', '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls.smscx, '--batch-size', '2', '--concurrency', '3', '--results', results];
    expect((await run(args, { SMSCX_API_KEY: 'k' })).code).toBe(1);
    const text = readFileSync(results, 'utf8');
    const [header] = text.split('\n');
    expect(header).toBe('row,input,e164,status,vendor_id,error,type,campaign,name,phone,segment');
    const rows = parseResults(text);
    expect(rows.map((r) => r.row)).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 2)));
    expect(rows.map((r) => r.name)).toEqual(Array.from({ length: 12 }, (_, i) => `n${i}`));
    expect(rows[3]).toMatchObject({ status: 'invalid', error: 'not_a_number', phone: 'call me', segment: 's0' });
    expect(rows[7]).toMatchObject({ status: 'duplicate' });
    const refused = rows.filter((r) => r.status === 'refused');
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.error).toMatch(/^bad_request 1125: Invalid value for ttl/);
      expect(r.error!.length).toBeLessThanOrEqual(100);
    }
  });
});
