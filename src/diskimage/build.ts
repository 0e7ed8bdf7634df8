// Building a disk image from files on the host: plain files become data entries, assembly
// sources (.s, .asm) are assembled by asmbox into program entries (see format.ts).
import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { assemble } from '../asm/assembler.js';
import { formatDiagnostics } from '../asm/diagnostics.js';
import { badName, buildDiskImage, buildProgramFile, DiskImageError, type DiskFile } from './format.js';

const ASM_EXT = new Set(['.s', '.asm', '.S']);

/** Input problems (exit 66) and assembly errors (exit 65, `diagnostics` as the assembler prints them). */
export class DiskInputError extends DiskImageError {
  constructor(message: string, readonly kind: 'input' | 'assembly', readonly diagnostics = '') {
    super(message);
  }
}

export interface BuildOptions {
  /** Color the assembler's diagnostics. */
  color?: boolean;
  /** Called with assembler warnings of programs that did assemble. */
  onWarnings?: (text: string) => void;
}

export const isProgramSource = (path: string) => ASM_EXT.has(extname(path));

/** The table name of a host file: its base name; programs drop the .s/.asm extension. */
export function entryName(path: string): string {
  const b = basename(path);
  return isProgramSource(path) ? b.slice(0, b.length - extname(b).length) : b;
}

function readHostFile(path: string): Buffer {
  try {
    if (statSync(path).isDirectory()) throw new DiskInputError(`${path}: is a directory, expected a file`, 'input');
    return readFileSync(path);
  } catch (e) {
    if (e instanceof DiskInputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new DiskInputError(`${path}: cannot read: ${why}`, 'input');
  }
}

/**
 * Assembles a user program for the boot monitor: SPIM/MARS syntax, SPIM's default layout
 * (text 0x00400000, data 0x10010000), delay slots on (as the monitor's machine has them),
 * entry as `asmbox run` would start it (__start, else a stub that calls main).
 */
export function assembleProgram(path: string, opts: BuildOptions = {}): Uint8Array {
  const text = readHostFile(path).toString('latin1');
  const r = assemble([{ path, text }], { delaySlots: true, start: 'spim', layout: 'default' });
  const diags = formatDiagnostics(r.diagnostics, { color: !!opts.color });
  if (!r.program) throw new DiskInputError(`${path}: assembly failed`, 'assembly', diags);
  if (diags && opts.onWarnings) opts.onWarnings(diags);
  const p = r.program;
  const kernel = p.segments.find((s) => (s.kind === 'ktext' || s.kind === 'kdata') && s.bytes.length > 0);
  if (kernel) throw new DiskInputError(`${path}: has ${kernel.kind} at 0x${(kernel.addr >>> 0).toString(16)}; programs on a disk run in user mode under the monitor and may only have .text and .data`, 'input');
  if (p.bigEndian) throw new DiskInputError(`${path}: big-endian programs are not supported`, 'input');
  try {
    return buildProgramFile(p.entry, p.segments.filter((s) => s.bytes.length > 0).map((s) => ({ addr: s.addr, kind: s.kind === 'text' ? 'text' : 'data', bytes: s.bytes })), true);
  } catch (e) {
    if (e instanceof DiskImageError) throw new DiskInputError(`${path}: ${e.message}`, 'input');
    throw e;
  }
}

/** The table entries for host files, in the order given. */
export function diskFilesFromPaths(paths: string[], opts: BuildOptions = {}): DiskFile[] {
  return paths.map((path) => {
    const name = entryName(path);
    const why = badName(name);
    if (why) throw new DiskInputError(`${path}: ${why}`, 'input');
    if (isProgramSource(path)) return { name, kind: 'program' as const, bytes: assembleProgram(path, opts) };
    return { name, kind: 'data' as const, bytes: new Uint8Array(readHostFile(path)) };
  });
}

/** `asmbox mkdisk` without the command line: the image bytes for host files. */
export function buildDiskFromPaths(paths: string[], opts: BuildOptions & { minSectors?: number } = {}): Uint8Array {
  const files = diskFilesFromPaths(paths, opts);
  try {
    return buildDiskImage(files, { minSectors: opts.minSectors });
  } catch (e) {
    if (e instanceof DiskInputError) throw e;
    if (e instanceof DiskImageError) throw new DiskInputError(e.message, 'input');
    throw e;
  }
}
