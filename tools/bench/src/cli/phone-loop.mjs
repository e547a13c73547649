// The anchor of cli-normalize.mjs, in a process of its own (as cold as the CLI's): msgkit's own
// phone function, full metadata as the CLI uses, over the rows of the bench file held in memory.
// Reading the file is not timed. Prints JSON: wall and CPU milliseconds of the loop, rows, how many
// were numbers, and the wall and CPU the process took to start and load the phone path (Node's own
// start and the import of @msgkit/core/max, which the CLI pays too), measured before the file is read.
import { readFileSync } from 'node:fs';
import { normalizePhone } from '@msgkit/core/max';

// Static imports are evaluated before this line: the figures hold Node's start and the metadata's load.
const startMs = performance.now();
const startCpu = process.cpuUsage();

const lines = readFileSync(process.argv[2], 'utf8').split('\n');
const inputs = [];
const countries = [];
for (let i = 1; i < lines.length; i++) {
  if (lines[i] === '') continue;
  const cells = lines[i].split(',');
  inputs.push(cells[1].trim());
  countries.push(cells[2]);
}
// The options of a row's country, as the CLI finds them: the last row's while the country cell
// repeats (one comparison), else from a map of the countries seen.
const options = new Map();
const start = performance.now();
const cpu = process.cpuUsage();
let numbers = 0;
let lastCountry;
let o;
for (let i = 0; i < inputs.length; i++) {
  const country = countries[i];
  if (country !== lastCountry || o === undefined) {
    o = options.get(country);
    if (!o) options.set(country, (o = { defaultCountry: country }));
    lastCountry = country;
  }
  if (inputs[i] !== '' && normalizePhone(inputs[i], o).ok) numbers++;
}
const ms = performance.now() - start;
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, startMs, startCpuMs: (startCpu.user + startCpu.system) / 1000, rows: inputs.length, numbers }));
