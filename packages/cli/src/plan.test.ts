import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { main } from './program';
import { runCli as run, sandboxFixture } from './testing';

const fx = sandboxFixture('msgkit-cli-plan-');
const file = (name: string, text: string) => fx.file(name, text);
const LONG = 'L'.repeat(160);
// Lines 2…9: each a different fate.
const LIST = [
  'phone,name',
  '+447400100001,Ada',
  '+447400100001,Ada',
  '+442071838750,Bob',
  '+33612345678,Cy',
  'call me,Di',
  '+31612345678,',
  `+447400100002,${LONG}`,
  '+31612345679,Łu',
].join('\n');

const planRows = (stdout: string) => (JSON.parse(stdout) as { rows: Array<Record<string, unknown>> }).rows;

describe('msgkit plan', () => {
  it("says for every row whether it is sent or why not, with SMS.CX's own free estimate as the cost, and makes no paid request", async () => {
    const list = file('list.csv', LIST);
    const { code, stdout } = await run(['plan', list, '-p', 'smscx', '--from', 'Shop', '--text', 'Hi {name}', '--countries', 'GB,NL', '--base-url', fx.sandbox.baseUrls.smscx, '--json'], { SMSCX_API_KEY: 'key' });
    expect(code).toBe(1);
    const plan = JSON.parse(stdout);
    expect(plan.rows.map((r: Record<string, unknown>) => [r.row, r.status, r.reason ?? '', r.vendor, r.encoding ?? '', r.segments ?? 0, r.cost ?? null])).toEqual([
      ['2', 'send', '', 'smscx', 'GSM-7', 1, 0.068],
      ['3', 'duplicate', '', 'smscx', '', 0, null],
      ['4', 'landline', 'FIXED_LINE', 'smscx', '', 0, null],
      ['5', 'country_not_allowed', 'FR', 'smscx', '', 0, null],
      ['6', 'invalid', 'not_a_number', 'smscx', '', 0, null],
      ['7', 'personalization_error', 'row 7: column "name" is empty, so {name} cannot be filled', 'smscx', '', 0, null],
      ['8', 'send', '', 'smscx', 'GSM-7', 2, 0.136],
      ['9', 'send', '', 'smscx', 'UCS-2', 1, 0.074],
    ]);
    expect(plan.countries).toEqual([
      { country: 'GB', recipients: 2, segments: 3, cost: 0.204 },
      { country: 'NL', recipients: 1, segments: 1, cost: 0.074 },
    ]);
    expect(plan.totals).toMatchObject({ rows: 8, send: 3, segments: 4, cost: 0.278, invalid: 1, duplicate: 1, landline: 1, country_not_allowed: 1, personalization_error: 1 });
    expect(plan.balance).toEqual({ amount: 100000, unit: 'EUR', billing: 'prepaid' });
    expect(plan.costSource).toContain('/sms/estimate');
    expect(plan.assumptions.join('\n')).toContain('--countries GB,NL');
    // Reads and free estimates only: nothing acted on, no message created.
    expect(fx.sandbox.requests().length).toBeGreaterThan(0);
    expect(fx.sandbox.requests().every((r) => !r.acted && r.messages === 0)).toBe(true);
    expect(fx.sandbox.requests().map((r) => r.operationId).sort()).toEqual(['estimateSms', 'estimateSms', 'getAccountBalance']);
    expect(fx.sandbox.received()).toEqual([]);
  });

  it('prices with --prices where the vendor has no estimate, as a table and as CSV, and says what it assumed', async () => {
    const list = file('list.csv', 'phone\n+447400100001\n+33612345678\n+4915112345678\n');
    const prices = file('prices.csv', 'country,price\nGB,0.04\nFR,0.05\n');
    const out = file('plan.csv', '');
    const args = ['plan', list, '-p', 'smsworks', '--from', 'Shop', '--text', `Sale ${'x'.repeat(200)}`, '--prices', prices, '--base-url', fx.sandbox.baseUrls.smsworks];
    const table = await run(args, { SMSWORKS_TOKEN: 'token' });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/GB\s*│\s*1\s*│\s*2\s*│\s*0\.08/);
    expect(table.stdout).toMatch(/FR\s*│\s*1\s*│\s*2\s*│\s*0\.1/);
    expect(table.stdout).toContain('DE has no price in');
    expect(table.stdout).toContain('balance: 10000 credits');
    expect(table.stdout).toContain('all countries allowed (no --countries)');
    const csv = await run([...args, '--csv', out], { SMSWORKS_TOKEN: 'token' });
    expect(csv.code).toBe(0);
    const rows = parseCsv(readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.row, r.status, r.country, r.segments, r.cost])).toEqual([
      ['2', 'send', 'GB', '2', '0.08'],
      ['3', 'send', 'FR', '2', '0.1'],
      ['4', 'send', 'DE', '2', ''],
    ]);
    expect(fx.sandbox.requests().map((r) => r.operationId)).toEqual(['getCredits', 'getCredits']);
    expect(fx.sandbox.received()).toEqual([]);
  });

  it('refuses a price table it cannot read, naming the line', async () => {
    const list = file('list.csv', 'phone\n+447400100001\n');
    const prices = file('prices.csv', 'country,price\nGB,cheap\n');
    const { code, stderr } = await run(['plan', list, '-p', 'smsworks', '--from', 'Shop', '--text', 'Hi', '--prices', prices], {});
    expect(code).toBe(2);
    expect(stderr).toContain('line 2');
  });

  it("counts a row's parts as its vendor bills them: Octopush's double-counted characters", async () => {
    const list = file('list.csv', 'phone\n+33612345678\n');
    const { stdout } = await run(['plan', list, '-p', 'octopush', '--from', 'Shop', '--type', 'sms_premium', '--text', `${'a'.repeat(155)}&$\n`, '--json'], {});
    expect(planRows(stdout)[0]).toMatchObject({ status: 'send', segments: 2 });
  });
});

describe('msgkit plan on a terminal', () => {
  it('draws a progress bar on a terminal stderr and keeps stdout for the plan', async () => {
    const list = fx.file('list.csv', 'phone\n+447400100001\n');
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    const err: string[] = [];
    stderr.on('data', (c: Buffer) => err.push(c.toString()));
    const code = await main(['plan', list, '-p', 'smsworks', '--from', 'Shop', '--text', 'Hi', '--json'], { stdout, stderr, env: {}, exitCode: 0 });
    expect(code).toBe(0);
    expect(err.join('')).toMatch(/planning \[[=-]+\] 100% \| 1 rows/);
    expect(JSON.parse((stdout.read() as Buffer).toString()).totals).toMatchObject({ rows: 1, send: 1 });
  });
});
