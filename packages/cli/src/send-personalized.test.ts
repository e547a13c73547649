import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli as run, sandboxFixture } from './testing';

const fx = sandboxFixture('msgkit-cli-personalized-');
const file = (name: string, text: string) => fx.file(name, text);
const SMSWORKS = { SMSWORKS_TOKEN: 'token' };
const TEMPLATE = 'Hi {name}, your code is {code}';
const send = (list: string, extra: string[] = [], text = TEMPLATE) => ['send', '-p', 'smsworks', '--from', 'Shop', '--to-file', list, '--text', text, '--base-url', fx.sandbox.baseUrls.smsworks, ...extra];

describe('msgkit send with a personalized --text', () => {
  it("fills each row's placeholders from its own columns and sends every recipient its own text", async () => {
    const list = file('list.csv', 'phone,name,code\n+447400100001,Ada,1111\n+447400100002,Bob,2222\n+447400100003,Cy,3333\n');
    const { code, stdout } = await run(send(list), SMSWORKS);
    expect(code).toBe(0);
    expect(stdout).toContain('3 sent');
    const texts = fx.sandbox.messages('smsworks').map((m) => [m.to, m.text]);
    expect(texts.sort()).toEqual([
      ['447400100001', 'Hi Ada, your code is 1111'],
      ['447400100002', 'Hi Bob, your code is 2222'],
      ['447400100003', 'Hi Cy, your code is 3333'],
    ]);
  });

  it('refuses an empty value before anything is sent, naming the column and the row', async () => {
    const list = file('list.csv', 'phone,name,code\n+447400100001,Ada,1111\n+447400100002,,2222\n+447400100003,Cy,\n');
    const { code, stderr } = await run(send(list), SMSWORKS);
    expect(code).toBe(1);
    expect(stderr).toContain('row 3: column "name" is empty');
    expect(stderr).toContain('row 4: column "code" is empty');
    expect(stderr).toContain('nothing was sent');
    expect(fx.sandbox.requests()).toEqual([]);
  });

  it('refuses a placeholder that names no column of the file, and one given with --to numbers, which have no columns', async () => {
    const list = file('list.csv', 'phone,name\n+447400100001,Ada\n');
    const unknown = await run(send(list, [], 'Hi {nom}'), SMSWORKS);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('{nom}');
    expect(unknown.stderr).toContain('phone, name');
    const args = await run(['send', '-p', 'smsworks', '--from', 'Shop', '--to', '+447400100001', '--text', 'Hi {name}', '--base-url', fx.sandbox.baseUrls.smsworks], SMSWORKS);
    expect(args.code).toBe(2);
    expect(args.stderr).toContain('--to');
    const syntax = await run(send(list, [], 'Stop {{optoutLink}}'), SMSWORKS);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain('\\{');
    expect(fx.sandbox.requests()).toEqual([]);
  });

  it('counts each row with its own text in a dry run', async () => {
    const long = 'x'.repeat(150);
    const list = file('list.csv', `phone,name,code\n+447400100001,Ada,1\n+447400100002,${long},2\n+447400100003,Łu,3\n`);
    const { code, stdout } = await run(send(list, ['--dry-run', '--json']), {});
    expect(code).toBe(0);
    // 1 + 2 (GSM-7, 171 characters) + 1 (UCS-2 for Ł, 25 characters)
    expect(JSON.parse(stdout)).toMatchObject({ personalized: true, segments: { total: 4, min: 1, max: 2 }, recipients: 3 });
    expect(fx.sandbox.requests()).toEqual([]);
  });

  it('binds the journal to every row\'s text: a resume after a value changed is refused, and nothing is sent under the old keys', async () => {
    const journal = join(fx.dir, 'j.jsonl');
    const first = file('list.csv', 'phone,name,code\n+447400100001,Ada,1111\n+447400100002,Bob,2222\n');
    expect((await run(send(first, ['--journal', journal]), SMSWORKS)).code).toBe(0);
    writeFileSync(first, 'phone,name,code\n+447400100001,Ada,1111\n+447400100002,Bob,9999\n');
    const again = await run(send(first, ['--journal', journal]), SMSWORKS);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('refusing to resume');
    expect(fx.sandbox.messages('smsworks')).toHaveLength(2);
  });
});
