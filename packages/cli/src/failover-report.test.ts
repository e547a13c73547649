// Failover after sending, as a user runs it: `msgkit send -p smsworks,smscx --journal J --dlr-url`,
// `msgkit webhooks serve --journal J` (in-process here) recording the sandbox's seeded reports, then
// the same command with --failover-on-report (or --failover-after-no-report <duration>). The
// sandbox's own record of the messages each vendor holds is the proof of what was sent where.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readJournal } from '@msgkit/journal';
import { smscxReports } from '@msgkit/smscx';
import { smsworksReports } from '@msgkit/smsworks';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { createCallbackUrl } from '@msgkit/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { startReceiver } from './dlrReceiver';
import { parseResults, runCli as run, scratch } from './testing';

const bin = fileURLToPath(new URL('../bin/msgkit.mjs', import.meta.url));
const { file, remove } = scratch('msgkit-cli-failover-report-');
afterAll(remove);
const secret = randomBytes(32).toString('base64url');
const numbers = (count: number) => Array.from({ length: count }, (_, i) => `+4474007${String(i).padStart(5, '0')}`);
const env = { SMSWORKS_TOKEN: 't', SMSCX_API_KEY: 'k', MSGKIT_WEBHOOK_SECRET: secret };
const digits = (to: string) => to.replace(/\D/g, '');

/** Each vendor's messages by recipient (digits), as the sandbox holds them. */
function held(sandbox: Sandbox): Map<string, Array<{ vendor: string; status: string }>> {
  const out = new Map<string, Array<{ vendor: string; status: string }>>();
  for (const m of [...sandbox.messages('smsworks'), ...sandbox.messages('smscx')]) {
    const key = digits(String(m.to));
    out.set(key, [...(out.get(key) ?? []), { vendor: m.vendor, status: m.status }]);
  }
  return out;
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
};

async function setup(reports: Parameters<Sandbox['reports']['set']>[0]) {
  const journal = file('j.jsonl');
  // Spooled reports are moved into the journal when the test says (flush), never while a send would open it.
  const receiver = await startReceiver({ journal, formats: [smsworksReports, smscxReports], secrets: [secret], flushEveryMs: 3_600_000 });
  const sandbox = await startSandbox({ port: 0, dlrDelayMs: 2, reports });
  const list = file('list.txt', numbers(12).join('\n'));
  const args = ['send', '-p', 'smsworks,smscx', '--from', 'Shop', '--to-file', list, '--text', 'Your parcel is on its way', '--base-url', `smsworks=${sandbox.baseUrls.smsworks}`, '--base-url', `smscx=${sandbox.baseUrls.smscx}`, '--batch-size', '4', '--concurrency', '1', '--journal', journal, '--dlr-url', `${receiver.url}/dlr`];
  /** Every report the sandbox posted received and moved into the journal (`placed`: each one placed). */
  const settle = async (placed = true) => {
    await sandbox.settled();
    await receiver.handler.drain();
    expect(await receiver.flush()).toBe(placed);
  };
  return { journal, receiver, sandbox, args, settle, close: async () => (await sandbox.close(), await receiver.close()) };
}

describe('msgkit send --failover-on-report', () => {
  it('sends each recipient whose first provider reported a final undelivered once through the next, resumes after SIGKILL mid-failover without sending twice, and msgkit report counts the moves', async () => {
    if (!existsSync(fileURLToPath(new URL('../dist/bin.mjs', import.meta.url)))) throw new Error('build @msgkit/cli first (pnpm build)');
    const t = await setup({ seed: 3, failures: 0.4 });
    try {
      const first = await run(t.args, env);
      expect([first.code, first.stderr]).toEqual([0, expect.not.stringContaining('msgkit:')]);
      await t.settle();
      const failedAtFirst = [...held(t.sandbox)].filter(([, list]) => list[0]!.status === 'UNDELIVERABLE').map(([to]) => to);
      expect(failedAtFirst.length).toBeGreaterThan(1);
      expect(t.sandbox.messages('smscx')).toEqual([]);

      // A dry run says what would move, and sends nothing.
      const dry = await run([...t.args, '--failover-on-report', '--dry-run'], env);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain(`${failedAtFirst.length} recipient(s) would move now: smsworks → smscx: ${failedAtFirst.length} (undelivered ${failedAtFirst.length})`);
      expect(t.sandbox.messages('smscx')).toEqual([]);

      // The first move's request reaches SMS.CX, which takes it; its answer never comes: the run is killed there.
      t.sandbox.faults.add({ vendor: 'smscx', path: '/sms', after: true, delayMs: 900_000 });
      const child = spawn(process.execPath, [bin, ...t.args, '--failover-on-report'], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env } });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      await until(() => t.sandbox.messages('smscx').length > 0);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(out).toContain(`${failedAtFirst.length} recipient(s) move now: smsworks → smscx`);
      // The journal holds the move begun, with its proof, and never settled.
      const lines = readFileSync(t.journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const moves = lines.filter((l) => l.t === 'attempt' && l.s === 'smscx');
      expect(moves).toHaveLength(1);
      expect(moves[0]!.p).toEqual((moves[0]!.to as string[]).map((to) => expect.objectContaining({ to, kind: 'report', status: 'undelivered' })));
      expect(lines.some((l) => l.t === 'done' && l.i === moves[0]!.i && l.a === moves[0]!.a)).toBe(false);

      // SMS.CX reports the message it took; the report waits in the spool until an answer names its recipient.
      await t.settle(false);
      const resumed = await run([...t.args, '--failover-on-report'], env);
      expect([resumed.code, resumed.stderr]).toEqual([0, expect.not.stringContaining('msgkit:')]);
      expect(resumed.stdout).toContain('moved to the next provider after sending: smsworks');
      await t.settle();

      // The sandbox holds one message per vendor per recipient at most, and an SMS.CX one exactly for those The SMS Works failed.
      const after = held(t.sandbox);
      for (const [to, list] of after) {
        expect(list.filter((m) => m.vendor === 'smsworks')).toHaveLength(1);
        expect(list.filter((m) => m.vendor === 'smscx')).toHaveLength(failedAtFirst.includes(to) ? 1 : 0);
      }
      expect(t.sandbox.messages('smscx')).toHaveLength(failedAtFirst.length);

      // Again: nothing moves (the moved ones stand at the last provider), nothing is sent.
      const again = await run([...t.args, '--failover-on-report'], env);
      expect(again.stdout).toContain('none moves now');
      expect(t.sandbox.messages('smscx')).toHaveLength(failedAtFirst.length);

      const results = file('results.csv');
      const report = await run(['report', t.journal, '--results', results]);
      expect(report.stdout).toContain(`moved to the next provider after sending: smsworks: ${failedAtFirst.length} on a final negative report, 0 on the timer`);
      expect(report.stdout).not.toContain('delivered twice');
      const rows = parseResults(readFileSync(results, 'utf8'));
      expect(rows).toHaveLength(12);
      for (const row of rows) {
        const moved = failedAtFirst.includes(digits(row.e164!));
        expect(row.provider).toBe(moved ? 'smscx' : 'smsworks');
        // The move the kill interrupted is there too: unknown, then resent with its key (SMS.CX kept one message).
        const killed = (moves[0]!.to as string[]).includes(row.e164!);
        expect(row.tries).toBe(moved ? `smsworks:sent:moved-report-undelivered ${killed ? 'smscx:unknown ' : ''}smscx:sent` : 'smsworks:sent');
        const smscx = after.get(digits(row.e164!))!.find((m) => m.vendor === 'smscx');
        // Each stands where it was sent last, with that provider's report.
        expect(row.state).toBe(moved ? (smscx!.status === 'DELIVERED' ? 'delivered' : 'failed') : 'delivered');
      }
      const json = JSON.parse((await run(['report', t.journal, '--json'])).stdout) as { providers: Record<string, { moved: { report: number } }> };
      expect(json.providers.smsworks!.moved.report).toBe(failedAtFirst.length);
    } finally {
      await t.close();
    }
  });

  it('refuses what it cannot do, before sending: no journal, a chain of one, a timer without a unit or without reports', async () => {
    const list = file('list.txt', numbers(1).join('\n'));
    const journal = file('j.jsonl');
    const base = ['--from', 'Shop', '--to-file', list, '--text', 'Hi'];
    const cases: Array<[string[], RegExp]> = [
      [['-p', 'smsworks,smscx', ...base, '--failover-on-report'], /--failover-on-report need --journal/],
      [['-p', 'smscx', ...base, '--journal', journal, '--failover-on-report'], /need a chain of at least two providers/],
      [['-p', 'smsworks,smscx', ...base, '--journal', journal, '--dlr-url', 'https://hooks.example.com/dlr', '--failover-after-no-report', '30'], /give a duration with its unit/],
      [['-p', 'smsworks,smscx', ...base, '--journal', journal, '--failover-after-no-report', '30m'], /--failover-after-no-report needs --dlr-url/],
    ];
    for (const [args, message] of cases) {
      const r = await run(['send', ...args], env);
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(message)]);
    }
    const bare = await run(['send', '-p', 'smsworks,smscx', ...base, '--journal', journal, '--dlr-url', 'https://hooks.example.com/dlr', '--failover-after-no-report'], env);
    expect(bare.code).toBe(2);
    expect(existsSync(journal)).toBe(false);
  });
});

describe('msgkit send --failover-after-no-report', () => {
  it('moves only recipients with no final report after the duration, and msgkit report counts every recipient both providers reported delivered', async () => {
    const t = await setup({ seed: 4, drop: 1 });
    try {
      const first = await run(t.args, env);
      expect(first.code).toBe(0);
      await t.settle();
      const sent = t.sandbox.messages('smsworks');
      expect(sent).toHaveLength(12);
      const { header } = await readJournal(t.journal);
      const batchOf = (to: string) => Math.floor(numbers(12).indexOf(to) / 4);
      const report = async (to: string, status: string) => {
        const m = sent.find((x) => digits(String(x.to)) === digits(to))!;
        const url = createCallbackUrl({ baseUrl: `${t.receiver.url}/dlr`, secret, vendor: 'smsworks', campaign: header.campaignId, batch: batchOf(to), ttlSeconds: 3600 });
        const body = JSON.stringify({ messageid: m.id, destination: Number(digits(to)), status, modified: new Date().toISOString(), ...(status === 'UNDELIVERABLE' && { failurereason: { code: 34, details: 'Handset error', permanent: false } }) });
        expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(200);
      };
      const [delivered, undelivered, ...silent] = numbers(12);
      await report(delivered!, 'DELIVERED');
      await report(undelivered!, 'UNDELIVERABLE');
      expect(await t.receiver.flush()).toBe(true);
      // The sends began an hour ago, as far as the journal says.
      const text = readFileSync(t.journal, 'utf8').split('\n');
      writeFileSync(t.journal, text.map((l) => (l.startsWith('{"t":"attempt"') ? JSON.stringify({ ...JSON.parse(l), at: new Date(Date.now() - 3_600_000).toISOString() }) : l)).join('\n'));

      // Not yet: two hours.
      const early = await run([...t.args, '--failover-after-no-report', '2h', '--dry-run'], env);
      expect(early.stdout).toContain('none moves now');
      const moved = await run([...t.args, '--failover-after-no-report', '30m'], env);
      expect([moved.code, moved.stderr]).toEqual([0, expect.not.stringContaining('msgkit:')]);
      expect(moved.stdout).toContain('after no final delivery report within 30m (--failover-after-no-report; a late delivered report');
      expect(moved.stdout).toContain(`${silent.length} recipient(s) move now: smsworks → smscx: ${silent.length} (timer ${silent.length})`);
      // Only the silent ones: a final report of either kind stops the timer (and undelivered moves only with --failover-on-report).
      expect(t.sandbox.messages('smscx').map((m) => digits(String(m.to))).sort()).toEqual(silent.map(digits).sort());

      // SMS.CX's reports, dropped by the sandbox, come after all (a vendor retries), and The SMS
      // Works reports two of them delivered too: two providers delivered them, they got it twice.
      await t.sandbox.settled();
      const smscxReports = t.sandbox.deliveries('smscx').filter((d) => d.dropped);
      expect(smscxReports).toHaveLength(silent.length);
      for (const d of smscxReports) expect((await fetch(d.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(d.body) })).status).toBe(200);
      expect(t.sandbox.messages('smscx').every((m) => m.status === 'DELIVERED')).toBe(true);
      await report(silent[0]!, 'DELIVERED');
      await report(silent[1]!, 'DELIVERED');
      await report(silent[2]!, 'UNDELIVERABLE');
      expect(await t.receiver.flush()).toBe(true);
      const results = file('results.csv');
      const r = await run(['report', t.journal, '--results', results]);
      expect(r.stdout).toContain(`moved to the next provider after sending: smsworks: 0 on a final negative report, ${silent.length} on the timer`);
      expect(r.stdout).toContain('delivered twice: 2 (smsworks and another provider both reported delivered)');
      const rows = parseResults(readFileSync(results, 'utf8'));
      expect(rows.filter((row) => row.delivered_twice_by === 'smsworks').map((row) => row.e164)).toEqual([silent[0], silent[1]]);
      expect(rows.find((row) => row.e164 === silent[2])).toMatchObject({ provider: 'smscx', tries: 'smsworks:sent:moved-timer smscx:sent', delivered_twice_by: '' });
      const json = JSON.parse((await run(['report', t.journal, '--json'])).stdout) as { providers: Record<string, { moved: { timer: number }; deliveredTwice: number }> };
      expect(json.providers.smsworks).toMatchObject({ moved: { timer: silent.length }, deliveredTwice: 2 });
    } finally {
      await t.close();
    }
  });
});
