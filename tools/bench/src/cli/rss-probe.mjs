// Loaded with `node --import` into the CLI process the bench times: writes the process's peak
// resident set size (kB) and its CPU time (ms, user + system) as JSON to the file named by
// MSGKIT_BENCH_PROBE_FILE as the process exits.
import { writeFileSync } from 'node:fs';

const file = process.env.MSGKIT_BENCH_PROBE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
  });
}
