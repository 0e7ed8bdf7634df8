// Disk images (asmbox mkdisk, src/diskimage/) and the ROMs that read them: roms/disk-demo.s
// (checksums every file, counts boots in the log sector: overlay vs --disk-write) and
// roms/monitor.s (loads a program into RAM and runs it in user mode), under both engines.
// The monitor's user-program output is compared with real SPIM's (test/fixtures/roms/regen.sh).
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CapturedIO } from '../src/env/io.js';
import { createEngine, type EngineKind } from '../src/machine/engines.js';
import { runMachine } from '../src/machine/run.js';
import { bootMachine } from '../src/machine/system.js';
import { romSegments } from '../src/cli/boot.js';
import { assemble } from '../src/asm/assembler.js';
import { buildDiskFromPaths, DiskInputError } from '../src/diskimage/build.js';
import { parseDiskImage, parseProgramFile, fileBytes, SECTOR } from '../src/diskimage/format.js';
import { EXIT } from '../src/cli/exit-codes.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIX = join(ROOT, 'test/fixtures/roms');
const CLI = join(ROOT, 'bin/asmbox.js');
const built = existsSync(join(ROOT, 'dist/cli/main.js'));
const tmp = mkdtempSync(join(tmpdir(), 'asmbox-disk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ENGINES: EngineKind[] = ['interp', 'jit'];
/** The default RAM (384 MiB) reaches SPIM's data segment at 0x10010000; 16 MiB does not. */
const SMALL_RAM = 16 * 1024 * 1024;
/** What `asmbox mkdisk roms/disk/*` gets from the shell. */
const SAMPLE_FILES = readdirSync(join(ROOT, 'roms/disk')).sort().map((f) => join(ROOT, 'roms/disk', f));

/** FNV-1a 32-bit, written out again here so the ROMs are checked against an independent copy. */
function fnv(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

function makeImage(name: string, files: string[] = SAMPLE_FILES): string {
  const path = join(tmp, name);
  writeFileSync(path, buildDiskFromPaths(files));
  return path;
}

function boot(rom: string, engine: EngineKind, disk: { path: string; persist: boolean } | null, ramSize?: number) {
  const r = romSegments(join(ROOT, rom));
  expect(r.exitCode).toBe(0);
  const io = new CapturedIO('');
  const messages: string[] = [];
  const { m, board } = bootMachine({ rom: new Uint8Array(0), segments: r.segments, io, disk, ramSize, onMessage: (_l, t) => messages.push(t) });
  let result;
  try {
    result = runMachine(m, createEngine(engine, m), { maxInsns: 50_000_000 });
  } finally {
    board.close();
  }
  return { m, result, out: io.stdoutText(), messages };
}

/** Table entries parsed by hand (not with src/diskimage), to check the builder against the format. */
function tableOf(img: Uint8Array) {
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const n = dv.getUint32(8, true);
  return Array.from({ length: n }, (_, i) => {
    const e = 32 + 48 * i;
    const name = Buffer.from(img.subarray(e, e + 24)).toString('latin1').replace(/\0.*$/s, '');
    const first = dv.getUint32(e + 24, true), size = dv.getUint32(e + 28, true);
    return { name, first, size, kind: dv.getUint32(e + 32, true), checksum: dv.getUint32(e + 36, true), bytes: img.slice(first * 512, first * 512 + size) };
  });
}

describe('disk image format and builder', () => {
  it('sample files: header, table, log sector, files on sector boundaries', () => {
    const img = readFileSync(makeImage('format.img'));
    const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
    expect(Buffer.from(img.subarray(0, 4)).toString('latin1')).toBe('ABXD');
    expect(dv.getUint32(4, true)).toBe(1);
    expect(dv.getUint32(12, true)).toBe(1); // log sector
    expect(dv.getUint32(16, true) * 512).toBe(img.length);
    expect(dv.getUint32(20, true)).toBe(fnv(img.subarray(32, 512)));
    expect(Buffer.from(img.subarray(512, 516)).toString('latin1')).toBe('ABXL');
    expect(dv.getUint32(516, true)).toBe(0); // boot counter
    const t = tableOf(img);
    expect(t.map((e) => e.name)).toEqual(['hello.txt', 'mips.txt', 'primes', 'table.bin']);
    expect(t.map((e) => e.kind)).toEqual([1, 1, 2, 1]);
    let next = 2;
    for (const e of t) {
      expect(e.first).toBe(next);
      next += Math.ceil(e.size / 512);
      expect(e.checksum).toBe(fnv(e.bytes));
      if (e.kind === 1) expect(Buffer.from(e.bytes)).toEqual(readFileSync(join(ROOT, 'roms/disk', e.name)));
    }
  });

  it('a program entry holds the assembled segments at SPIM addresses, sector aligned', () => {
    const img = readFileSync(makeImage('prog.img', [join(ROOT, 'roms/disk/primes.s')]));
    const d = parseDiskImage(img);
    const p = parseProgramFile(fileBytes(img, d.files[0]));
    const src = readFileSync(join(ROOT, 'roms/disk/primes.s'), 'latin1');
    const a = assemble([{ path: 'primes.s', text: src }], { delaySlots: true, start: 'spim' }).program!;
    expect(p.entry).toBe(a.entry);
    expect(p.delaySlots).toBe(true);
    const segs = a.segments.filter((s) => s.bytes.length > 0);
    expect(p.segments.map((s) => [s.addr, s.kind, Buffer.from(s.bytes)])).toEqual(segs.map((s) => [s.addr, s.kind, Buffer.from(s.bytes)]));
    expect(p.segments.map((s) => s.addr)).toEqual([0x00400000, 0x10010000]);
    const dv = new DataView(img.buffer, img.byteOffset + d.files[0].firstSector * SECTOR);
    expect(dv.getUint32(32 + 8, true) % 512).toBe(0);
    expect(dv.getUint32(48 + 8, true) % 512).toBe(0);
  });

  it('rejects bad input with messages that name the file', () => {
    const err = (files: string[]) => {
      try {
        buildDiskFromPaths(files);
      } catch (e) {
        expect(e).toBeInstanceOf(DiskInputError);
        return e as DiskInputError;
      }
      throw new Error('no error');
    };
    expect(err([join(tmp, 'missing.txt')]).message).toMatch(/missing\.txt: cannot read: no such file/);
    const long = join(tmp, 'a-name-that-is-far-too-long.txt');
    writeFileSync(long, 'x');
    expect(err([long]).message).toMatch(/at most 23 fit/);
    const bad = join(tmp, 'bad.s');
    writeFileSync(bad, 'main:\n\tfrobnicate $t0\n');
    const e = err([bad]);
    expect(e.kind).toBe('assembly');
    expect(e.diagnostics).toMatch(/bad\.s:2:\d+: error:/);
    const many = Array.from({ length: 11 }, (_, i) => {
      const f = join(tmp, `f${i}.txt`);
      writeFileSync(f, String(i));
      return f;
    });
    expect(err(many).message).toMatch(/at most 10/);
    expect(err([join(ROOT, 'roms/disk/hello.txt'), join(ROOT, 'roms/disk/hello.txt')]).message).toMatch(/two files named 'hello.txt'/);
    const kern = join(tmp, 'kern.s');
    writeFileSync(kern, '\t.ktext\n\tnop\n\t.text\nmain:\tnop\n');
    expect(err([kern]).message).toMatch(/ktext.*user mode/);
  });
});

describe('roms/disk-demo.s', () => {
  const runs: Record<string, { out: string; insns: number }> = {};
  for (const engine of ENGINES) {
    it(`checksums every file and counts the boot in an overlay (${engine})`, () => {
      const img = makeImage(`demo-${engine}.img`);
      const before = readFileSync(img);
      const { result, out } = boot('roms/disk-demo.s', engine, { path: img, persist: false });
      expect(result.kind).toBe('halt');
      expect(result.exitCode).toBe(0);
      expect(out).toMatch(/^asmbox disk demo\ndisk: 11 sectors, writes go to an overlay/);
      expect(out).toContain('file table: 4 files, table checksum OK\n');
      for (const e of tableOf(before)) {
        const kind = e.kind === 2 ? 'program' : 'data';
        // data files: checksum of the host file itself; the program: of its bytes in the image
        const bytes = e.kind === 1 ? readFileSync(join(ROOT, 'roms/disk', e.name)) : e.bytes;
        expect(out).toContain(`  ${e.name} (${kind}): ${bytes.length} bytes, fnv1a ${hex(fnv(bytes))} OK\n`);
      }
      expect(out).toContain('    | Hello from the asmbox disk!\n');
      expect(out).toContain('    | MIPS (Microprocessor without Interlocked Pipelined Stages) is a reduced ...\n');
      expect(out).toMatch(/boot count: 1 \(saved in sector 1\)\nall files OK, power off\n$/);
      expect(readFileSync(img)).toEqual(before); // the overlay never reaches the file
      runs[engine] = { out, insns: result.insns };
    });
  }
  it('both engines print the same and run the same number of instructions', () => {
    expect(runs.jit).toEqual(runs.interp);
  });

  it('with persist the boot counter survives: 1, 2, then 3 in an overlay that leaves the file alone', () => {
    const img = makeImage('persist.img');
    const original = readFileSync(img);
    const count = (out: string) => Number(/boot count: (\d+)/.exec(out)![1]);
    expect(count(boot('roms/disk-demo.s', 'jit', { path: img, persist: true }).out)).toBe(1);
    expect(count(boot('roms/disk-demo.s', 'interp', { path: img, persist: true }).out)).toBe(2);
    const after = readFileSync(img);
    expect(after.readUInt32LE(512)).toBe(0x4c584241);
    expect(after.readUInt32LE(516)).toBe(2);
    // only the log sector changed
    expect(Buffer.concat([after.subarray(0, 512), after.subarray(1024)])).toEqual(Buffer.concat([original.subarray(0, 512), original.subarray(1024)]));
    const r = boot('roms/disk-demo.s', 'jit', { path: img, persist: false });
    expect(count(r.out)).toBe(3);
    expect(r.out).toContain('writes go to an overlay');
    expect(readFileSync(img)).toEqual(after);
    expect(boot('roms/disk-demo.s', 'interp', { path: img, persist: true }).out).toContain('sectors, writes reach the image\n');
  });

  it('a corrupted file is reported BAD, exit code 1', () => {
    const img = makeImage('corrupt.img');
    const bytes = readFileSync(img);
    const e = tableOf(bytes).find((f) => f.name === 'mips.txt')!;
    bytes[e.first * 512 + 700] ^= 0x20; // second sector of the file
    writeFileSync(img, bytes);
    const { result, out } = boot('roms/disk-demo.s', 'jit', { path: img, persist: false });
    expect(result.exitCode).toBe(1);
    expect(out).toMatch(/ mips\.txt \(data\): 1222 bytes, fnv1a 0x[0-9a-f]{8} BAD\n/);
    expect(out).toContain(' hello.txt (data): 120 bytes');
    expect(out).toContain('1 checksum(s) BAD, power off\n');
  });

  for (const engine of ENGINES) {
    it(`no disk: a clear message and exit code 2 (${engine})`, () => {
      const { result, out } = boot('roms/disk-demo.s', engine, null);
      expect(result.kind).toBe('halt');
      expect(result.exitCode).toBe(2);
      expect(out).toBe('asmbox disk demo\ndisk-demo: no disk attached (boot with --disk IMAGE; make one with asmbox mkdisk)\n');
    });
  }

  it('a missing image file (no media) and a file that is no disk image', () => {
    const a = boot('roms/disk-demo.s', 'jit', { path: join(tmp, 'nope.img'), persist: false });
    expect(a.result.exitCode).toBe(2);
    expect(a.out).toContain('disk-demo: no disk attached');
    const junk = join(tmp, 'junk.img');
    writeFileSync(junk, Buffer.alloc(4096, 0x55));
    const b = boot('roms/disk-demo.s', 'jit', { path: junk, persist: false });
    expect(b.result.exitCode).toBe(4);
    expect(b.out).toContain("disk-demo: not an asmbox disk image (no 'ABXD'");
  });
});

describe('roms/monitor.s', () => {
  const userOutput = (out: string, name: string) => {
    const start = out.indexOf('\n', out.indexOf(`monitor: starting ${name} at `)) + 1;
    const end = out.lastIndexOf(`monitor: ${name} exited with code `);
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThanOrEqual(start);
    return out.slice(start, end);
  };
  const runs: Record<string, { out: string; insns: number }> = {};
  for (const engine of ENGINES) {
    it(`loads primes from the sample disk and runs it in user mode: SPIM's output (${engine})`, () => {
      const img = makeImage(`mon-${engine}.img`);
      const { m, result, out } = boot('roms/monitor.s', engine, { path: img, persist: false });
      expect(result.kind).toBe('halt');
      expect(result.exitCode).toBe(Number(readFileSync(join(FIX, 'primes.exit'), 'latin1')));
      expect(out.startsWith('asmbox boot monitor\nmonitor: loading primes (1536 bytes at sector 6)\nmonitor:   text 0x00400000, ')).toBe(true);
      expect(out).toContain('monitor:   data 0x10010000, ');
      expect(userOutput(out, 'primes')).toBe(readFileSync(join(FIX, 'primes.out'), 'latin1'));
      expect(out.endsWith('monitor: primes exited with code 0\n')).toBe(true);
      expect(m.sys!.taken[8]).toBeGreaterThan(100); // every print is a syscall
      runs[engine] = { out, insns: result.insns };
    });
  }
  it('both engines print the same and run the same number of instructions', () => {
    expect(runs.jit).toEqual(runs.interp);
  });

  it('prefers a program named "boot"; exit2 passes its code through', () => {
    const bootSrc = join(tmp, 'boot.s');
    copyFileSync(join(FIX, 'exit42.s'), bootSrc);
    const img = makeImage('named.img', [join(ROOT, 'roms/disk/hello.txt'), join(ROOT, 'roms/disk/primes.s'), bootSrc]);
    for (const engine of ENGINES) {
      const { result, out } = boot('roms/monitor.s', engine, { path: img, persist: false });
      expect(result.exitCode).toBe(42);
      expect(Number(readFileSync(join(FIX, 'exit42.exit'), 'latin1'))).toBe(42);
      expect(out).toContain('monitor: loading boot (');
      // the program's last line has no newline: the monitor starts its own line
      expect(userOutput(out, 'boot')).toBe(readFileSync(join(FIX, 'exit42.out'), 'latin1') + '\n');
      expect(out.endsWith('monitor: boot exited with code 42\n')).toBe(true);
    }
  });

  it('a fault in the user program: SPIM-like message, exit code 8, same under both engines', () => {
    const img = makeImage('fault.img', [join(FIX, 'fault.s')]);
    const outs = ENGINES.map((engine) => {
      const { result, out } = boot('roms/monitor.s', engine, { path: img, persist: false });
      expect(result.exitCode).toBe(8);
      expect(out).toMatch(/monitor: starting fault at 0x[0-9a-f]{8} in user mode\n7\nmonitor: Exception 4 \[Address error in inst\/data fetch\] at EPC 0x004000[0-9a-f]{2}, BadVAddr 0x00400001\nmonitor: program stopped, power off\n$/);
      return out;
    });
    expect(outs[1]).toBe(outs[0]);
  });

  for (const engine of ENGINES) {
    it(`a disk with no program: clear message, exit code 5 (${engine})`, () => {
      const img = makeImage(`noprog-${engine}.img`, [join(ROOT, 'roms/disk/hello.txt'), join(ROOT, 'roms/disk/table.bin')]);
      const { result, out } = boot('roms/monitor.s', engine, { path: img, persist: false });
      expect(result.kind).toBe('halt');
      expect(result.exitCode).toBe(5);
      expect(out).toBe('asmbox boot monitor\nmonitor: no program on the disk (asmbox mkdisk stores .s files as programs)\n');
    });
  }

  it('16 MiB of RAM (--ram-mib 16): the data segment at 0x10010000 is not RAM, said so, exit code 6', () => {
    const img = makeImage('smallram.img');
    const { result, out, messages } = boot('roms/monitor.s', 'jit', { path: img, persist: false }, SMALL_RAM);
    expect(result.exitCode).toBe(6);
    expect(out).toMatch(/monitor: segment is not in RAM: boot with more RAM \(--ram-mib 272/);
    expect(messages.join('\n')).toMatch(/not in guest RAM/);
  });

  it('no disk: clear message, exit code 2', () => {
    const { result, out } = boot('roms/monitor.s', 'interp', null);
    expect(result.exitCode).toBe(2);
    expect(out).toContain('monitor: no disk attached (boot with --disk IMAGE');
  });
});

describe.skipIf(!built)('asmbox mkdisk (CLI)', () => {
  const asmbox = (args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'latin1', timeout: 60_000, cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  it('writes the same image as the builder and lists the table', () => {
    const out = join(tmp, 'cli.img');
    const r = asmbox(['mkdisk', ...SAMPLE_FILES.map((f) => f.slice(ROOT.length + 1)), '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/cli\.img: 11 sectors \(5632 bytes\), 4 files, log sector 1\n/);
    expect(r.stdout).toMatch(/ {2}primes +program +1536 bytes +sector +6 +fnv1a 0x[0-9a-f]{8}\n/);
    expect(readFileSync(out)).toEqual(Buffer.from(buildDiskFromPaths(SAMPLE_FILES)));
    const b = spawnSync(process.execPath, [CLI, 'boot', 'roms/disk-demo.s', '--disk', out], { encoding: 'latin1', cwd: ROOT });
    expect(b.status).toBe(0);
    expect(b.stdout).toContain('all files OK, power off');
  });
  it('errors: missing file (66), assembly error (65, the assembler\'s message), no -o (2)', () => {
    const missing = asmbox(['mkdisk', 'roms/disk/nope.txt', '-o', join(tmp, 'x.img')]);
    expect(missing.status).toBe(EXIT.badInput);
    expect(missing.stderr).toMatch(/asmbox: error: roms\/disk\/nope\.txt: cannot read: no such file/);
    expect(existsSync(join(tmp, 'x.img'))).toBe(false);
    const bad = join(tmp, 'broken.s');
    writeFileSync(bad, 'main:\n\taddiu $t0, $t0\n');
    const asm = asmbox(['mkdisk', bad, '-o', join(tmp, 'y.img')]);
    expect(asm.status).toBe(EXIT.assemblyError);
    expect(asm.stderr).toMatch(/broken\.s:2:\d+: error: /);
    expect(asm.stderr).toMatch(/\n\s+2 \| \taddiu \$t0, \$t0|\n\s+2 \| /);
    expect(asm.stderr).toMatch(/asmbox: error: .*broken\.s: assembly failed/);
    const usage = asmbox(['mkdisk', 'roms/disk/hello.txt']);
    expect(usage.status).toBe(EXIT.usage);
    expect(usage.stderr).toMatch(/required option '-o, --output <image>'/);
  });
  it('--help teaches the format with an example', () => {
    const r = asmbox(['mkdisk', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('asmbox mkdisk roms/disk/* -o disk.img');
    expect(r.stdout).toContain('program');
  });
  it('boot roms/disk-demo.s without --disk: message and exit code 2', () => {
    const r = asmbox(['boot', 'roms/disk-demo.s']);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('disk-demo: no disk attached');
  });
});
