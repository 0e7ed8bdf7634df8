// Translator switches of `asmbox run`: -d items, --jit-threshold, --no-chain, and the
// translator's line in --stats.
import type { EngineOptions, MachineEngine } from '../machine/engines.js';
import type { JitDebug } from '../jit/jit.js';

/** -d items the translator understands (qemu's names). */
export const JIT_DEBUG_ITEMS = ['in_asm', 'op', 'op_opt', 'out_js', 'exec', 'cpu', 'nochain'] as const;

export interface JitFlags {
  debug?: readonly string[];
  jitThreshold?: number;
  chain?: boolean;
}

export function jitEngineOptions(flags: JitFlags, log: (line: string) => void): EngineOptions {
  const debug: JitDebug = {};
  for (const it of flags.debug ?? []) if ((JIT_DEBUG_ITEMS as readonly string[]).includes(it)) debug[it as keyof JitDebug] = true;
  const any = Object.keys(debug).length > 0;
  return {
    jitThreshold: flags.jitThreshold,
    chain: flags.chain !== false && !debug.nochain,
    debug: any ? debug : undefined,
    log: any ? (text) => log(text.replace(/\n$/, '')) : undefined,
  };
}

/** The translator's --stats line, or null for the interpreter (or when nothing was translated). */
export function jitStatsLine(engine: MachineEngine): string | null {
  const s = engine.jit?.stats;
  if (!s || s.regions === 0) return null; // nothing got hot: the interpreter ran it all
  const total = s.jitInsns + s.interpInsns;
  const pct = total ? ((100 * s.jitInsns) / total).toFixed(1) : '0.0';
  const hits = s.cacheHits + s.cacheMisses ? ((100 * s.cacheHits) / (s.cacheHits + s.cacheMisses)).toFixed(1) : '0.0';
  return `asmbox: jit: ${s.regions} regions, ${s.blocks} blocks, ${s.insnsTranslated} insns translated in ${s.translateMs.toFixed(1)} ms; ` +
    `${pct}% of instructions in generated code; ${s.cacheHits + s.cacheMisses} lookups (${hits}% hits), ${s.chained} chained exits, ` +
    `${s.invalidations} invalidations, ${s.flushes} flushes`;
}
