// Builds the dashboard's page into dist/client: the script bundled and minified by esbuild (no
// framework: a few hundred lines of DOM code), the HTML, CSS and icon copied. Nothing is fetched
// from a CDN at run time: the page works offline.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const out = 'dist/client';
mkdirSync(out, { recursive: true });
await build({ entryPoints: ['src/client/app.ts'], bundle: true, minify: true, format: 'iife', target: 'es2020', outfile: `${out}/app.js`, logLevel: 'warning' });
for (const name of ['index.html', 'app.css', 'favicon.svg']) copyFileSync(`src/client/${name}`, `${out}/${name}`);
