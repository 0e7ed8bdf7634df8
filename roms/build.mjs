#!/usr/bin/env node
// Builds the ROM images with asmbox itself (run by `npm run build`, after tsc):
//   every roms/*.s whose code starts at the reset vector (`.ktext 0xbfc00000`) -> roms/build/NAME.elf
//   the files in roms/disk/ -> roms/build/disk.img (asmbox mkdisk), for the disk demo and the boot monitor
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const roms = dirname(fileURLToPath(import.meta.url));
const root = dirname(roms);
const asmbox = join(root, 'bin', 'asmbox.js');
const out = join(roms, 'build');
mkdirSync(out, { recursive: true });

const run = (args) => {
  console.log(`  asmbox ${args.map((a) => (a.startsWith(root) ? relative(root, a) : a)).join(' ')}`);
  execFileSync(process.execPath, [asmbox, ...args], { stdio: 'inherit' });
};

const isRom = (file) => /^\s*\.ktext\s+0xbfc00000\b/im.test(readFileSync(file, 'latin1'));
for (const name of readdirSync(roms).filter((f) => f.endsWith('.s')).sort()) {
  const src = join(roms, name);
  if (isRom(src)) run(['asm', '--delay-slots', '--start', 'mars', '--no-warnings', src, '-o', join(out, name.replace(/\.s$/, '.elf'))]);
}
const disk = join(roms, 'disk');
if (existsSync(disk)) {
  const files = readdirSync(disk).sort().map((f) => join(disk, f));
  run(['mkdisk', ...files, '-o', join(out, 'disk.img')]);
}
