// Runs TypeDoc's conversion and validation without writing the site, and returns every validation
// problem (an undocumented export, a broken {@link}, a public type not exported, an entry point
// not named after its package). `pnpm test` runs it through docs.test.mjs; `node check.mjs` prints
// the problems, undocumented exports listed by package, and exits 1 when there are any.
import { Application, Logger, TSConfigReader } from 'typedoc';
import { publicEntries, repositoryRoot, typedocOptions } from './typedoc.config.mjs';

class CollectingLogger extends Logger {
  problems = [];
  validationWarning(message) {
    this.problems.push(message);
    super.validationWarning(message);
  }
  error(message) {
    this.problems.push(message);
    super.error(message);
  }
}

/** The module name an entry point must carry (`@module`): its import specifier. */
export const moduleNameOf = (entry) => `${entry.packageName}${entry.subpath === '.' ? '' : entry.subpath.slice(1)}`;

/** The validation problems of the API reference of the checkout at `root`. */
export async function checkDocs(root = repositoryRoot, overrides = {}) {
  // The tsconfig reader gives TypeDoc the compiler options (the `paths` that send each
  // `@msgkit/*` import to its sources, not to a build that may be stale), as the CLI does.
  const app = await Application.bootstrap({ ...typedocOptions(root), ...overrides, emit: 'none' }, [new TSConfigReader()]);
  const logger = new CollectingLogger();
  app.logger = logger;
  const project = await app.convert();
  if (!project) return [...logger.problems, 'TypeDoc could not convert the project'];
  app.validate(project);
  // Without `@module`, TypeDoc names a module after its path (`dashboard/src`): the reference's
  // reader would not find the package, and the undocumented exports could not be told by package.
  const modules = new Set((project.children ?? []).map((child) => child.name));
  for (const entry of publicEntries(root)) {
    const name = moduleNameOf(entry);
    if (!modules.has(name)) logger.problems.push(`${name}: its entry point ${entry.source.slice(root.length + 1)} has no \`@module ${name}\` in its first doc comment`);
  }
  return logger.problems;
}

// TypeDoc reports a function's or method's signature, not the function.
const kindLabel = (kind, name) => (kind === 'CallSignature' ? (name.includes('.') ? 'method' : 'function') : kind === 'TypeAlias' ? 'type' : kind.toLowerCase());

const UNDOCUMENTED = /^(\S+) \((\w+)\), defined in (.*), does not have any documentation$/;

/**
 * The problems as a reader fixes them: the exports without a doc comment by package (from the file
 * each is defined in, so a module misnamed still lands under its package), then every other one.
 */
export function describeProblems(problems) {
  const byPackage = new Map();
  const others = [];
  for (const problem of problems) {
    const match = UNDOCUMENTED.exec(problem);
    const pkg = match && /(?:^|[/\\])(?:@msgkit|packages)[/\\]([\w-]+)[/\\]/.exec(match[3])?.[1];
    if (!match || !pkg) {
      others.push(problem);
      continue;
    }
    const [, fullName, kind] = match;
    // TypeDoc's full name is `<module>.<name>`; no module name holds a dot.
    const name = fullName.includes('.') ? fullName.slice(fullName.indexOf('.') + 1) : fullName;
    const names = byPackage.get(`@msgkit/${pkg}`) ?? [];
    names.push(`${name} (${kindLabel(kind, name)})`);
    byPackage.set(`@msgkit/${pkg}`, names);
  }
  const lines = [];
  if (byPackage.size > 0) {
    const count = [...byPackage.values()].reduce((n, names) => n + names.length, 0);
    lines.push(`${count} export(s) without a doc comment (say what it does, its units and what it throws):`);
    for (const [pkg, names] of [...byPackage].sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${pkg}: ${names.join(', ')}`);
  }
  if (others.length > 0) lines.push(`${others.length} other problem(s):`, ...others.map((problem) => `  ${problem}`));
  return lines.join('\n');
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const problems = await checkDocs();
  if (problems.length > 0) console.error(describeProblems(problems));
  console.log(`docs: ${problems.length} problem(s)`);
  process.exitCode = problems.length ? 1 : 0;
}
