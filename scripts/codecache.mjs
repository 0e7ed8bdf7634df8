// Writes dist/bundle/cli.cjs.v8cache (see bin/asmbox.js): runs bin/asmbox.js in warm-up mode on a
// few short jobs like the ones start-up matters for (assembling and running a small program, a
// static Linux binary when the test fixtures are there), so that V8's cache holds the code those
// paths compile, not just the top level. Run by scripts/bundle.mjs on every build; a cache that
// cannot be made (no cli.cjs) is simply absent and bin/asmbox.js compiles from source.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HELLO = `        .data
msg:    .asciiz "hello\\n"
        .text
main:   li $v0, 4
        la $a0, msg
        syscall
        li $t0, 0
loop:   addiu $t0, $t0, 1
        bne $t0, 100, loop
        li $v0, 10
        syscall
`;

export function writeCodeCache(root) {
  const cache = join(root, 'dist/bundle/cli.cjs.v8cache');
  rmSync(cache, { force: true });
  if (!existsSync(join(root, 'dist/bundle/cli.cjs'))) return;
  const tmp = mkdtempSync(join(tmpdir(), 'asmbox-warmup-'));
  try {
    const hello = join(tmp, 'hello.s');
    writeFileSync(hello, HELLO);
    const jobs = [['run', hello]];
    const elf = join(root, 'test/fixtures/linux/bin/be/hello');
    if (existsSync(elf)) jobs.push(['run', elf]);
    execFileSync(process.execPath, [join(root, 'bin/asmbox.js')], {
      env: { ...process.env, ASMBOX_CODE_CACHE_WRITE: JSON.stringify(jobs) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    console.log(`  code cache: ${statSync(cache).size} bytes after ${jobs.map((j) => j.join(' ').replace(tmp, '<tmp>')).join('; ')}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
