// The translator engine: tiered execution over a block/region cache.
//
//   cold code   runs in the interpreter one block at a time while a per-pc counter warms up
//   hot code    (count > threshold) is translated as a REGION: the hot block plus the blocks
//               (already run; on its page, or in a function it calls) on cycles through it,
//               i.e. its loop nest, plus the epilogues it branches to, compiled into one JS
//               function (codegen.ts: direct jumps forward, a switch for entries and backward
//               jumps); a self-loop becomes a JS loop of its own. Calls are loop edges while the
//               region stays small (recursion), and into small leaf functions always (calls
//               through registers are followed to the targets the interpreter saw); a computed
//               jump to one of the region's blocks (a return) stays inside. A hot block on no
//               cycle takes in the straight-line code after it, callees included
//               (extendForward). Why loop-shaped and why only code that has run: V8 needs 0.1-1 s of
//               compile time for a large function on this class of machine, and code it has
//               never executed deoptimizes the whole function when first reached.
//   dispatch    direct-mapped front array -> Map keyed by pc + mode bits; exits to known pcs
//               are chained (each exit slot remembers its successor entry; incoming links are
//               recorded so invalidation can unlink them)
//   budget      every block entry checks the instructions left; a block that does not fit is
//               finished by the interpreter so counts are exact
//   SMC         pages holding translated code are watched; a store into translated bytes
//               invalidates the regions covering them, unlinks chains into them, and the
//               storing block ends right after the store
//   flush       when the cache holds more than `cacheLimit` guest instructions, everything is
//               dropped and retranslated on demand
import { formatBlock, loopGlobals, mulHighS, mulHighU, optimize, type Global, type IrBlock } from '../ir/index.js';
import { generateRegion, memoryHelpersSource, EXIT_BUDGET, EXIT_DYNAMIC, type CodegenTarget, type GlobalBinding } from './codegen.js';
import type { Machine } from '../machine/machine.js';
import type { Memory } from '../machine/memory.js';

/** What the engine needs from a guest architecture. */
export interface JitGuest {
  /** Mode bits that change translation or entry (part of the cache key), as they are now. */
  modeNow(): number;
  readonly bigEndian: boolean;
  readonly bindings: ReadonlyMap<Global, GlobalBinding>;
  /** The pc to dispatch on, or -1 when the state cannot enter translated code (pending delay slot). */
  entryPc(): number;
  /** Runs exactly `n` instructions in the interpreter (or fewer if the run stops by throwing). */
  interpret(n: number): void;
  translateBlock(pc: number): IrBlock | null;
  /** Instructions a cold block at pc holds (interpreted as a unit while counting). */
  blockLength(pc: number): number;
  /** True if code bytes at pc can be read without side effects (page present). */
  readable(pc: number): boolean;
  setPc(x: string): string;
  disasm(pc: number, word: number): string;
  formatCpu(pc: number): string;
  /** The runtime object generated code calls (H). */
  readonly runtime: JitRuntime;
  /** Arguments passed to every region factory after R, C, RP, WP, H, M. */
  readonly cpuObject: unknown;
  readonly regs: Int32Array;
  /** The value the runtime throws when a store invalidated translated code. */
  readonly smcExit: unknown;
  /** Further names generated code may use (e.g. `F`: the FPR words), with their values. */
  readonly extraArgs?: Readonly<Record<string, unknown>>;
}

/** Fields the dispatcher and generated code share with the guest runtime. */
export interface JitRuntime {
  left: number;
  c0: number;
  site: number;
  /** Set by invalidation; the runtime turns it into a throw of `smcExit` at the storing site. */
  smc: boolean;
  log: ((line: string) => void) | null;
}

export interface JitDebug {
  in_asm?: boolean;
  op?: boolean;
  op_opt?: boolean;
  out_js?: boolean;
  exec?: boolean;
  cpu?: boolean;
  nochain?: boolean;
}

export interface JitOptions {
  /** Translate a block after this many interpreted executions (0 = on first sight). */
  threshold?: number;
  chain?: boolean;
  /** Flush the cache when it holds more guest instructions than this. */
  cacheLimit?: number;
  /** Region limits. */
  maxRegionInsns?: number;
  maxRegionBlocks?: number;
  /** Disable the optimizer (debugging). */
  noOpt?: boolean;
  /** Keep guest registers in JS locals inside generated code (default true). */
  cacheRegs?: boolean;
  /**
   * 'loops' (default): a region is the hot block plus the blocks on cycles through it (a loop
   * nest), so functions stay small and quick for V8 to optimize; 'page': every run block
   * reachable from it within its page.
   */
  regionShape?: 'loops' | 'page';
  /** Memory accesses call shared helper functions instead of inline fast paths. */
  memHelpers?: boolean;
  debug?: JitDebug;
  /** Where -d output goes. */
  log?: (text: string) => void;
}

export interface JitStats {
  /** Regions compiled (one JS function each). */
  regions: number;
  /** Blocks translated (a block is counted once per region holding it). */
  blocks: number;
  /** Guest instructions translated. */
  insnsTranslated: number;
  /** Milliseconds spent translating (frontend + optimizer + codegen + new Function). */
  translateMs: number;
  /** Dispatches that found translated code (front array or map). */
  cacheHits: number;
  /** Dispatches that found none (ran the interpreter, maybe translated). */
  cacheMisses: number;
  /** Region exits that followed a chain link instead of looking up the cache. */
  chained: number;
  /** Instructions executed in generated code. */
  jitInsns: number;
  /** Instructions executed by the interpreter (cold code, budget remainders, pending delay slots). */
  interpInsns: number;
  /** Regions invalidated by self-modifying code. */
  invalidations: number;
  flushes: number;
}

const FRONT_BITS = 12;
const FRONT_MASK = (1 << FRONT_BITS) - 1;
const PAGE_SHIFT = 12;
/** A page whose translations were invalidated this often is left to the interpreter. */
const MAX_PAGE_INVALIDATIONS = 32;

export const DEFAULT_THRESHOLD = 500;
/** Distinct successors remembered per cold block (for computed jumps). */
const MAX_OBSERVED_TARGETS = 4;
/** Largest region that keeps recursion (call edges) inside; larger ones are split at calls. */
const MAX_RECURSIVE_REGION_INSNS = 160;
/**
 * A root on no cycle (straight-line code between calls, after loops) takes in the run blocks
 * that follow it in its function and in the functions it calls, up to this many more
 * instructions: one region instead of a chain of one-block regions (qsort: 10.6M -> 1.5M chained
 * exits, strbuild 17.4M -> 5.6M). Loops are not extended, nor into blocks of its own function
 * translated already (both made fib's hot region larger and slower in V8); called functions
 * are, so their returns stay inside (strbuild: 57M -> 42M region transitions, 2-4% faster).
 */
const MAX_FORWARD_EXTENSION_INSNS = 256;
export const DEFAULT_CACHE_LIMIT = 1 << 20;

/** One entry point: a block of a region. */
export class Entry {
  readonly incoming: ExitSlot[] = [];
  constructor(
    readonly pc: number,
    readonly mode: number,
    readonly region: Region,
    readonly idx: number,
    readonly fn: RegionFn,
  ) {}
}

/** A chainable exit of a region to a known pc. */
export class ExitSlot {
  link: Entry | null = null;
  constructor(readonly pc: number, readonly owner: Region) {}
}

type RegionFn = (b: number, left: number) => number;

export class Region {
  valid = true;
  readonly entries: Entry[] = [];
  exits: ExitSlot[] = [];
  fn!: RegionFn;
  constructor(
    readonly id: number,
    readonly rootPc: number,
    /** [start, end) guest byte ranges of its blocks. */
    readonly ranges: [number, number][],
    readonly pages: number[],
    readonly ninsns: number,
  ) {}

  covers(addr: number): boolean {
    for (const [s, e] of this.ranges) if (addr >= s && addr < e) return true;
    return false;
  }
}

interface ColdInfo {
  count: number;
  len: number;
  /**
   * Where the block went next when the interpreter ran it (a few distinct pcs): the targets
   * of its computed jump, if it ends in one (calls through registers, returns), which region
   * formation then follows like static successors.
   */
  next: number[];
  /** Do not try to translate here again (e.g. a branch in a delay slot). */
  never: boolean;
}

export class Jit {
  readonly stats: JitStats = {
    regions: 0, blocks: 0, insnsTranslated: 0, translateMs: 0, cacheHits: 0, cacheMisses: 0, chained: 0,
    jitInsns: 0, interpInsns: 0, invalidations: 0, flushes: 0,
  };
  threshold: number;
  chain: boolean;
  cacheLimit: number;
  maxRegionInsns: number;
  maxRegionBlocks: number;
  regionShape: 'loops' | 'page';
  private readonly debug: JitDebug;
  private readonly logFn: ((text: string) => void) | null;
  private readonly noOpt: boolean;

  private readonly front: (Entry | undefined)[] = new Array(FRONT_MASK + 1).fill(undefined);
  private readonly map = new Map<number, Entry>();
  private readonly cold = new Map<number, ColdInfo>();
  private readonly pageRegions = new Map<number, Region[]>();
  private readonly pageInvalidations = new Map<number, number>();
  private readonly regions = new Set<Region>();
  private cachedInsns = 0;
  private nextRegionId = 0;
  private readonly mem: Memory;
  private readonly rt: JitRuntime;
  private readonly target: CodegenTarget;
  private readonly onWrite = (addr: number) => this.invalidateAt(addr);
  private readonly memHelpers: boolean;
  private memFns: unknown[];
  /** flatViews(), passed to every region factory. */
  private readonly flatArgs: unknown[];

  constructor(
    private readonly m: Machine,
    private readonly guest: JitGuest,
    opts: JitOptions = {},
  ) {
    this.mem = m.mem;
    this.rt = guest.runtime;
    this.debug = opts.debug ?? {};
    this.threshold = opts.threshold ?? DEFAULT_THRESHOLD;
    this.chain = (opts.chain ?? true) && !this.debug.nochain;
    this.cacheLimit = opts.cacheLimit ?? DEFAULT_CACHE_LIMIT;
    this.maxRegionInsns = opts.maxRegionInsns ?? 512;
    this.maxRegionBlocks = opts.maxRegionBlocks ?? 64;
    this.noOpt = !!opts.noOpt;
    this.regionShape = opts.regionShape ?? 'loops';
    this.logFn = opts.log ?? null;
    if (this.logFn && (this.debug.exec || this.debug.cpu)) {
      const lf = this.logFn;
      this.rt.log = (line) => lf(line + '\n');
    }
    this.target = { bindings: guest.bindings, bigEndian: guest.bigEndian, setPc: (x) => guest.setPc(x), flat: this.mem.flat !== null };
    this.memHelpers = opts.memHelpers ?? !!process.env.ASMBOX_MEMHELPERS;
    this.memFns = this.makeMemFns();
    this.flatArgs = this.flatViews();
  }

  /** FM, FB, FSB, FH, FSH, RB, WB for generated code on a flat memory (else nulls). */
  private flatViews(): unknown[] {
    const mem = this.mem, f = mem.flat;
    if (!f) return [null, null, null, null, null, null, null];
    const b = f.buffer;
    return [f, new Uint8Array(b), new Int8Array(b), new Uint16Array(b), new Int16Array(b), mem.readOk, mem.writeOk];
  }

  private makeMemFns(): unknown[] {
    return (new Function('RP', 'WP', 'H', memoryHelpersSource(this.guest.bigEndian)) as (...a: unknown[]) => unknown[])(
      this.mem.readPages, this.mem.writePages, this.rt);
  }

  private key(pc: number, mode: number = this.guest.modeNow()): number {
    return pc + mode * 4294967296;
  }

  /** Executes exactly `maxInsns` guest instructions unless the run stops (by throwing). */
  run(maxInsns: number): void {
    try {
      this.dispatch(maxInsns);
    } catch (e) {
      // a run that ends inside generated code: account its instructions
      if (this.regionLeft >= 0) this.stats.jitInsns += this.regionLeft - this.rt.left;
      if (this.interpFrom >= 0) this.stats.interpInsns += this.m.insnCount - this.interpFrom;
      throw e;
    } finally {
      this.regionLeft = -1;
      this.interpFrom = -1;
    }
  }

  /** Budget at entry of the region call in progress (-1 when none). */
  private regionLeft = -1;

  private dispatch(maxInsns: number): void {
    const m = this.m, rt = this.rt, front = this.front, stats = this.stats, guest = this.guest;
    const trace = this.debug.exec ? this.logFn : null;
    let left = maxInsns;
    while (left > 0) {
      const pc = guest.entryPc();
      let mode = guest.modeNow();
      if (pc < 0) {
        // pending delay slot (the budget ended between a branch and its slot)
        this.interp(1);
        left -= 1;
        continue;
      }
      let e = front[(pc >>> 2) & FRONT_MASK];
      if (e === undefined || e.pc !== pc || e.mode !== mode) {
        e = this.map.get(this.key(pc, mode));
        if (e === undefined) {
          stats.cacheMisses++;
          left -= this.coldStep(pc, left);
          continue;
        }
        front[(pc >>> 2) & FRONT_MASK] = e;
      }
      rt.smc = false;
      // A chain of region calls: c0 = insnCount + left stays the same along it (generated code
      // counts from it), so insnCount and the statistics are brought up to date once at its end.
      rt.c0 = m.insnCount + left;
      const start = left;
      this.regionLeft = left;
      // (counted as they happen: a run may end by throwing inside the chain)
      stats.cacheHits++;
      let cur: Entry = e;
      let x: number;
      for (;;) {
        const e = cur;
        if (trace) trace(`Trace: [${hex(e.pc)}] region ${e.region.id}\n`);
        x = e.fn(e.idx, left);
        left = rt.left;
        if (left <= 0) break;
        let nx: Entry | null | undefined;
        if (x >= 0) {
          const slot: ExitSlot = e.region.exits[x];
          nx = slot.link;
          if (nx !== null) {
            stats.chained++;
            cur = nx;
            continue;
          }
          const tpc = slot.pc;
          nx = front[(tpc >>> 2) & FRONT_MASK];
          if (nx === undefined || nx.pc !== tpc || nx.mode !== mode) {
            nx = this.map.get(this.key(tpc, mode));
            if (nx === undefined) break;
            front[(tpc >>> 2) & FRONT_MASK] = nx;
          }
          stats.cacheHits++;
          if (this.chain && e.region.valid && nx.region.valid) {
            slot.link = nx;
            nx.incoming.push(slot);
          }
        } else if (x === EXIT_DYNAMIC) {
          // a computed pc (returns, indirect calls): look it up without leaving the chain
          const tpc = guest.entryPc();
          if (tpc < 0) break;
          mode = guest.modeNow();
          nx = front[(tpc >>> 2) & FRONT_MASK];
          if (nx === undefined || nx.pc !== tpc || nx.mode !== mode) break;
          stats.cacheHits++;
        } else break;
        cur = nx;
      }
      this.regionLeft = -1;
      m.insnCount = rt.c0 - left;
      stats.jitInsns += start - left;
      if (x === EXIT_BUDGET && left > 0) {
        // the next block does not fit in the budget: finish exactly in the interpreter
        this.interp(left);
        left = 0;
      }
    }
  }

  private interp(n: number): void {
    const before = (this.interpFrom = this.m.insnCount);
    this.guest.interpret(n);
    this.interpFrom = -1;
    this.stats.interpInsns += this.m.insnCount - before;
  }

  /** insnCount when the interpreter call in progress started (-1 when none). */
  private interpFrom = -1;

  /** Interprets the cold block at pc (or translates it when hot); returns instructions executed. */
  private coldStep(pc: number, left: number): number {
    let info = this.cold.get(pc);
    if (info === undefined) {
      info = { count: 0, len: 0, never: false, next: [] };
      this.cold.set(pc, info);
    }
    if (!info.never && ++info.count > this.threshold) {
      if (this.translate(pc)) return 0;
      // no block can start here (yet): retry later if the page was just missing
      if (this.guest.readable(pc)) info.never = true;
      else info.count = 0;
    }
    if (this.debug.exec && this.logFn) this.logFn(`Trace: [${hex(pc)}] interp\n`);
    if (this.debug.cpu && this.logFn) this.logFn(this.guest.formatCpu(pc) + '\n');
    if (info.len === 0) info.len = this.guest.blockLength(pc);
    const n = info.len < left ? info.len : left;
    this.interp(n);
    if (n === info.len && info.next.length < MAX_OBSERVED_TARGETS) {
      const to = this.guest.entryPc();
      if (to >= 0 && !info.next.includes(to)) info.next.push(to);
    }
    return n;
  }

  // ---- translation ----

  /** Translates the region rooted at pc and enters it in the cache; false if nothing could be translated. */
  translate(rootPc: number): boolean {
    const t0 = performance.now();
    const page = rootPc >>> PAGE_SHIFT;
    if ((this.pageInvalidations.get(page) ?? 0) > MAX_PAGE_INVALIDATIONS) return false;
    const blocks: IrBlock[] = [];
    const seen = new Set<number>();
    const queue = [rootPc];
    // Loops stay on the root's page, except for functions they call (a callback on another
    // page, e.g. qsort's comparison: loopRegion keeps it if it is a small leaf). Straight-line
    // extension (extendForward) and epilogues may cross pages.
    const callees = new Set<number>();
    const offPage = new Set<number>();
    let total = 0;
    while (queue.length && blocks.length < this.maxRegionBlocks && total < this.maxRegionInsns) {
      const pc = queue.shift()!;
      if (seen.has(pc)) continue;
      seen.add(pc);
      if (pc >>> PAGE_SHIFT !== page && !callees.has(pc)) offPage.add(pc);
      if (pc !== rootPc) {
        const info = this.cold.get(pc);
        if (info?.never) continue;
        // Only blocks the interpreter has run join a region (with a threshold): code V8 has
        // never executed would deoptimize the whole function the first time it runs.
        if (this.threshold > 0 && !(info && info.count > 0)) continue;
      }
      let blk = this.guest.translateBlock(pc);
      if (!blk) continue;
      const observed = this.cold.get(pc)?.next;
      if (observed?.length && !blk.returns && blk.ops.some((op) => op.op === 'goto_ptr')) {
        // a computed jump: follow where it went; after a call (jalr) those are function entries.
        // (Not after returns: loopRegion links them to return points itself when it keeps calls,
        // and otherwise they would tie every caller's code into one large, slow-to-compile region.)
        const dyn = observed.filter((t) => !blk!.succs.includes(t));
        blk = { ...blk, succs: [...blk.succs, ...dyn], callTargets: blk.returnPoints.length ? [...blk.callTargets, ...dyn] : blk.callTargets };
      }
      blocks.push(blk);
      total += blk.ninsns;
      const inCallee = callees.has(pc);
      for (const s of blk.succs) {
        if (inCallee || blk.callTargets.includes(s)) callees.add(s);
        if (!seen.has(s)) queue.push(s);
      }
      for (const s of blk.returnPoints) if (!seen.has(s)) queue.push(s);
    }
    if (!blocks.length) return false;
    if (this.regionShape === 'loops' && blocks.length > 1) {
      // recursion through calls stays inside a small region; a large one is split at calls
      const local = blocks.filter((b) => !offPage.has(b.pc));
      let kept = loopRegion(local, true);
      if (kept.reduce((n, b) => n + b.ninsns, 0) > MAX_RECURSIVE_REGION_INSNS) kept = loopRegion(local, false);
      if (kept.length === 1 && !kept[0].succs.includes(kept[0].pc)) {
        const mode = this.guest.modeNow();
        kept = extendForward(blocks, kept, MAX_FORWARD_EXTENSION_INSNS, (pc) => this.map.has(this.key(pc, mode)));
      } else kept = withReturnTails(blocks, kept);
      total = kept.reduce((n, b) => n + b.ninsns, 0);
      blocks.length = 0;
      blocks.push(...kept);
    }
    if (this.cachedInsns + total > this.cacheLimit) this.flush();

    const id = this.nextRegionId++;
    const log = this.logFn;
    if (log && this.debug.in_asm) {
      for (const b of blocks) {
        const lines = b.words.map((w, i) => this.guest.disasm((b.pc + 4 * i) >>> 0, w));
        log(`IN: region ${id} block 0x${hex(b.pc)}\n${lines.join('\n')}\n\n`);
      }
    }
    if (log && this.debug.op) for (const b of blocks) log(`OP: region ${id}\n${formatBlock(b)}\n`);
    // in address order, a not-taken branch usually falls through into the next case
    const opt = blocks.map((b) => ({ ...b, ops: optimize(b.ops, { none: this.noOpt }) })).sort((a, b) => a.pc - b.pc);
    if (log && this.debug.op_opt) for (const b of opt) log(`OP after optimization: region ${id}\n${formatBlock(b)}\n`);
    const code = generateRegion(opt, this.target, {
      traceExec: !!(this.debug.exec && log), traceCpu: !!(this.debug.cpu && log), name: `region_${hex(rootPc)}`,
      memHelpers: this.memHelpers, cacheOnly: loopGlobals(opt),
    });
    if (log && this.debug.out_js) {
      log(`OUT: region ${id} (cached: ${code.cached.map((g) => g.name).join(' ') || '-'})\n${code.source}\n`);
    }
    const fn = this.compile(code.source);

    const ranges: [number, number][] = opt.map((b) => [b.pc, b.end]);
    const pages = new Set<number>();
    for (const [s, e] of ranges) for (let p = s >>> PAGE_SHIFT; p <= (e - 1) >>> PAGE_SHIFT; p++) pages.add(p);
    const mode = this.guest.modeNow();
    const region = new Region(id, rootPc, ranges, [...pages], total);
    region.fn = fn;
    region.exits = code.exits.map((pc) => new ExitSlot(pc, region));
    opt.forEach((b, i) => {
      const k = this.key(b.pc, mode);
      const entry = new Entry(b.pc, mode, region, i, fn);
      region.entries.push(entry);
      // the root always enters here; other pcs keep an existing translation
      if (b.pc === rootPc || !this.map.has(k)) {
        const old = this.map.get(k);
        if (old) this.unlinkEntry(old);
        this.map.set(k, entry);
        const fi = (b.pc >>> 2) & FRONT_MASK;
        if (this.front[fi]?.pc === b.pc) this.front[fi] = entry;
      }
    });
    for (const p of pages) {
      let list = this.pageRegions.get(p);
      if (!list) {
        list = [];
        this.pageRegions.set(p, list);
        this.mem.watchPage(p, this.onWrite);
      }
      list.push(region);
    }
    this.regions.add(region);
    this.cachedInsns += total;
    this.stats.regions++;
    this.stats.blocks += blocks.length;
    this.stats.insnsTranslated += total;
    this.stats.translateMs += performance.now() - t0;
    return true;
  }

  private compile(source: string): RegionFn {
    const g = this.guest;
    const extra = Object.entries(g.extraArgs ?? {});
    const factory = new Function('R', 'C', 'RP', 'WP', 'H', 'M', 'MHS', 'MHU', 'SMC', 'LW', 'LH', 'LB', 'SW', 'SH', 'SB',
      'FM', 'FB', 'FSB', 'FH', 'FSH', 'RB', 'WB', ...extra.map(([k]) => k), source) as (...a: unknown[]) => RegionFn;
    return factory(g.regs, g.cpuObject, this.mem.readPages, this.mem.writePages, this.rt, this.m, mulHighS, mulHighU, g.smcExit, ...this.memFns,
      ...this.flatArgs, ...extra.map(([, v]) => v));
  }

  /** Removes an entry from the dispatch structures and unlinks chains into it. */
  private unlinkEntry(e: Entry): void {
    const k = this.key(e.pc, e.mode);
    if (this.map.get(k) === e) this.map.delete(k);
    const fi = (e.pc >>> 2) & FRONT_MASK;
    if (this.front[fi] === e) this.front[fi] = undefined;
    for (const s of e.incoming) if (s.link === e) s.link = null;
    e.incoming.length = 0;
  }

  // ---- invalidation ----

  /** Watch callback: a store hit a page holding translated code. */
  private invalidateAt(addr: number): void {
    const page = addr >>> PAGE_SHIFT;
    const list = this.pageRegions.get(page);
    if (!list) return;
    const word = (addr & ~3) >>> 0;
    const hit = list.filter((r) => r.covers(word));
    if (!hit.length) return;
    for (const r of hit) this.invalidateRegion(r);
    this.pageInvalidations.set(page, (this.pageInvalidations.get(page) ?? 0) + 1);
    this.rt.smc = true;
  }

  invalidateRegion(r: Region): void {
    if (!r.valid) return;
    r.valid = false;
    this.stats.invalidations++;
    for (const e of r.entries) this.unlinkEntry(e);
    for (const s of r.exits) {
      const t = s.link;
      if (t) {
        const i = t.incoming.indexOf(s);
        if (i >= 0) t.incoming.splice(i, 1);
        s.link = null;
      }
    }
    for (const p of r.pages) {
      const list = this.pageRegions.get(p);
      if (!list) continue;
      const i = list.indexOf(r);
      if (i >= 0) list.splice(i, 1);
      if (!list.length) {
        this.pageRegions.delete(p);
        this.mem.unwatchPage(p);
      }
    }
    this.regions.delete(r);
    this.cachedInsns -= r.ninsns;
    // let the entry pcs warm up again before retranslating
    for (const e of r.entries) {
      const info = this.cold.get(e.pc);
      if (info) info.count = 0;
    }
  }

  /** Drops every translation. */
  flush(): void {
    for (const r of this.regions) {
      r.valid = false;
      for (const s of r.exits) s.link = null;
      for (const e of r.entries) e.incoming.length = 0;
    }
    this.regions.clear();
    for (const p of this.pageRegions.keys()) this.mem.unwatchPage(p);
    this.pageRegions.clear();
    this.map.clear();
    this.front.fill(undefined);
    this.cold.clear();
    this.cachedInsns = 0;
    this.stats.flushes++;
  }

  /** Guest instructions currently held in translated regions. */
  get cacheSize(): number {
    return this.cachedInsns;
  }

  /** The entry translated code would run for pc, if any (tests, tools). */
  lookup(pc: number): Entry | undefined {
    return this.map.get(this.key(pc >>> 0));
  }
}

/**
 * The root block (first) and the blocks on a cycle through it. A call is an edge to its return
 * point and, if `calls`, also to the callee, and a computed jump (a return) to every return
 * point (recursion then counts as a loop). Without `calls`, small leaf functions (leafCallees)
 * still join: a call is an edge into the leaf and the leaf's returns are edges back to the
 * caller's return points, so a loop calling a comparison callback stays in one region.
 */
function loopRegion(blocks: IrBlock[], calls: boolean): IrBlock[] {
  const byPc = new Map(blocks.map((b) => [b.pc, b]));
  const preds = new Map<number, number[]>();
  const edge = (from: number, to: number) => {
    let l = preds.get(to);
    if (!l) preds.set(to, (l = []));
    l.push(from);
  };
  // with calls, a return (computed jump) may go back to any return point of the region
  const allReturnPoints = calls ? blocks.flatMap((b) => b.returnPoints) : [];
  const leaves = calls ? new Map<number, IrBlock[]>() : leafCallees(blocks, byPc);
  for (const b of blocks) {
    const returns = calls && b.ops.some((op) => op.op === 'goto_ptr') ? allReturnPoints : [];
    for (const s of [...b.succs, ...b.returnPoints, ...returns]) {
      if (!byPc.has(s)) continue;
      if (!calls && b.callTargets.includes(s)) {
        const leaf = leaves.get(s);
        if (!leaf) continue;
        for (const l of leaf) if (l.returns) for (const r of b.returnPoints) if (byPc.has(r)) edge(l.pc, r);
      }
      edge(b.pc, s);
    }
  }
  const root = blocks[0].pc;
  const reaches = new Set<number>([root]);
  const work = [root];
  while (work.length) {
    for (const p of preds.get(work.pop()!) ?? []) {
      if (!reaches.has(p)) {
        reaches.add(p);
        work.push(p);
      }
    }
  }
  return blocks.filter((b) => reaches.has(b.pc));
}

/** Largest leaf function (no calls of its own) that joins its caller's region. */
const MAX_LEAF_INSNS = 48;

/**
 * The call targets among `blocks` that start small leaf functions: the blocks reachable from
 * the entry by branches (those among `blocks`: the others never ran, and would be exits) make
 * no calls, and some end in returns. Their blocks, by entry pc.
 */
function leafCallees(blocks: IrBlock[], byPc: Map<number, IrBlock>): Map<number, IrBlock[]> {
  const out = new Map<number, IrBlock[]>();
  for (const target of new Set(blocks.flatMap((b) => b.callTargets))) {
    const body: IrBlock[] = [];
    const seen = new Set<number>([target]);
    const work = [target];
    let insns = 0, ok = true;
    while (ok && work.length) {
      const b = byPc.get(work.pop()!);
      if (!b) continue; // never run (yet): an exit of the region if it ever runs
      if (b.callTargets.length || b.returnPoints.length) ok = false;
      else {
        body.push(b);
        insns += b.ninsns;
        if (insns > MAX_LEAF_INSNS) ok = false;
        for (const s of b.succs) if (!seen.has(s)) { seen.add(s); work.push(s); }
      }
    }
    if (ok && body.some((b) => b.returns)) out.set(target, body);
  }
  return out;
}

/** Longest function epilogue (straight-line blocks ending in a return) that joins a loop region. */
const MAX_RETURN_TAIL_INSNS = 40;

/**
 * Adds to a loop region the epilogues its blocks branch to: straight-line blocks (one successor
 * each, no calls) ending in a return, up to MAX_RETURN_TAIL_INSNS instructions. A return there
 * to a return point of the region stays inside it; as a region of its own, each such return
 * cost two region transitions (recursive fib: one in, one back).
 */
function withReturnTails(blocks: IrBlock[], kept: IrBlock[]): IrBlock[] {
  const byPc = new Map(blocks.map((b) => [b.pc, b]));
  const inSet = new Set(kept.map((b) => b.pc));
  const out = [...kept];
  for (const b of kept) {
    for (const s of b.succs) {
      if (inSet.has(s) || b.callTargets.includes(s)) continue;
      const tail: IrBlock[] = [];
      let insns = 0;
      for (let t = byPc.get(s); t && !inSet.has(t.pc) && !t.callTargets.length && !t.returnPoints.length; t = byPc.get(t.succs[0])) {
        tail.push(t);
        insns += t.ninsns;
        if (insns > MAX_RETURN_TAIL_INSNS) break;
        if (t.returns) {
          for (const x of tail) { inSet.add(x.pc); out.push(x); }
          break;
        }
        if (t.succs.length !== 1) break;
      }
    }
  }
  return out;
}

/**
 * Adds to `kept` the blocks (of `blocks`, in BFS order) reachable from it by forward edges
 * (branches, fall-through, return points after calls, and the called functions' code that ran),
 * up to `limit` more instructions: straight-line code after a loop or between calls then runs
 * inside the region instead of as a chain of one-block regions.
 */
function extendForward(blocks: IrBlock[], kept: IrBlock[], limit: number, translated: (pc: number) => boolean): IrBlock[] {
  const byPc = new Map(blocks.map((b) => [b.pc, b]));
  const inSet = new Set(kept.map((b) => b.pc));
  const out = [...kept];
  const work = [...kept];
  let added = 0;
  while (work.length) {
    const b = work.shift()!;
    for (const s of [...b.succs, ...b.returnPoints]) {
      if (inSet.has(s)) continue;
      const t = byPc.get(s);
      // (a callee joins even if translated already: its return then comes back inside)
      if (!t || added + t.ninsns > limit || (translated(s) && !b.callTargets.includes(s))) continue;
      inSet.add(s);
      added += t.ninsns;
      out.push(t);
      work.push(t);
    }
  }
  return out;
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
