// Builds a decision tree from an instruction table: each node switches on a run of bits that
// every remaining candidate fixes, so decoding a word costs a few array lookups.
import type { InsnDef, IsaTable } from './table.js';

type Node =
  | { kind: 'switch'; lo: number; mask: number; children: Node[] }
  | { kind: 'list'; candidates: InsnDef[] };

function popcount(x: number): number {
  let n = 0;
  for (x >>>= 0; x; x &= x - 1) n++;
  return n;
}

/** Longest run (at most 8 bits) of bits set in `bits`. */
function longestRun(bits: number): { lo: number; width: number } | null {
  let best: { lo: number; width: number } | null = null;
  for (let lo = 0; lo < 32; ) {
    if (!((bits >>> lo) & 1)) { lo++; continue; }
    let w = 0;
    while (lo + w < 32 && (bits >>> (lo + w)) & 1) w++;
    if (!best || w > best.width) best = { lo, width: w };
    lo += w;
  }
  if (best && best.width > 8) best = { lo: best.lo + best.width - 8, width: 8 };
  return best;
}

function build(cands: InsnDef[], used: number): Node {
  if (cands.length <= 2) {
    return { kind: 'list', candidates: [...cands].sort((a, b) => popcount(b.mask) - popcount(a.mask)) };
  }
  let common = ~used;
  for (const c of cands) common &= c.mask;
  const run = longestRun(common);
  if (!run) return { kind: 'list', candidates: [...cands].sort((a, b) => popcount(b.mask) - popcount(a.mask)) };
  const runMask = (1 << run.width) - 1;
  const buckets: InsnDef[][] = Array.from({ length: 1 << run.width }, () => []);
  for (const c of cands) buckets[(c.match >>> run.lo) & runMask].push(c);
  const usedNow = used | (runMask << run.lo);
  return { kind: 'switch', lo: run.lo, mask: runMask, children: buckets.map((b) => build(b, usedNow)) };
}

export class Decoder {
  private readonly root: Node;
  constructor(readonly table: IsaTable) {
    this.root = build(table.insns, 0);
  }

  /** The instruction a word encodes, or null for a reserved instruction. */
  decode(word: number): InsnDef | null {
    let node = this.root;
    while (node.kind === 'switch') node = node.children[(word >>> node.lo) & node.mask];
    for (const c of node.candidates) if (((word & c.mask) >>> 0) === c.match) return c;
    return null;
  }
}
