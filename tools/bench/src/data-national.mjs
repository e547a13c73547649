// National GB recipient rows the way a campaign export holds them: a name, the number written in
// one of the national forms people type, and a country column. Seeded, so every run reads the
// same file. Mostly mobiles, some landlines (which the CLI refuses unless --allow-landline),
// verbatim repeats and a little junk, so every branch of the CLI's classification is exercised.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pick, seeded } from './harness.mjs';

const digits = (random, count) => {
  let out = '';
  for (let i = 0; i < count; i++) out += Math.floor(random() * 10);
  return out;
};

// National significant numbers: mobiles 07[4-9]xx xxxxxx, landlines in geographic ranges.
const MOBILE = (r) => `7${pick(r, ['4', '5', '7', '8', '9'])}${digits(r, 8)}`;
const LANDLINE = (r) => pick(r, [() => `20${pick(r, ['7', '8', '3'])}${digits(r, 7)}`, () => `1${pick(r, ['13', '21', '61', '31', '41'])}${digits(r, 7)}`])();

const WRITINGS = [
  (n) => `0${n.slice(0, 4)} ${n.slice(4)}`,
  (n) => `0${n}`,
  (n) => `0${n.slice(0, 4)}-${n.slice(4, 7)}-${n.slice(7)}`,
  (n) => `(0${n.slice(0, 4)}) ${n.slice(4)}`,
  (n) => `0${n.slice(0, 2)} ${n.slice(2, 6)} ${n.slice(6)}`,
];

/** `count` rows as parallel arrays (phone cell, country cell), from `seed`. */
export function nationalRows(count, seed = 20) {
  const random = seeded(seed);
  const inputs = new Array(count);
  for (let i = 0; i < count; i++) {
    const roll = random();
    if (roll < 0.004) inputs[i] = pick(random, ['n/a', '', 'call me', `0${digits(random, 4)}`]);
    else if (roll < 0.03 && i > 0) inputs[i] = inputs[Math.floor(random() * i)];
    else inputs[i] = pick(random, WRITINGS)(roll < 0.1 ? LANDLINE(random) : MOBILE(random));
  }
  return { inputs, countries: new Array(count).fill('GB') };
}

/** Writes the rows as `name,phone,country` CSV; resolves once the file is complete. */
export async function writeNationalCsv(path, count, seed = 20) {
  const { inputs, countries } = nationalRows(count, seed);
  const out = createWriteStream(path);
  let chunk = 'name,phone,country\n';
  for (let i = 0; i < count; i++) {
    chunk += `Customer ${i + 1},${inputs[i]},${countries[i]}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return { inputs, countries };
}
