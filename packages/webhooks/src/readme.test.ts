// The TypeScript examples of this package's README and of the root README's "Delivery reports"
// section type-check against the built packages (they serve HTTP, so the release test's
// run-against-the-sandbox check does not run them).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const dir = mkdtempSync(join(pkg, '.readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function blocks(markdown: string, section?: string): string[] {
  const out: string[] = [];
  let heading = '';
  for (const part of markdown.split(/^(## .*)$/m)) {
    if (part.startsWith('## ')) heading = part.slice(3).trim();
    else if (!section || heading === section) for (const m of part.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) out.push(m[1]!);
  }
  return out;
}

/** Diagnostics of each source, type-checked together in one program (one compile is slow enough). */
function check(sources: string[]): string[][] {
  const files = sources.map((code, i) => {
    const file = join(dir, `example-${i}.mts`);
    writeFileSync(file, code);
    return file;
  });
  const program = ts.createProgram(files, { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: ['node'], skipLibCheck: true });
  const all = ts.getPreEmitDiagnostics(program);
  return files.map((file) => all.filter((d) => d.file?.fileName === file || !d.file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')));
}

const examples = [...blocks(readFileSync(join(pkg, 'README.md'), 'utf8')), ...blocks(readFileSync(join(pkg, '../../README.md'), 'utf8'), 'Delivery reports')];

describe('the README examples of delivery reports', () => {
  it('are there, and type-check against the built packages, and a wrong option would not (the check can fail)', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
    const broken = examples[0]!.replace('secrets: [secret]', 'secret: [secret]');
    expect(broken).not.toBe(examples[0]);
    const results = check([...examples, broken]);
    expect(results.slice(0, -1)).toEqual(examples.map(() => []));
    expect(results.at(-1)!.join('\n')).toMatch(/secret/);

  });
});
