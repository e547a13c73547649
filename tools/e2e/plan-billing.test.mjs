// `msgkit plan` against what the sandbox bills: a seeded personalized campaign is planned, then
// sent through the CLI, and every row's planned parts must equal the parts the vendor's sandbox
// billed for it. CI runs a small size; `pnpm --filter @msgkit/e2e e2e:plan-billing-full` runs
// 100 000 rows (MSGKIT_PLAN_ROWS) once for the figure.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '@msgkit/cli';
import { startSandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from './fault-proxy.mjs';

const ROWS = Number(process.env.MSGKIT_PLAN_ROWS ?? 240);
const SEED = Number(process.env.MSGKIT_PLAN_SEED ?? 17);
const TEMPLATE = 'Hi {name}, your code is {code}';
const VENDORS = [
  { name: 'smscx', args: ['--from', 'Shop'], env: { SMSCX_API_KEY: 'key' } },
  { name: 'smsworks', args: ['--from', 'Shop'], env: { SMSWORKS_TOKEN: 'token' } },
  { name: 'octopush', args: ['--from', 'Shop', '--type', 'sms_premium'], sendArgs: ['--purpose', 'alert'], env: { OCTOPUSH_API_LOGIN: 'dev@example.com', OCTOPUSH_API_KEY: 'key' } },
  { name: 'infobip', args: [], env: { INFOBIP_API_KEY: 'key' } },
];

// Plain letters most of the time, and each kind of character that moves a count: GSM-7 extension
// characters (2 septets), Octopush's own double-counted ones, accented GSM-7 letters, UCS-2 letters
// and a character outside the BMP (2 UTF-16 units).
const POOLS = ['abcdefghijklmnopqrstuvwxyz ABCXYZ', '€^{}[]~|\\', '&$@', 'éüñÄØ', 'ŁşĞ中', '😀'];
function name(rand) {
  // Lengths around the part boundaries: the template adds 25 characters to the name.
  const length = 1 + Math.floor(rand() * (rand() < 0.5 ? 150 : 320));
  const unicode = rand() < 0.2;
  // Never blank: the reader trims cells, and a blank name is a personalization error, not a text.
  let out = 'N';
  for (let i = 1; i < length; i++) {
    const kind = rand();
    const pool = kind < 0.85 ? POOLS[0] : kind < 0.9 ? POOLS[1] : kind < 0.95 ? POOLS[2] : kind < 0.98 ? POOLS[3] : unicode ? POOLS[4 + Math.floor(rand() * 2)] : POOLS[0];
    out += [...pool][Math.floor(rand() * [...pool].length)];
  }
  return out;
}
const cell = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

async function cli(args, env) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = [];
  const err = [];
  stdout.on('data', (c) => out.push(c));
  stderr.on('data', (c) => err.push(c));
  const code = await main(args, { stdout, stderr, env, exitCode: 0 });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

function parseCsv(text) {
  const rows = [];
  let row = [];
  let value = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (value += '"'), i++;
      else if (c === '"') quoted = false;
      else value += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(value), (value = '');
    else if (c === '\n') row.push(value), rows.push(row), (row = []), (value = '');
    else value += c;
  }
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

let sandbox;
let dir;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'msgkit-plan-billing-'));
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('msgkit plan against what the sandbox bills', () => {
  it(`plans the parts the sandbox bills on every row of a ${ROWS}-row personalized campaign, at each of the four vendors`, async () => {
    const rand = mulberry32(SEED);
    const perVendor = Math.ceil(ROWS / VENDORS.length);
    const figures = [];
    for (const [v, vendor] of VENDORS.entries()) {
      sandbox.reset();
      const lines = ['phone,name,code'];
      for (let i = 0; i < perVendor; i++) lines.push(`+4474${String(v)}${String(i).padStart(7, '0')},${cell(name(rand))},${Math.floor(rand() * 1e6)}`);
      const list = join(dir, `${vendor.name}.csv`);
      writeFileSync(list, `${lines.join('\n')}\n`);
      const base = ['--base-url', sandbox.baseUrls[vendor.name]];
      const planned = join(dir, `${vendor.name}-plan.csv`);
      const plan = await cli(['plan', list, '-p', vendor.name, '--text', TEMPLATE, ...vendor.args, ...base, '--csv', planned], vendor.env);
      expect(plan.code, plan.stderr).toBe(0);
      // Balance reads and free estimates only: no request created a message.
      expect(sandbox.requests().filter((r) => r.messages > 0)).toEqual([]);
      expect(sandbox.messages()).toEqual([]);
      const rows = parseCsv(readFileSync(planned, 'utf8'));
      expect(rows).toHaveLength(perVendor);
      expect(rows.every((r) => r.status === 'send')).toBe(true);

      // A send to Octopush names its purpose (msgkit assumes none); it changes no part count, so the plan needs none.
      const sent = await cli(['send', '-p', vendor.name, '--to-file', list, '--text', TEMPLATE, ...vendor.args, ...(vendor.sendArgs ?? []), ...base, '--concurrency', '8'], vendor.env);
      expect(sent.code, sent.stderr).toBe(0);
      const billed = new Map(sandbox.messages(vendor.name).map((m) => [m.to.replace(/\D/g, ''), m.parts]));
      expect(billed.size).toBe(perVendor);
      const differ = rows.filter((r) => billed.get(r.e164.replace(/\D/g, '')) !== Number(r.segments));
      figures.push(`${vendor.name}: ${perVendor - differ.length}/${perVendor} rows equal, parts ${Math.min(...rows.map((r) => Number(r.segments)))}–${Math.max(...rows.map((r) => Number(r.segments)))}`);
      expect(differ.map((r) => [r.row, r.segments, billed.get(r.e164.replace(/\D/g, ''))])).toEqual([]);
    }
    console.log(figures.join('\n'));
  });
});
