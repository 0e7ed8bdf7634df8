#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/main.js) and the grading worker into dist/bundle/ with
// esbuild, run by `npm run build` after tsc. Node 20 loads ~90 small ES modules in 0.15-0.2 s;
// one file takes a fraction of that, and start-up is a large part of short runs (autograding,
// benchmarks against qemu). The grader is a lazily loaded chunk, loaded only by `asmbox grade`.
// bin/asmbox.js runs the bundle when it exists, else dist/cli/main.js. The bundles embed the
// parsed instruction table (isa/mips32.isa) as __ASMBOX_ISA_CACHE__, used only while the .isa
// file has exactly the text it was parsed from (src/isa/table.ts).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
