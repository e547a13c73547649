#!/usr/bin/env node
const argv = process.argv.slice(2);

// `msgkit normalize` loads its own command alone: the other commands' modules would cost it CPU
// time at every start (issue 20). Every other command line goes through the whole program.
const program = argv[0] === 'normalize' ? import('./normalizeProgram') : import('./program');

program
  .then(({ main }) => main(argv))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`msgkit: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
