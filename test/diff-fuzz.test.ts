// Bounded differential fuzzing (interpreter vs translator at threshold 0): 300 random programs
// from a fixed seed. `npm run fuzz -- --cases N --seed S` runs more.
import { describe, it, expect } from 'vitest';
import { fuzz, generate, diverges, listing } from './fuzz/diff-fuzz.js';

describe('differential fuzzing: interp vs jit', () => {
  it('300 random programs (seed 0x5eed) end in identical states', () => {
    const r = fuzz({ cases: 300, seed: 0x5eed, stopAfter: 3 });
    const msg = r.failures.map((f) => `seed ${f.seed}:\n  ${f.diffs.join('\n  ')}\n${f.listing}`).join('\n\n');
    expect(r.cases).toBe(300);
    expect(r.failures.length, msg).toBe(0);
  }, 60_000);

  it('the generator is deterministic and the comparison sees differences', () => {
    const a = generate(42), b = generate(42);
    expect(listing(a)).toBe(listing(b));
    expect(diverges(a)).toEqual([]);
  });
});
