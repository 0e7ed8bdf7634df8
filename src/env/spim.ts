// SPIM/MARS syscalls (1-17, MARS 30-36 and 40-44). Output format follows MARS by default and
// SPIM with compat 'spim'.
import { ExcCode, GuestException, StopRun } from '../machine/exceptions.js';
import type { Environment, Machine } from '../machine/machine.js';
import { GuestClock } from './clock.js';
import { GuestFiles, type OpenRequest } from './guest-fs.js';
import { javaToString, printfF, printfG } from './numfmt.js';
import { JavaRandom } from './random.js';

export type Compat = 'mars' | 'spim';

export interface SpimEnvOptions {
  compat: Compat;
  /** First address returned by sbrk. */
  heapStart: number;
  files: GuestFiles;
  realtime?: boolean;
  /** Seed for random streams that the program never seeds (deterministic by default). */
  randomSeed?: number;
}

const V0 = 2, A0 = 4, A1 = 5, A2 = 6;
const enc = new TextEncoder();
export const HEAP_LIMIT = 0x7f000000;

export class SpimEnvironment implements Environment {
  readonly name = 'spim';
  private brk: number;
  private clock!: GuestClock;
  private randoms = new Map<number, JavaRandom>();

  constructor(private readonly opts: SpimEnvOptions) {
    this.brk = opts.heapStart >>> 0;
  }

  private print(m: Machine, text: string): void {
    m.io.write(1, enc.encode(text));
  }

  private random(id: number): JavaRandom {
    let r = this.randoms.get(id);
    if (!r) {
      r = new JavaRandom((this.opts.randomSeed ?? 0) + id);
      this.randoms.set(id, r);
    }
    return r;
  }

  private formatFloat(x: number, single: boolean): string {
    if (this.opts.compat === 'spim') return single ? printfF(x, 8) : printfG(x, 18);
    return javaToString(x, single);
  }

  private readLineTrimmed(m: Machine): string {
    return (m.io.readLine() ?? '').trim();
  }

  syscall(m: Machine): void {
    const r = m.cpu.r, cpu = m.cpu;
    this.clock ??= new GuestClock(m, !!this.opts.realtime);
    const code = r[V0];
    switch (code) {
      case 1: return this.print(m, String(r[A0]));
      case 2: return this.print(m, this.formatFloat(cpu.fs[12], true));
      case 3: return this.print(m, this.formatFloat(cpu.fd[6], false));
      case 4: {
        const s = m.mem.readCString(r[A0] >>> 0);
        if (!s) throw new GuestException(ExcCode.DBE, r[A0] >>> 0, 'print_string of an unmapped address');
        m.io.write(1, s);
        return;
      }
      case 5: r[V0] = parseLeadingInt(this.readLineTrimmed(m)); return;
      case 6: cpu.fs[0] = parseFloatOrZero(this.readLineTrimmed(m)); return;
      case 7: cpu.fd[0] = parseFloatOrZero(this.readLineTrimmed(m)); return;
      case 8: return this.readString(m, r[A0] >>> 0, r[A1]);
      case 9: {
        const n = r[A0];
        const old = this.brk;
        const next = (old + n + 3) & ~3; // requests are rounded up to whole words, as SPIM 8.0 and MARS do
        // SPIM and MARS both stop the program on these (SPIM: "Can't expand data segment",
        // MARS: a runtime exception), so they are guest faults rather than a -1 to ignore.
        if (n < 0) throw new GuestException(ExcCode.Sys, undefined, `sbrk with a negative size (${n})`);
        if (next >>> 0 > HEAP_LIMIT || next >>> 0 < old) throw new GuestException(ExcCode.Sys, undefined, `sbrk of ${n >>> 0} bytes: out of heap memory`);
        if (next > old) m.mem.map(old, next - old, 'heap');
        this.brk = next >>> 0;
        r[V0] = old;
        return;
      }
      case 10: throw new StopRun('exit', 0);
      case 11: m.io.write(1, Uint8Array.of(r[A0] & 0xff)); return;
      case 12: {
        const b = m.io.read(1);
        // SPIM returns a (signed) char, and '\n' at end of input or for a NUL byte.
        if (this.opts.compat === 'spim') r[V0] = b.length && b[0] !== 0 ? (b[0] << 24) >> 24 : 10;
        else r[V0] = b.length ? b[0] : 0;
        return;
      }
      case 13: {
        const path = m.mem.readCString(r[A0] >>> 0, 4096);
        r[V0] = path ? this.opts.files.open(Buffer.from(path).toString('utf8'), openRequest(r[A1], this.opts.compat)) : -1;
        return;
      }
      case 14: return this.readFd(m, r[A0], r[A1] >>> 0, r[A2]);
      case 15: return this.writeFd(m, r[A0], r[A1] >>> 0, r[A2]);
      case 16: this.opts.files.close(r[A0]); return;
      case 17: throw new StopRun('exit', r[A0] & 0xff);
      case 30: {
        const ms = this.clock.nowMs();
        r[A0] = ms % 2 ** 32 | 0;
        r[A1] = Math.floor(ms / 2 ** 32) | 0;
        return;
      }
      case 31: case 33: return; // MIDI out: no sound device
      case 32: this.clock.sleep(r[A0]); return;
      case 34: return this.print(m, '0x' + (r[A0] >>> 0).toString(16).padStart(8, '0'));
      case 35: return this.print(m, (r[A0] >>> 0).toString(2).padStart(32, '0'));
      case 36: return this.print(m, String(r[A0] >>> 0));
      case 40: this.random(r[A0]).setSeed(r[A1]); return;
      case 41: r[A0] = this.random(r[A0]).nextInt(); return;
      case 42: {
        if (r[A1] <= 0) throw new GuestException(ExcCode.Sys, undefined, `random int range: upper bound ${r[A1]} must be positive`);
        r[A0] = this.random(r[A0]).nextInt(r[A1]);
        return;
      }
      case 43: cpu.fs[0] = this.random(r[A0]).nextFloat(); return;
      case 44: cpu.fd[0] = this.random(r[A0]).nextDouble(); return;
      default:
        throw new GuestException(ExcCode.Sys, undefined, `unknown syscall ${code} in $v0`);
    }
  }

  /** SPIM's read_string: like fgets, at most len-1 characters, always NUL-terminated. */
  private readString(m: Machine, buf: number, len: number): void {
    if (len < 1) return;
    const bytes: number[] = [];
    while (bytes.length < len - 1) {
      const b = m.io.read(1);
      if (b.length === 0) break;
      bytes.push(b[0]);
      if (b[0] === 10) break;
    }
    bytes.push(0);
    if (!m.mem.writeBytes(buf, Uint8Array.from(bytes))) throw new GuestException(ExcCode.DBE, buf, 'read_string into an unmapped buffer');
  }

  private readFd(m: Machine, fd: number, buf: number, len: number): void {
    const r = m.cpu.r;
    if (len < 0) { r[V0] = -1; return; }
    const data = fd === 0 ? m.io.read(len) : this.opts.files.read(fd, len);
    if (!data) { r[V0] = -1; return; }
    r[V0] = m.mem.writeBytes(buf, data) ? data.length : -1;
  }

  private writeFd(m: Machine, fd: number, buf: number, len: number): void {
    const r = m.cpu.r;
    const data = len >= 0 ? m.mem.readBytes(buf, len) : null;
    if (!data) { r[V0] = -1; return; }
    if (fd === 1 || fd === 2) { m.io.write(fd, data); r[V0] = data.length; return; }
    r[V0] = this.opts.files.write(fd, data);
  }
}

/** MARS flags: 0 read, 1 write (create, truncate), 9 append (create). SPIM passes Linux O_* flags. */
function openRequest(flags: number, compat: Compat): OpenRequest {
  if (compat === 'mars' || flags === 9) {
    if (flags === 1) return { mode: 'write', create: true, truncate: true };
    if (flags === 9) return { mode: 'append', create: true, truncate: false };
    return { mode: 'read', create: false, truncate: false };
  }
  const acc = flags & 3;
  const mode = acc === 0 ? 'read' : acc === 1 ? (flags & 0x400 ? 'append' : 'write') : 'readwrite';
  return { mode, create: !!(flags & 0x40), truncate: !!(flags & 0x200) };
}

/**
 * Like SPIM's read_int (C's strtol on a line, then the low 32 bits): optional sign, decimal
 * digits; anything else gives 0; values beyond 64 bits saturate first, as strtol does.
 */
export function parseLeadingInt(s: string): number {
  const m = /^[+-]?\d+/.exec(s);
  if (!m) return 0;
  let v = BigInt(m[0]);
  const MAX = (1n << 63n) - 1n, MIN = -(1n << 63n);
  if (v > MAX) v = MAX;
  else if (v < MIN) v = MIN;
  return Number(BigInt.asIntN(32, v));
}

function parseFloatOrZero(s: string): number {
  const v = parseFloat(s);
  return Number.isNaN(v) ? 0 : v;
}
