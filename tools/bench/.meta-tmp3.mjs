import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const root = '/work/wt/client-dx/packages';
const provider = process.argv[2] ?? 'smscx';
const cls = { smscx: "SmscxClient", smsworks: "SmsWorksClient", octopush: "OctopushClient", infobip: "InfobipClient" }[provider];
const r = await build({ stdin: { contents: `import { ${cls} } from '@msgkit/${provider}'; const c = new ${cls}({}); console.log(c);`, resolveDir: process.cwd(), loader: 'js' }, bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, metafile: true, logLevel: 'silent',
  alias: { '@msgkit/core/internal': `${root}/core/src/internal.ts`, '@msgkit/core': `${root}/core/src/index.ts`, [`@msgkit/${provider}`]: `${root}/${provider}/src/index.ts` } });
const out = Object.values(r.metafile.outputs)[0];
console.log('total gzip', gzipSync(r.outputFiles[0].contents, {level:9}).length, 'min', r.outputFiles[0].contents.length);
const files = Object.entries(out.inputs).sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput).slice(0,60);
for (const [f,v] of files) console.log(v.bytesInOutput, f.replace(/.*node_modules\//,'').replace('../../packages/',''));
