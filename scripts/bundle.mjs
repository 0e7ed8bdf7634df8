#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/main.js) and the grading worker into dist/bundle/ with
// esbuild, run by `npm run build` after tsc. Node 20 loads ~90 small ES modules in 0.15-0.2 s;
// one file (plus lazily loaded chunks: the grader, loaded only by `asmbox grade`) takes a
// fraction of that, and start-up is a large part of short runs (autograding, benchmarks).
// bin/asmbox.js runs the bundle when it exists, else dist/cli/main.js.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
rmSync(join(root, 'dist/bundle'), { recursive: true, force: true }); // chunk names change with their content
await build({
  entryPoints: { main: join(root, 'dist/cli/main.js'), worker: join(root, 'dist/grade/worker.js') },
  outdir: join(root, 'dist/bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // chunks sit two levels below the package root, as dist/cli/*.js do: their import.meta.url
  // based paths (isa/, roms/, ./worker.js) resolve the same
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});
