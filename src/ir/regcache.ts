// Guest register caching: which cacheable globals a unit of code keeps in host locals, and which
// of them it must write back at its exits.
import { opInputs, opOutput, type Global, type Op } from './ir.js';

export interface GlobalUsage {
  /** Cacheable globals the code reads or writes directly: loaded into locals on entry. */
  cached: Global[];
  /** Cacheable globals the code writes: written back at every exit. */
  written: Global[];
}

export function globalUsage(units: readonly (readonly Op[])[]): GlobalUsage {
  const cached = new Set<Global>();
  const written = new Set<Global>();
  for (const ops of units) {
    for (const op of ops) {
      for (const v of opInputs(op)) if (v.kind === 'global' && v.cacheable) cached.add(v);
      const d = opOutput(op);
      if (d && d.kind === 'global' && d.cacheable) {
        cached.add(d);
        written.add(d);
      }
    }
  }
  const byId = (a: Global, b: Global) => a.id - b.id;
  return { cached: [...cached].sort(byId), written: [...written].sort(byId) };
}

/** The cached globals among `set` ('all' = every cached one). */
export function cachedAmong(set: readonly Global[] | 'all', cached: readonly Global[]): Global[] {
  if (set === 'all') return [...cached];
  const s = new Set(set);
  return cached.filter((g) => s.has(g));
}
