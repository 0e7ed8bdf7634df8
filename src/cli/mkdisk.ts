// `asmbox mkdisk <files...> -o disk.img`: a disk image for system mode (roms/disk-demo.s,
// roms/monitor.s). Format: src/diskimage/format.ts and roms/README.md.
import { Command, Option } from 'commander';
import chalk from 'chalk';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildDiskFromPaths, DiskInputError } from '../diskimage/build.js';
import { MAX_FILES, NAME_MAX, parseDiskImage, SECTOR } from '../diskimage/format.js';
import { EXIT } from './exit-codes.js';
import { parseInteger } from './options.js';

const HELP = `
Each FILE becomes one entry of the image's file table, in the order given:
  * an assembly source (.s, .asm) is assembled by asmbox (SPIM/MARS syntax, text at 0x00400000,
    data at 0x10010000, branch delay slots on) into a "program" entry named after the file
    without its extension (primes.s -> primes): a header with the entry point and the segments'
    load addresses, then the code and data, ready for the boot monitor (roms/monitor.s) to load
  * any other file is stored as is, as a "data" entry under its base name

Layout: sector 0 holds the header and the table (at most ${MAX_FILES} files, names up to ${NAME_MAX}
characters, each with its size, first sector, kind and FNV-1a checksum), sector 1 is the log
sector (roms/disk-demo.s keeps a boot counter there), files follow, each from a sector boundary
(sectors are ${SECTOR} bytes). The full format is in roms/README.md.

Examples:
  asmbox mkdisk roms/disk/* -o disk.img          the sample files and the primes program
  asmbox boot roms/disk-demo.s --disk disk.img   checksum every file, count boots (in an overlay)
  asmbox boot roms/disk-demo.s --disk disk.img --disk-write    ... and keep the count
  asmbox boot roms/monitor.s --disk disk.img    load and run the first program

Exit codes: 0 written, 2 usage error, 65 assembly error (the assembler's messages are shown),
66 unreadable input, a bad name, too many files, or the image cannot be written.`;

interface MkdiskFlags {
  output: string;
  minSectors?: number;
  quiet?: boolean;
}

export function addMkdiskCommand(program: Command, setExit: (code: number) => void): void {
  program.command('mkdisk')
    .description('make a disk image for system mode (asmbox boot --disk): a file table, a log sector, and the files; assembly sources become programs for the boot monitor')
    .argument('<files...>', 'files to store: assembly sources (.s, .asm) are assembled into programs, others are stored as data')
    .requiredOption('-o, --output <image>', 'write the image to this file')
    .addOption(new Option('--min-sectors <n>', 'pad the image with zero sectors to at least N sectors').argParser(parseInteger('--min-sectors', 1)))
    .option('-q, --quiet', 'do not list the table after writing')
    .addHelpText('after', HELP)
    .action((files: string[], flags: MkdiskFlags) => {
      const err = (msg: string) => process.stderr.write(chalk.red(`asmbox: error: ${msg}`) + '\n');
      let img: Uint8Array;
      try {
        img = buildDiskFromPaths(files, {
          minSectors: flags.minSectors,
          color: !!process.stderr.isTTY && !process.env.NO_COLOR,
          onWarnings: (text) => process.stderr.write(text),
        });
      } catch (e) {
        if (!(e instanceof DiskInputError)) throw e;
        if (e.diagnostics) process.stderr.write(e.diagnostics);
        err(e.message);
        return setExit(e.kind === 'assembly' ? EXIT.assemblyError : EXIT.badInput);
      }
      try {
        mkdirSync(dirname(flags.output), { recursive: true }); // e.g. roms/build/ in a fresh checkout
        writeFileSync(flags.output, img);
      } catch (e) {
        err(`${flags.output}: cannot write: ${(e as Error).message}`);
        return setExit(EXIT.badInput);
      }
      if (!flags.quiet) {
        const d = parseDiskImage(img);
        const lines = [`${flags.output}: ${d.totalSectors} sectors (${d.totalSectors * SECTOR} bytes), ${d.files.length} file${d.files.length === 1 ? '' : 's'}, log sector ${d.logSector}`];
        for (const f of d.files) {
          lines.push(`  ${f.name.padEnd(NAME_MAX)} ${f.kind.padEnd(7)} ${String(f.size).padStart(8)} bytes  sector ${String(f.firstSector).padStart(4)}  fnv1a 0x${f.checksum.toString(16).padStart(8, '0')}`);
        }
        process.stdout.write(lines.join('\n') + '\n');
      }
      setExit(0);
    });
}
