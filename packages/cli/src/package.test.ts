import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { version } from '../package.json';

// The built package, by its name, as a user gets it (build first: turbo's test depends on build).
describe('@msgkit/cli as published', () => {
  it('exposes main and the provider table to import', async () => {
    const cli = await import('@msgkit/cli');
    expect(typeof cli.main).toBe('function');
    expect(Object.keys(cli.PROVIDERS).sort()).toEqual(['infobip', 'octopush', 'smscx', 'smsworks']);
    // Loading every provider client cold can pass 5 s on a loaded CI machine.
  });

  it('exposes the same API to require', () => {
    const require = createRequire(import.meta.url);
    const cli = require('@msgkit/cli') as typeof import('@msgkit/cli');
    expect(typeof cli.createProgram).toBe('function');
  });

  it('loads a provider client on demand within CommonJS: a vendor check that fails is a ValidationError of the same core', async () => {
    const require = createRequire(import.meta.url);
    const cli = require('@msgkit/cli') as typeof import('@msgkit/cli');
    const stdout = new PassThrough();
    const chunks: string[] = [];
    stdout.on('data', (c: Buffer) => chunks.push(c.toString()));
    const io = { stdout, stderr: new PassThrough(), env: {}, exitCode: 0 };
    const code = await cli.main(['send', '-p', 'smscx', '--from', 'AB', '--to', '+447400100001', '--text', 'Hi', '--dry-run', '--json'], io);
    expect(code).toBe(1);
    expect(JSON.parse(chunks.join(''))).toMatchObject({ valid: false, issues: [expect.objectContaining({ vendorCode: 1106 })] });
  });

  it('runs its bin', () => {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('@msgkit/cli/package.json'));
    const out = execFileSync(process.execPath, [join(root, 'dist', 'bin.mjs'), '--version'], { encoding: 'utf8' });
    expect(out.trim()).toBe(version);
  });
});
