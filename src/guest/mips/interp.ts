// The MIPS interpreter: one handler per table instruction, executed one guest instruction at a
// time. Its semantics are written independently of the translator's IR emitters on purpose.
import { ExcCode, GuestException, StopRun } from '../../machine/exceptions.js';
import { REG_HI, REG_LO } from '../../machine/cpu.js';
import type { Machine } from '../../machine/machine.js';
import { mipsDecoder } from './disasm.js';
import { add64, mulHighSigned, mulHighUnsigned, neg64 } from './arith.js';
import { fpuHandlers } from './fpu.js';

export type Handler = (w: number) => void;

const rsOf = (w: number) => (w >>> 21) & 31;
const rtOf = (w: number) => (w >>> 16) & 31;
const rdOf = (w: number) => (w >>> 11) & 31;
const saOf = (w: number) => (w >>> 6) & 31;
const simm = (w: number) => (w << 16) >> 16;
const uimm = (w: number) => w & 0xffff;

/** Handlers by instruction name, as closures over one machine's state (for speed). */
export function handlersByName(m: Machine): Record<string, Handler> {
  const cpu = m.cpu, r = cpu.r, mem = m.mem;
  const ds = m.delaySlots;
  const lwlXor = mem.byteXor ^ 3;
  const byteXor = mem.byteXor;

  const exc = (code: ExcCode, bad?: number): never => {
    throw new GuestException(code, bad);
  };
  /**
   * cpu.pc already points past the branch (at its delay slot). A jump in the delay slot of a
   * taken jump is UNPREDICTABLE in MIPS32; asmbox does what SPIM does (it runs the slot inside
   * the outer jump): the slot's jump links but does not transfer control, the outer target wins.
   */
  const take = (target: number) => {
    if (ds) {
      if (m.insnCount === cpu.takenSlotAt) return;
      cpu.npc = target >>> 0;
      cpu.takenSlotAt = m.insnCount + 1;
    } else { cpu.pc = target >>> 0; cpu.npc = (target + 4) >>> 0; }
  };
  const annul = () => {
    if (ds) { cpu.pc = cpu.npc; cpu.npc = (cpu.npc + 4) >>> 0; }
  };
  const linkAddr = () => (ds ? cpu.pc + 4 : cpu.pc) | 0;
  const broff = (w: number) => (cpu.pc + (simm(w) << 2)) >>> 0;
  const cond = (w: number, c: boolean, likely: boolean, link: boolean) => {
    if (link) r[31] = linkAddr();
    if (c) take(broff(w));
    else if (likely) annul();
  };
  const ea = (w: number) => (r[rsOf(w)] + simm(w)) >>> 0;
  const trap = (c: boolean) => { if (c) exc(ExcCode.Tr); };
  const setHiLo = (hi: number, lo: number) => { r[REG_HI] = hi; r[REG_LO] = lo; };

  const h: Record<string, Handler> = {
    add: (w) => {
      const a = r[rsOf(w)], b = r[rtOf(w)], s = (a + b) | 0;
      if (((a ^ s) & (b ^ s)) < 0) exc(ExcCode.Ov);
      r[rdOf(w)] = s;
    },
    addu: (w) => { r[rdOf(w)] = r[rsOf(w)] + r[rtOf(w)]; },
    sub: (w) => {
      const a = r[rsOf(w)], b = r[rtOf(w)], s = (a - b) | 0;
      if (((a ^ b) & (a ^ s)) < 0) exc(ExcCode.Ov);
      r[rdOf(w)] = s;
    },
    subu: (w) => { r[rdOf(w)] = r[rsOf(w)] - r[rtOf(w)]; },
    and: (w) => { r[rdOf(w)] = r[rsOf(w)] & r[rtOf(w)]; },
    or: (w) => { r[rdOf(w)] = r[rsOf(w)] | r[rtOf(w)]; },
    xor: (w) => { r[rdOf(w)] = r[rsOf(w)] ^ r[rtOf(w)]; },
    nor: (w) => { r[rdOf(w)] = ~(r[rsOf(w)] | r[rtOf(w)]); },
    slt: (w) => { r[rdOf(w)] = r[rsOf(w)] < r[rtOf(w)] ? 1 : 0; },
    sltu: (w) => { r[rdOf(w)] = r[rsOf(w)] >>> 0 < r[rtOf(w)] >>> 0 ? 1 : 0; },
    movz: (w) => { if (r[rtOf(w)] === 0) r[rdOf(w)] = r[rsOf(w)]; },
    movn: (w) => { if (r[rtOf(w)] !== 0) r[rdOf(w)] = r[rsOf(w)]; },
    movf: (w) => { if (!cpu.getCC((w >>> 18) & 7)) r[rdOf(w)] = r[rsOf(w)]; },
    movt: (w) => { if (cpu.getCC((w >>> 18) & 7)) r[rdOf(w)] = r[rsOf(w)]; },

    sll: (w) => { r[rdOf(w)] = r[rtOf(w)] << saOf(w); },
    srl: (w) => { r[rdOf(w)] = r[rtOf(w)] >>> saOf(w); },
    rotr: (w) => { const x = r[rtOf(w)], s = saOf(w); r[rdOf(w)] = (x >>> s) | (x << (32 - s)); },
    sra: (w) => { r[rdOf(w)] = r[rtOf(w)] >> saOf(w); },
    sllv: (w) => { r[rdOf(w)] = r[rtOf(w)] << (r[rsOf(w)] & 31); },
    srlv: (w) => { r[rdOf(w)] = r[rtOf(w)] >>> (r[rsOf(w)] & 31); },
    rotrv: (w) => { const x = r[rtOf(w)], s = r[rsOf(w)] & 31; r[rdOf(w)] = (x >>> s) | (x << (32 - s)); },
    srav: (w) => { r[rdOf(w)] = r[rtOf(w)] >> (r[rsOf(w)] & 31); },

    mfhi: (w) => { r[rdOf(w)] = r[REG_HI]; },
    mthi: (w) => { r[REG_HI] = r[rsOf(w)]; },
    mflo: (w) => { r[rdOf(w)] = r[REG_LO]; },
    mtlo: (w) => { r[REG_LO] = r[rsOf(w)]; },
    mult: (w) => { const a = r[rsOf(w)], b = r[rtOf(w)]; setHiLo(mulHighSigned(a, b), Math.imul(a, b)); },
    multu: (w) => { const a = r[rsOf(w)], b = r[rtOf(w)]; setHiLo(mulHighUnsigned(a, b), Math.imul(a, b)); },
    // Division by zero and INT_MIN/-1 are UNPREDICTABLE; like qemu, divide by 1 instead.
    div: (w) => {
      const a = r[rsOf(w)];
      let b = r[rtOf(w)];
      if (b === 0 || (a === -0x80000000 && b === -1)) b = 1;
      setHiLo((a % b) | 0, (a / b) | 0);
    },
    divu: (w) => {
      const a = r[rsOf(w)] >>> 0;
      let b = r[rtOf(w)] >>> 0;
      if (b === 0) b = 1;
      setHiLo((a % b) | 0, Math.floor(a / b) | 0);
    },
    madd: (w) => accumulate(w, false, false),
    maddu: (w) => accumulate(w, true, false),
    msub: (w) => accumulate(w, false, true),
    msubu: (w) => accumulate(w, true, true),
    mul: (w) => { r[rdOf(w)] = Math.imul(r[rsOf(w)], r[rtOf(w)]); },
    clz: (w) => { r[rdOf(w)] = Math.clz32(r[rsOf(w)]); },
    clo: (w) => { r[rdOf(w)] = Math.clz32(~r[rsOf(w)]); },

    jr: (w) => take(r[rsOf(w)]),
    'jr.hb': (w) => take(r[rsOf(w)]),
    jalr: (w) => { const t = r[rsOf(w)]; r[rdOf(w)] = linkAddr(); take(t); },
    'jalr.hb': (w) => { const t = r[rsOf(w)]; r[rdOf(w)] = linkAddr(); take(t); },
    j: (w) => take((cpu.pc & 0xf0000000) | ((w & 0x3ffffff) << 2)),
    jal: (w) => { r[31] = linkAddr(); take((cpu.pc & 0xf0000000) | ((w & 0x3ffffff) << 2)); },

    syscall: () => m.env.syscall(m),
    break: () => exc(ExcCode.Bp),
    sdbbp: () => exc(ExcCode.Bp),
    sync: () => {},
    synci: () => {},
    pref: () => {},
    cache: () => {},
    tge: (w) => trap(r[rsOf(w)] >= r[rtOf(w)]),
    tgeu: (w) => trap(r[rsOf(w)] >>> 0 >= r[rtOf(w)] >>> 0),
    tlt: (w) => trap(r[rsOf(w)] < r[rtOf(w)]),
    tltu: (w) => trap(r[rsOf(w)] >>> 0 < r[rtOf(w)] >>> 0),
    teq: (w) => trap(r[rsOf(w)] === r[rtOf(w)]),
    tne: (w) => trap(r[rsOf(w)] !== r[rtOf(w)]),
    tgei: (w) => trap(r[rsOf(w)] >= simm(w)),
    tgeiu: (w) => trap(r[rsOf(w)] >>> 0 >= simm(w) >>> 0),
    tlti: (w) => trap(r[rsOf(w)] < simm(w)),
    tltiu: (w) => trap(r[rsOf(w)] >>> 0 < simm(w) >>> 0),
    teqi: (w) => trap(r[rsOf(w)] === simm(w)),
    tnei: (w) => trap(r[rsOf(w)] !== simm(w)),

    bltz: (w) => cond(w, r[rsOf(w)] < 0, false, false),
    bgez: (w) => cond(w, r[rsOf(w)] >= 0, false, false),
    bltzl: (w) => cond(w, r[rsOf(w)] < 0, true, false),
    bgezl: (w) => cond(w, r[rsOf(w)] >= 0, true, false),
    bltzal: (w) => cond(w, r[rsOf(w)] < 0, false, true),
    bgezal: (w) => cond(w, r[rsOf(w)] >= 0, false, true),
    bltzall: (w) => cond(w, r[rsOf(w)] < 0, true, true),
    bgezall: (w) => cond(w, r[rsOf(w)] >= 0, true, true),
    beq: (w) => cond(w, r[rsOf(w)] === r[rtOf(w)], false, false),
    bne: (w) => cond(w, r[rsOf(w)] !== r[rtOf(w)], false, false),
    blez: (w) => cond(w, r[rsOf(w)] <= 0, false, false),
    bgtz: (w) => cond(w, r[rsOf(w)] > 0, false, false),
    beql: (w) => cond(w, r[rsOf(w)] === r[rtOf(w)], true, false),
    bnel: (w) => cond(w, r[rsOf(w)] !== r[rtOf(w)], true, false),
    blezl: (w) => cond(w, r[rsOf(w)] <= 0, true, false),
    bgtzl: (w) => cond(w, r[rsOf(w)] > 0, true, false),

    addi: (w) => {
      const a = r[rsOf(w)], b = simm(w), s = (a + b) | 0;
      if (((a ^ s) & (b ^ s)) < 0) exc(ExcCode.Ov);
      r[rtOf(w)] = s;
    },
    addiu: (w) => { r[rtOf(w)] = r[rsOf(w)] + simm(w); },
    slti: (w) => { r[rtOf(w)] = r[rsOf(w)] < simm(w) ? 1 : 0; },
    sltiu: (w) => { r[rtOf(w)] = r[rsOf(w)] >>> 0 < simm(w) >>> 0 ? 1 : 0; },
    andi: (w) => { r[rtOf(w)] = r[rsOf(w)] & uimm(w); },
    ori: (w) => { r[rtOf(w)] = r[rsOf(w)] | uimm(w); },
    xori: (w) => { r[rtOf(w)] = r[rsOf(w)] ^ uimm(w); },
    lui: (w) => { r[rtOf(w)] = w << 16; },

    ext: (w) => {
      const lsb = saOf(w), size = rdOf(w) + 1;
      r[rtOf(w)] = size === 32 ? r[rsOf(w)] >>> lsb : (r[rsOf(w)] >>> lsb) & ((1 << size) - 1);
    },
    ins: (w) => {
      const lsb = saOf(w), size = rdOf(w) - lsb + 1;
      if (size <= 0) return; // UNPREDICTABLE; leave rt unchanged
      const field = size === 32 ? -1 : (1 << size) - 1;
      const mask = field << lsb;
      r[rtOf(w)] = (r[rtOf(w)] & ~mask) | ((r[rsOf(w)] << lsb) & mask);
    },
    wsbh: (w) => { const x = r[rtOf(w)]; r[rdOf(w)] = ((x & 0x00ff00ff) << 8) | ((x >>> 8) & 0x00ff00ff); },
    seb: (w) => { r[rdOf(w)] = (r[rtOf(w)] << 24) >> 24; },
    seh: (w) => { r[rdOf(w)] = (r[rtOf(w)] << 16) >> 16; },
    rdhwr: (w) => {
      switch (rdOf(w)) {
        case 0: r[rtOf(w)] = 0; break; // CPUNum
        case 1: r[rtOf(w)] = 32; break; // SYNCI_Step
        case 2: r[rtOf(w)] = m.insnCount; break; // CC
        case 3: r[rtOf(w)] = 1; break; // CCRes
        case 29: r[rtOf(w)] = cpu.userLocal; break;
        default: exc(ExcCode.RI);
      }
    },

    lb: (w) => { r[rtOf(w)] = (mem.read8(ea(w)) << 24) >> 24; },
    lbu: (w) => { r[rtOf(w)] = mem.read8(ea(w)); },
    lh: (w) => { r[rtOf(w)] = (mem.read16(ea(w)) << 16) >> 16; },
    lhu: (w) => { r[rtOf(w)] = mem.read16(ea(w)); },
    lw: (w) => { r[rtOf(w)] = mem.read32(ea(w)); },
    ll: (w) => { r[rtOf(w)] = mem.read32(ea(w)); cpu.llbit = 1; },
    lwl: (w) => {
      const a = ea(w), word = mem.read32(a & ~3), sh = ((a ^ lwlXor) & 3) << 3, t = rtOf(w);
      r[t] = (word << sh) | (r[t] & ((1 << sh) - 1));
    },
    lwr: (w) => {
      const a = ea(w), word = mem.read32(a & ~3), sh = ((a ^ byteXor) & 3) << 3, t = rtOf(w);
      r[t] = (word >>> sh) | (r[t] & ~(-1 >>> sh));
    },
    sb: (w) => mem.write8(ea(w), r[rtOf(w)]),
    sh: (w) => mem.write16(ea(w), r[rtOf(w)]),
    sw: (w) => mem.write32(ea(w), r[rtOf(w)]),
    sc: (w) => {
      const t = rtOf(w), a = ea(w);
      if (cpu.llbit) { mem.write32(a, r[t]); r[t] = 1; } else {
        if (a & 3) exc(ExcCode.AdES, a);
        r[t] = 0;
      }
      cpu.llbit = 0;
    },
    swl: (w) => {
      const a = ea(w), wa = a & ~3, word = mem.read32(wa), sh = ((a ^ lwlXor) & 3) << 3;
      mem.write32(wa, (word & ~(-1 >>> sh)) | (r[rtOf(w)] >>> sh));
    },
    swr: (w) => {
      const a = ea(w), wa = a & ~3, word = mem.read32(wa), sh = ((a ^ byteXor) & 3) << 3;
      mem.write32(wa, (r[rtOf(w)] << sh) | (word & ((1 << sh) - 1)));
    },
    // CP0: with m.sys (system mode, SPIM kernel handler) the architecture of src/machine/cp0.ts;
    // without it a plain register file (Count reads the instruction count), no traps.
    mfc0: (w) => {
      const s = m.sys, cd = rdOf(w), sel = w & 7;
      if (s) { s.checkPrivileged(); r[rtOf(w)] = s.read(cd, sel); return; }
      r[rtOf(w)] = cd === 9 && sel === 0 ? m.insnCount : cpu.cp0[cd * 8 + sel];
    },
    mtc0: (w) => {
      const s = m.sys;
      if (s) { s.checkPrivileged(); s.write(rdOf(w), w & 7, r[rtOf(w)]); return; }
      cpu.cp0[rdOf(w) * 8 + (w & 7)] = r[rtOf(w)];
    },
    di: (w) => {
      const s = m.sys;
      s?.checkPrivileged();
      const st = cpu.cp0[12 * 8];
      cpu.cp0[12 * 8] = st & ~1;
      r[rtOf(w)] = st;
    },
    ei: (w) => {
      const s = m.sys;
      s?.checkPrivileged();
      const st = cpu.cp0[12 * 8];
      cpu.cp0[12 * 8] = st | 1;
      r[rtOf(w)] = st;
    },
    eret: () => {
      const s = m.sys;
      if (s) { s.checkPrivileged(); s.eret(); return; }
      cpu.llbit = 0; cpu.jumpTo(cpu.cp0[14 * 8]);
    },
    rfe: () => {
      const s = m.sys;
      if (s) { s.checkPrivileged(); s.rfe(); return; }
      const st = cpu.cp0[12 * 8]; cpu.cp0[12 * 8] = (st & ~0xf) | ((st >>> 2) & 0xf);
    },
    // cpu.pc already points past the wait (no delay-slot waits)
    wait: () => { const s = m.sys; if (s) { s.checkPrivileged(); s.wait((cpu.pc - 4) >>> 0); } },
    tlbr: () => exc(ExcCode.RI),
    tlbwi: () => exc(ExcCode.RI),
    tlbwr: () => exc(ExcCode.RI),
    tlbp: () => exc(ExcCode.RI),
    ...fpuHandlers(m),
  };

  function accumulate(w: number, unsigned: boolean, subtract: boolean) {
    const a = r[rsOf(w)], b = r[rtOf(w)];
    let ph = unsigned ? mulHighUnsigned(a, b) : mulHighSigned(a, b);
    let pl = Math.imul(a, b);
    if (subtract) [ph, pl] = neg64(ph, pl);
    const [hi, lo] = add64(r[REG_HI], r[REG_LO], ph, pl);
    setHiLo(hi, lo);
  }

  // SPIM keeps every CP1 control register as plain storage (tt.core.s writes and reads FCR 3)
  if (m.sys?.spim) {
    const fpCtl = new Int32Array(32);
    const real = (n: number) => n === 0 || n === 25 || n === 26 || n === 28 || n === 31;
    const cfc1 = h.cfc1, ctc1 = h.ctc1;
    h.cfc1 = (w) => { const n = rdOf(w); if (real(n)) cfc1(w); else r[rtOf(w)] = fpCtl[n]; };
    h.ctc1 = (w) => { const n = rdOf(w); if (real(n)) ctc1(w); else fpCtl[n] = r[rtOf(w)]; };
    // SPIM's sc always succeeds and leaves rt unchanged (spim 8.0; tt.core.s relies on it)
    const sc = h.sc;
    h.sc = (w) => { const t = rtOf(w), v = r[t]; cpu.llbit = 1; sc(w); r[t] = v; };
    // SPIM moves doubles at word-aligned (not only doubleword-aligned) addresses, as two words
    const ldc1 = h.ldc1, sdc1 = h.sdc1;
    const be = mem.bigEndian;
    h.ldc1 = (w) => {
      const a = ea(w);
      if ((a & 7) !== 4 || cpu.fr64) return ldc1(w);
      const f = rtOf(w) & ~1, w0 = mem.read32(a), w1 = mem.read32((a + 4) >>> 0);
      cpu.fw[f] = be ? w1 : w0;
      cpu.fw[f + 1] = be ? w0 : w1;
    };
    h.sdc1 = (w) => {
      const a = ea(w);
      if ((a & 7) !== 4 || cpu.fr64) return sdc1(w);
      const f = rtOf(w) & ~1, lo = cpu.fw[f], hi = cpu.fw[f + 1];
      mem.write32(a, be ? hi : lo);
      mem.write32((a + 4) >>> 0, be ? lo : hi);
    };
    // SPIM's mul also leaves the product in HI/LO (tt.core.s checks mfhi/mflo after mul)
    h.mul = (w) => {
      const a = r[rsOf(w)], b = r[rtOf(w)], lo = Math.imul(a, b);
      setHiLo(mulHighSigned(a, b), lo);
      r[rdOf(w)] = lo;
    };
  }
  if (m.sys?.r2000) {
    // SPIM's bare machine (an R2000): ll/sc/pref are its lwc0/swc0/lwc3 and COP1X (opcode 0x13)
    // is its coprocessor 3; CP0 emulates them when they raise RI
    const reserved = () => exc(ExcCode.RI);
    h.ll = h.sc = h.pref = reserved;
    for (const def of mipsDecoder().table.insns) if (def.match >>> 26 === 0x13) h[def.name] = reserved;
  }
  return h;
}

/** The handler table indexed by instruction id; every table instruction must have a handler. */
export function makeHandlers(m: Machine): Handler[] {
  const byName = handlersByName(m);
  return mipsDecoder().table.insns.map((def) => {
    const fn = byName[def.name];
    if (!fn) throw new Error(`interpreter has no handler for '${def.name}' (isa/mips32.isa:${def.line})`);
    return fn;
  });
}

const reservedHandler: Handler = () => {
  throw new GuestException(ExcCode.RI);
};

/**
 * Executes up to `maxInsns` instructions. Stops early by throwing StopRun or GuestException;
 * on a GuestException the CPU state is exactly as before the faulting instruction.
 */
export function interpret(m: Machine, handlers: Handler[], maxInsns: number): void {
  const cpu = m.cpu, mem = m.mem, r = cpu.r, pages = mem.readPages;
  const cache = decodeCacheOf(m, handlers);
  const cacheWords = cache.words, cacheHandlers = cache.handlers;
  let n = 0;
  // m.insnCount stays exact while handlers run (syscalls read clocks from it; rdhwr $2 and
  // Count read it), so every engine gives a guest the same times for the same run.
  const base = m.insnCount;
  let pc = cpu.pc, npc = cpu.npc;
  // The last instruction completed, so a fault in a delay slot is recognised even when the
  // previous chunk ended with the branch (valid only if nothing else ran since).
  const last = lastPcs.get(m);
  let prevPc = last !== undefined && last.at === base ? last.pc : -1;
  try {
    while (n < maxInsns) {
      pc = cpu.pc;
      npc = cpu.npc;
      const page = pages[pc >>> 12];
      const w = page !== undefined && (pc & 3) === 0 ? page[(pc >>> 2) & 1023] : mem.fetch(pc);
      const slot = (pc >>> 2) & DECODE_CACHE_MASK;
      let h = cacheHandlers[slot];
      if (h === null || cacheWords[slot] !== w) {
        h = decodeHandler(handlers, w);
        cacheHandlers[slot] = h;
        cacheWords[slot] = w;
      }
      cpu.pc = npc;
      cpu.npc = (npc + 4) >>> 0;
      r[0] = 0;
      m.insnCount = base + n;
      h(w);
      n++;
      prevPc = pc;
    }
    r[0] = 0;
  } catch (e) {
    r[0] = 0;
    if (e instanceof GuestException) {
      cpu.pc = pc;
      cpu.npc = npc;
      m.fault = { exception: e, pc, inDelaySlot: m.delaySlots && prevPc !== -1 && isDelaySlotOf(m, prevPc, pc) };
    } else if (e instanceof StopRun) {
      n++; // the syscall (or store) that stopped the run completed
      prevPc = pc;
    }
    throw e;
  } finally {
    m.insnCount = base + n;
    lastPcs.set(m, { pc: prevPc, at: m.insnCount });
  }
}

const lastPcs = new WeakMap<Machine, { pc: number; at: number }>();

/**
 * Direct-mapped cache of decoded handlers by pc. Entries are validated by the instruction
 * word itself, so self-modifying code needs no invalidation here.
 */
const DECODE_CACHE_SIZE = 1 << 14;
const DECODE_CACHE_MASK = DECODE_CACHE_SIZE - 1;
const decodeCaches = new WeakMap<Machine, { handlers: (Handler | null)[]; words: Int32Array; of: Handler[] }>();

function decodeCacheOf(m: Machine, handlers: Handler[]) {
  let c = decodeCaches.get(m);
  if (!c || c.of !== handlers) {
    c = { handlers: new Array<Handler | null>(DECODE_CACHE_SIZE).fill(null), words: new Int32Array(DECODE_CACHE_SIZE), of: handlers };
    decodeCaches.set(m, c);
  }
  return c;
}

function decodeHandler(handlers: Handler[], w: number): Handler {
  const def = mipsDecoder().decode(w);
  return def ? handlers[def.id] : reservedHandler;
}

function isDelaySlotOf(m: Machine, branchPc: number, pc: number): boolean {
  if (((branchPc + 4) >>> 0) !== pc) return false;
  const def = mipsDecoder().decode(m.mem.fetch(branchPc));
  return !!def && def.flags.has('ds');
}

