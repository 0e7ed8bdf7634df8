#!/usr/bin/env node
// Launcher: runs the compiled CLI (built by `npm run build`, which `npm ci` runs via prepare):
// the esbuild bundle (fast start-up) if present, else the tsc output.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const main = [join(dist, 'bundle', 'main.js'), join(dist, 'cli', 'main.js')].find((f) => existsSync(f));
if (!main) {
  process.stderr.write('asmbox: the CLI is not built yet; run `npm install` (or `npm run build`) first\n');
  process.exit(2);
}
const { main: run } = await import(pathToFileURL(main).href);
await run(process.argv);
