// Runs TypeDoc's conversion and validation without writing the site, and returns every validation
// problem (an undocumented export, a broken {@link}, a public type not exported). `pnpm test` runs
// it through docs.test.mjs; `node check.mjs` prints the problems and exits 1 when there are any.
import { Application, Logger, TSConfigReader } from 'typedoc';
import { repositoryRoot, typedocOptions } from './typedoc.config.mjs';

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
  return logger.problems;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const problems = await checkDocs();
  for (const problem of problems) console.error(problem);
  console.log(`docs: ${problems.length} problem(s)`);
  process.exitCode = problems.length ? 1 : 0;
}
