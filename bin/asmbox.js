#!/usr/bin/env node
// Launcher: runs the compiled CLI (built by `npm run build`, which `npm ci` runs via prepare).
// First choice: dist/bundle/cli.cjs, the whole CLI as one script, compiled with node:vm using
// V8's code cache (dist/bundle/cli.cjs.v8cache, written at build time by a warm-up run:
// scripts/codecache.mjs), which saves most of the compiling at start-up. The cache is used only
// when its header holds the SHA-256 of exactly the script compiled here (V8 itself checks little
// more than the source's length) and V8 accepts it (same V8 version and flags); otherwise the
// script is compiled from source as usual. Fallbacks: the ES module bundle, then the tsc output.
// Environment: ASMBOX_CODE_CACHE=off ignores the cache; ASMBOX_CODE_CACHE=debug reports on stderr
// whether it was used. ASMBOX_CODE_CACHE_WRITE (the build's warm-up, see scripts/codecache.mjs).
import { readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const bundle = join(dist, 'bundle');

// The parameters the CommonJS bundle expects; import.meta.url is the ES bundle's main.js, so
// paths relative to it (isa/, roms/, the grader's ./worker.js) resolve as there.
const HEAD = '(function (exports, require, module, __filename, __dirname, __asmbox_import_meta_url) {';
const TAIL = '\n})';

function loadScript(file) {
  let src;
  try {
    src = readFileSync(file, 'latin1'); // esbuild wrote it ASCII-only
  } catch {
    return null;
  }
  const mode = process.env.ASMBOX_CODE_CACHE ?? '';
  const writing = process.env.ASMBOX_CODE_CACHE_WRITE;
  const cacheFile = `${file}.v8cache`;
  const hash = createHash('sha256').update(HEAD).update(src, 'latin1').update(TAIL).digest();
  let cachedData;
  let status = 'missing';
  if (mode === 'off' || writing) status = 'off';
  else {
    try {
      const buf = readFileSync(cacheFile);
      if (buf.length > hash.length && buf.subarray(0, hash.length).equals(hash)) cachedData = buf.subarray(hash.length);
      else status = 'stale';
    } catch {
      // no cache: compile from source
    }
  }
  const script = new Script(HEAD + src + TAIL, { filename: file, cachedData });
  if (cachedData) status = script.cachedDataRejected ? 'rejected' : 'used';
  if (mode === 'debug') process.stderr.write(`asmbox: code cache ${status}\n`);
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), pathToFileURL(join(bundle, 'main.js')).href);
  const save = () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([hash, script.createCachedData()]));
    renameSync(tmp, cacheFile);
  };
  return { main: module.exports.main, writing, save };
}

const cli = loadScript(join(bundle, 'cli.cjs'));
if (cli?.writing) {
  // Build-time warm-up: run each command line (a JSON list of argument lists) so the functions
  // they use are compiled, then store V8's code for them.
  for (const args of JSON.parse(cli.writing)) {
    await cli.main([process.argv[0], process.argv[1], ...args]);
    process.exitCode = 0;
  }
  cli.save();
} else if (cli) {
  await cli.main(process.argv);
} else {
  const main = [join(bundle, 'main.js'), join(dist, 'cli', 'main.js')].find((f) => existsSync(f));
  if (!main) {
    process.stderr.write('asmbox: the CLI is not built yet; run `npm install` (or `npm run build`) first\n');
    process.exit(2);
  }
  const { main: run } = await import(pathToFileURL(main).href);
  await run(process.argv);
}
