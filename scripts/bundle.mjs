#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/main.js) and the grading worker into dist/bundle/ with
// esbuild, run by `npm run build` after tsc. Node 20 loads ~90 small ES modules in 0.15-0.2 s;
// one file takes a fraction of that, and start-up is a large part of short runs (autograding,
// benchmarks against qemu). Three outputs:
//   main.js, worker.js, chunk-*.js  ES modules (the grader a lazily loaded chunk); worker.js runs
//                                   the grading worker threads, main.js is bin/asmbox.js's fallback
//   cli.cjs                         the whole CLI with its packages as one CommonJS-style script:
//                                   bin/asmbox.js compiles it with node:vm and V8's code cache
//   cli.cjs.v8cache                 that cache, written by a warm-up run (scripts/codecache.mjs)
// Both bundles embed the parsed instruction table (isa/mips32.isa) as __ASMBOX_ISA_CACHE__,
// used only while the .isa file has exactly the text it was parsed from (src/isa/table.ts).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeCodeCache } from './codecache.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'dist/bundle');
rmSync(out, { recursive: true, force: true }); // chunk names change with their content

const { parseIsa, serializeIsaTable } = await import(pathToFileURL(join(root, 'dist/isa/table.js')).href);
const isaName = 'isa/mips32.isa';
const isaSource = readFileSync(join(root, isaName), 'utf8');
const isaCache = JSON.stringify(serializeIsaTable(parseIsa(isaSource, isaName), isaSource, isaName));
const define = { __ASMBOX_ISA_CACHE__: JSON.stringify(isaCache) };

await build({
  entryPoints: { main: join(root, 'dist/cli/main.js'), worker: join(root, 'dist/grade/worker.js') },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  define,
  // chunks sit two levels below the package root, as dist/cli/*.js do: their import.meta.url
  // based paths (isa/, roms/, ./worker.js) resolve the same
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});

// The code-cached script: CommonJS, packages included (no module resolution at start-up),
// import.meta.url supplied by bin/asmbox.js as the URL of dist/bundle/main.js (so isa/, roms/
// and the grader's ./worker.js resolve as from the ES bundle). The grader is bundled in too:
// its functions are compiled only when `asmbox grade` calls them.
await build({
  entryPoints: [join(root, 'dist/cli/main.js')],
  outfile: join(out, 'cli.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  charset: 'ascii', // bin/asmbox.js reads it as latin1 (no UTF-8 decoding)
  // a third smaller (names kept): less to read, hash and scan at every start-up
  minifyWhitespace: true,
  define: { ...define, 'import.meta.url': '__asmbox_import_meta_url' },
  logLevel: 'warning',
});

writeCodeCache(root);
