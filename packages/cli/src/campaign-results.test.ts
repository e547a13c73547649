/**
 * `msgkit campaign results`: a queue campaign's per-recipient file, from a real Redis (the queue's
 * test Redis: MSGKIT_TEST_REDIS_URL, else a redis-server of its own with an append-only file) after
 * a real worker sent it through the sandbox over loopback.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCampaignWorker, enqueueCampaign } from '@msgkit/queue';
import { redisAvailable, startTestRedis, waitDone, type TestRedis } from '@msgkit/queue/testing';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { smscxSender } from '@msgkit/smscx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResults, runCli as run } from './testing';

const bin = fileURLToPath(new URL('../bin/msgkit.mjs', import.meta.url));
let redis: TestRedis | undefined;
let url: string;
let dir: string;
let sandbox: Sandbox;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'msgkit-cli-campaign-results-'));
  if (!redisAvailable) return;
  sandbox = await startSandbox({ port: 0, reports: { drop: 1 } });
  redis = await startTestRedis();
  url = redis.url;
});
afterAll(async () => {
  await sandbox?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const gb = (n: number, from: number) => Array.from({ length: n }, (_, i) => `+447400${String(from + i).padStart(6, '0')}`);
let files = 0;
const path = (name: string) => join(dir, `${files++}-${name}`);

/** Enqueues and runs an SMS.CX campaign on one worker until every batch has an outcome. */
async function runCampaign(prefix: string, campaignId: string, recipients: string[], batchSize: number) {
  const sender = smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 });
  await enqueueCampaign({ connection: url, prefix, campaignId, sender, recipients, message: { from: 'Shop', text: 'Hi' }, batchSize });
  const worker = createCampaignWorker({ connection: url, prefix, sender });
  try {
    return await waitDone(url, campaignId, prefix);
  } finally {
    await worker.close();
  }
}

describe.skipIf(!redisAvailable)('msgkit campaign results', () => {
  it('writes one CSV row per recipient under the journal results\' column names, and the same rows as JSON Lines with --json', async () => {
    const prefix = `q${randomUUID().slice(0, 8)}`;
    const numbers = gb(7, 100);
    await runCampaign(prefix, 'listed', numbers, 3);
    const out = path('results.csv');
    const written = await run(['campaign', 'results', 'listed', '--redis', url, '--prefix', prefix, '--out', out]);
    expect([written.code, written.stderr]).toEqual([0, '']);
    expect(written.stdout).toContain(`7 recipient(s) written to ${out}`);
    expect(written.stdout).toContain('send: 7 sent, 0 refused, 0 unknown, 0 pending');
    expect(written.stdout).toContain('delivery: 0 delivered, 0 failed, 7 pending, 0 unknown');
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe('e164,batch,status,provider,vendor_id,error,tries,state,delivery_status,reason,message_id,delivered_twice_by');
    const rows = parseResults(text);
    const ids = new Map(sandbox.messages('smscx').map((m) => [`+${m.to.replace(/\D/g, '')}`, m.id]));
    expect(rows.map((r) => [r.e164, r.batch, r.status, r.provider, r.vendor_id, r.state, r.reason])).toEqual(numbers.map((to, i) => [to, String(Math.floor(i / 3)), 'sent', 'smscx', ids.get(to), 'pending', 'no report yet']));

    const jsonOut = path('results.jsonl');
    expect((await run(['campaign', 'results', 'listed', '--redis', url, '--prefix', prefix, '--out', jsonOut, '--json'])).code).toBe(0);
    const objects = readFileSync(jsonOut, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)])))).toEqual(rows);
    // Written again over its own earlier file: replaced.
    expect((await run(['campaign', 'results', 'listed', '--redis', url, '--prefix', prefix, '--out', jsonOut, '--json'])).code).toBe(0);
  });

  it('refuses (exit 2) an unknown campaign and a file that is not a results file, and writes nothing', async () => {
    const prefix = `q${randomUUID().slice(0, 8)}`;
    const missing = path('missing.csv');
    const unknown = await run(['campaign', 'results', 'nope', '--redis', url, '--prefix', prefix, '--out', missing]);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('no campaign nope in')]);
    expect(existsSync(missing)).toBe(false);
    const precious = path('notes.csv');
    writeFileSync(precious, 'name,phone\nAda,+447400000001\n');
    const refused = await run(['campaign', 'results', 'nope', '--redis', url, '--prefix', prefix, '--out', precious]);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining('is not a campaign results file')]);
    expect(readFileSync(precious, 'utf8')).toBe('name,phone\nAda,+447400000001\n');
  });

  it('under a file-size limit (ulimit -f, EFBIG) exits 1 naming the file, leaves the earlier results file whole and no temporary file behind', async () => {
    if (!existsSync(fileURLToPath(new URL('../dist/bin.mjs', import.meta.url)))) throw new Error('build @msgkit/cli first (pnpm build)');
    const prefix = `q${randomUUID().slice(0, 8)}`;
    await runCampaign(prefix, 'large', gb(400, 1000), 100);
    const sub = mkdtempSync(join(dir, 'limited-'));
    const out = join(sub, 'results.csv');
    const earlier = 'e164,batch,status,provider,vendor_id,error,tries,state,delivery_status,reason,message_id,delivered_twice_by\n+447400000001,0,sent,smscx,x,,smscx:sent,pending,,no report yet,,\n';
    writeFileSync(out, earlier);
    const quote = (args: string[]) => args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const script = `ulimit -f 8; exec "$NODE" "$MSGKIT_BIN" ${quote(['campaign', 'results', 'large', '--redis', url, '--prefix', prefix, '--out', out])}`;
    const limited = spawn('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '', NODE: process.execPath, MSGKIT_BIN: bin }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    limited.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => limited.once('exit', resolve));
    expect([code, stderr]).toEqual([1, expect.stringContaining(`the results file ${out} could not be written (EFBIG)`)]);
    expect(readFileSync(out, 'utf8')).toBe(earlier);
    expect(readdirSync(sub)).toEqual(['results.csv']);
    // Without the limit the same command writes all 400.
    expect((await run(['campaign', 'results', 'large', '--redis', url, '--prefix', prefix, '--out', out])).code).toBe(0);
    expect(parseResults(readFileSync(out, 'utf8'))).toHaveLength(400);
  });
});
