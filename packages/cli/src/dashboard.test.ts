import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFileJournal } from '@msgkit/journal';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDashboard } from './commands/dashboard';
import { runCli } from './testing';

const bin = fileURLToPath(new URL('../bin/msgkit.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'msgkit-cli-dashboard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('msgkit dashboard', () => {
  it('is a usage error (exit 2) with nothing to show, a bad port or a short token', async () => {
    expect(await runCli(['dashboard'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--journal <file>, --journal-dir <dir> or --redis <url>') });
    expect(await runCli(['dashboard', '--journal', 'x.journal', '--port', '99999'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--port must be') });
    expect(await runCli(['dashboard', '--journal', 'x.journal', '--port', '0', '--token', 'short'])).toMatchObject({ code: 2, stderr: expect.stringContaining('at least 16 characters') });
  });

  it('names the package to install when @msgkit/dashboard is missing', async () => {
    const missing = () => Promise.reject(Object.assign(new Error('Cannot find package'), { code: 'ERR_MODULE_NOT_FOUND' }));
    await expect(loadDashboard(missing)).rejects.toMatchObject({ exitCode: 2, message: 'msgkit dashboard needs the @msgkit/dashboard package: npm i @msgkit/dashboard' });
  });

  it('prints its address, serves the journal there, and stops on SIGTERM with exit 0', async () => {
    const path = join(dir, 'spring.journal');
    const journal = await openFileJournal(path, { provider: 'smscx', sender: 'Shop', text: 'Hi', options: {}, recipients: 'x' });
    await journal.begin({ index: 0, recipients: ['+447400100000', '+447400100001'] });
    await journal.settle(0, { status: 'sent', ids: ['s-0'] });
    await journal.close();
    const child = spawn(process.execPath, [bin, 'dashboard', '--journal', path, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 900_000);
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const found = /msgkit dashboard: (http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(out);
          if (found) resolve(found[1]!);
        });
        child.on('close', (code) => reject(new Error(`exited ${code} before printing its address: ${out}`)));
      });
      const { campaigns } = (await (await fetch(new URL('/api/campaigns', address))).json()) as { campaigns: Array<{ name: string; totals: { sent: number } }> };
      expect(campaigns).toMatchObject([{ name: 'spring.journal', totals: { sent: 2 } }]);
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      child.kill('SIGTERM');
      expect(await closed).toBe(0);
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
    }
  });
});
