// The asmbox disk image format (version 1), read by roms/disk-demo.s and roms/monitor.s.
//
// Everything is little-endian 32-bit words (the byte order of the ROMs), in 512-byte sectors.
//
//   sector 0            header + file table
//   sector 1            the log sector (the disk demo keeps a boot counter there)
//   sector 2...         the files, each starting on a sector boundary, in table order,
//                       zero padded to a whole sector
//
// Header (sector 0, bytes 0..31):
//   +0   magic 'ABXD' (bytes 41 42 58 44, word 0x44584241)
//   +4   version (1)
//   +8   number of files (0..MAX_FILES)
//   +12  log sector (LBA, 1)
//   +16  total sectors in the image
//   +20  table checksum: FNV-1a of bytes 32..511 of sector 0 (the whole table area, unused
//        entries are zero)
//   +24  reserved (0)
//   +28  reserved (0)
// File table: MAX_FILES entries of 48 bytes at 32 + 48*i:
//   +0   name, up to 23 bytes of printable ASCII, NUL-padded (always NUL-terminated)
//   +24  first sector (LBA)
//   +28  size in bytes
//   +32  kind: 1 data, 2 program
//   +36  checksum: FNV-1a 32-bit of the file's `size` bytes
//   +40  sectors used (ceil(size / 512))
//   +44  reserved (0)
//
// Log sector: +0 magic 'ABXL' (word 0x4C584241), +4 boot counter (0 in a new image), rest 0.
//
// A program file (kind 2) is a loadable user program, made by assembling a .s source:
//   +0   magic 'ABXP' (word 0x50584241)
//   +4   version (1)
//   +8   entry point (user virtual address)
//   +12  segment count (1..MAX_SEGMENTS)
//   +16  flags: bit 0 = assembled for a machine with branch delay slots
//   +20..31 reserved (0)
//   +32  segment table, 16 bytes each, sorted by address:
//          +0 load address (user virtual = physical: kuseg is identity mapped)
//          +4 size in bytes
//          +8 offset of the bytes in this file (a multiple of 512)
//          +12 kind: 1 text, 2 data
//   The header takes the first sector; each segment's bytes start on a sector boundary of the
//   file and are zero padded to a whole sector, so a loader can DMA each segment straight to
//   its load address (it then also clears up to 511 bytes past the segment's end).
//
// FNV-1a 32-bit: h = 0x811c9dc5; for each byte b: h ^= b; h = (h * 0x01000193) mod 2^32.

export const SECTOR = 512;
export const DISK_MAGIC = 0x44584241; // 'ABXD'
export const LOG_MAGIC = 0x4c584241; // 'ABXL'
export const PROGRAM_MAGIC = 0x50584241; // 'ABXP'
export const FORMAT_VERSION = 1;
export const HEADER_SIZE = 32;
export const ENTRY_SIZE = 48;
export const MAX_FILES = Math.floor((SECTOR - HEADER_SIZE) / ENTRY_SIZE); // 10
export const NAME_MAX = 23;
export const LOG_SECTOR = 1;
export const FIRST_FILE_SECTOR = 2;
export const PROGRAM_HEADER_SIZE = 32;
export const SEGMENT_ENTRY_SIZE = 16;
export const MAX_SEGMENTS = Math.floor((SECTOR - PROGRAM_HEADER_SIZE) / SEGMENT_ENTRY_SIZE); // 30
/** Program segments must lie in [USER_MIN, USER_END): below is the monitor's own RAM, above is kernel space. */
export const USER_MIN = 0x00010000;
export const USER_END = 0x80000000;

export const FILE_KIND = { data: 1, program: 2 } as const;
export type FileKind = keyof typeof FILE_KIND;
export const SEGMENT_KIND = { text: 1, data: 2 } as const;

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit of `bytes` (continuing from `h`). */
export function fnv1a(bytes: Uint8Array, h = FNV_OFFSET): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
  return h >>> 0;
}

export const sectorsFor = (bytes: number) => Math.ceil(bytes / SECTOR);

/** A problem with the input or an image: the message is for the user. */
export class DiskImageError extends Error {}

export interface DiskFile {
  name: string;
  kind: FileKind;
  bytes: Uint8Array;
}

export interface FileEntry {
  name: string;
  firstSector: number;
  size: number;
  kind: FileKind;
  checksum: number;
  sectors: number;
}

export interface ProgramSegment {
  addr: number;
  kind: 'text' | 'data';
  bytes: Uint8Array;
}

/** Why a name cannot go in the table, or null. */
export function badName(name: string): string | null {
  if (name.length === 0) return 'empty name';
  if (name.length > NAME_MAX) return `name '${name}' is ${name.length} characters long; at most ${NAME_MAX} fit in the file table`;
  if (!/^[\x21-\x7e]+$/.test(name)) return `name '${name}' has characters other than printable ASCII (no spaces)`;
  return null;
}

/** A program file: header sector, then each segment on its own sector boundary. */
export function buildProgramFile(entry: number, segments: ProgramSegment[], delaySlots = true): Uint8Array {
  const segs = segments.filter((s) => s.bytes.length > 0).sort((a, b) => a.addr - b.addr);
  if (segs.length === 0) throw new DiskImageError('the program has no code or data');
  if (segs.length > MAX_SEGMENTS) throw new DiskImageError(`the program has ${segs.length} segments; at most ${MAX_SEGMENTS} fit in a program header`);
  for (const s of segs) {
    const end = s.addr + s.bytes.length;
    if (s.addr < USER_MIN || end > USER_END) {
      throw new DiskImageError(`${s.kind} segment 0x${hex(s.addr)}..0x${hex(end - 1)} is outside user memory 0x${hex(USER_MIN)}..0x${hex(USER_END - 1)} (the monitor runs programs in user mode and keeps RAM below 0x${hex(USER_MIN)} for itself)`);
    }
  }
  for (let i = 1; i < segs.length; i++) {
    if (segs[i - 1].addr + segs[i - 1].bytes.length > segs[i].addr) throw new DiskImageError(`segments at 0x${hex(segs[i - 1].addr)} and 0x${hex(segs[i].addr)} overlap`);
  }
  const total = SECTOR + segs.reduce((n, s) => n + sectorsFor(s.bytes.length) * SECTOR, 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, PROGRAM_MAGIC, true);
  dv.setUint32(4, FORMAT_VERSION, true);
  dv.setUint32(8, entry >>> 0, true);
  dv.setUint32(12, segs.length, true);
  dv.setUint32(16, delaySlots ? 1 : 0, true);
  let off = SECTOR;
  segs.forEach((s, i) => {
    const e = PROGRAM_HEADER_SIZE + SEGMENT_ENTRY_SIZE * i;
    dv.setUint32(e, s.addr >>> 0, true);
    dv.setUint32(e + 4, s.bytes.length, true);
    dv.setUint32(e + 8, off, true);
    dv.setUint32(e + 12, SEGMENT_KIND[s.kind], true);
    out.set(s.bytes, off);
    off += sectorsFor(s.bytes.length) * SECTOR;
  });
  return out;
}

export function parseProgramFile(bytes: Uint8Array): { entry: number; delaySlots: boolean; segments: ProgramSegment[] } {
  if (bytes.length < SECTOR) throw new DiskImageError('program file shorter than its header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== PROGRAM_MAGIC) throw new DiskImageError('not a program file (bad magic)');
  const n = dv.getUint32(12, true);
  if (n < 1 || n > MAX_SEGMENTS) throw new DiskImageError(`bad segment count ${n}`);
  const segments: ProgramSegment[] = [];
  for (let i = 0; i < n; i++) {
    const e = PROGRAM_HEADER_SIZE + SEGMENT_ENTRY_SIZE * i;
    const addr = dv.getUint32(e, true), size = dv.getUint32(e + 4, true), off = dv.getUint32(e + 8, true);
    if (off + size > bytes.length) throw new DiskImageError(`segment ${i} runs past the end of the file`);
    segments.push({ addr, kind: dv.getUint32(e + 12, true) === SEGMENT_KIND.text ? 'text' : 'data', bytes: bytes.slice(off, off + size) });
  }
  return { entry: dv.getUint32(8, true), delaySlots: (dv.getUint32(16, true) & 1) === 1, segments };
}

/** The whole image: header + table, log sector, files. */
export function buildDiskImage(files: DiskFile[], opts: { minSectors?: number } = {}): Uint8Array {
  if (files.length > MAX_FILES) throw new DiskImageError(`${files.length} files given; the file table holds at most ${MAX_FILES}`);
  const seen = new Set<string>();
  for (const f of files) {
    const why = badName(f.name);
    if (why) throw new DiskImageError(why);
    if (seen.has(f.name)) throw new DiskImageError(`two files named '${f.name}' (names in the table must be unique)`);
    seen.add(f.name);
  }
  let sector = FIRST_FILE_SECTOR;
  const placed = files.map((f) => {
    const at = sector;
    sector += sectorsFor(f.bytes.length);
    return { f, at };
  });
  const total = Math.max(sector, opts.minSectors ?? 0);
  const img = new Uint8Array(total * SECTOR);
  const dv = new DataView(img.buffer);
  dv.setUint32(0, DISK_MAGIC, true);
  dv.setUint32(4, FORMAT_VERSION, true);
  dv.setUint32(8, files.length, true);
  dv.setUint32(12, LOG_SECTOR, true);
  dv.setUint32(16, total, true);
  placed.forEach(({ f, at }, i) => {
    const e = HEADER_SIZE + ENTRY_SIZE * i;
    for (let k = 0; k < f.name.length; k++) img[e + k] = f.name.charCodeAt(k);
    dv.setUint32(e + 24, at, true);
    dv.setUint32(e + 28, f.bytes.length, true);
    dv.setUint32(e + 32, FILE_KIND[f.kind], true);
    dv.setUint32(e + 36, fnv1a(f.bytes), true);
    dv.setUint32(e + 40, sectorsFor(f.bytes.length), true);
    img.set(f.bytes, at * SECTOR);
  });
  dv.setUint32(20, fnv1a(img.subarray(HEADER_SIZE, SECTOR)), true);
  dv.setUint32(LOG_SECTOR * SECTOR, LOG_MAGIC, true);
  return img;
}

export interface DiskImage {
  version: number;
  totalSectors: number;
  logSector: number;
  tableChecksum: number;
  files: FileEntry[];
  /** Boot counter in the log sector (null when the log sector has no log magic). */
  bootCount: number | null;
}

export function parseDiskImage(img: Uint8Array): DiskImage {
  if (img.length < 2 * SECTOR) throw new DiskImageError('image shorter than two sectors');
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  if (dv.getUint32(0, true) !== DISK_MAGIC) throw new DiskImageError("not an asmbox disk image (no 'ABXD' magic in sector 0)");
  const n = dv.getUint32(8, true);
  if (n > MAX_FILES) throw new DiskImageError(`bad file count ${n}`);
  const files: FileEntry[] = [];
  for (let i = 0; i < n; i++) {
    const e = HEADER_SIZE + ENTRY_SIZE * i;
    let name = '';
    for (let k = 0; k < 24 && img[e + k]; k++) name += String.fromCharCode(img[e + k]);
    const kind = dv.getUint32(e + 32, true);
    files.push({ name, firstSector: dv.getUint32(e + 24, true), size: dv.getUint32(e + 28, true), kind: kind === FILE_KIND.program ? 'program' : 'data', checksum: dv.getUint32(e + 36, true), sectors: dv.getUint32(e + 40, true) });
  }
  const log = dv.getUint32(12, true);
  const bootCount = (log + 1) * SECTOR <= img.length && dv.getUint32(log * SECTOR, true) === LOG_MAGIC ? dv.getUint32(log * SECTOR + 4, true) : null;
  return { version: dv.getUint32(4, true), totalSectors: dv.getUint32(16, true), logSector: log, tableChecksum: dv.getUint32(20, true), files, bootCount };
}

/** The bytes of one file of an image. */
export function fileBytes(img: Uint8Array, f: FileEntry): Uint8Array {
  return img.slice(f.firstSector * SECTOR, f.firstSector * SECTOR + f.size);
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
