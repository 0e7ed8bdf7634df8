// Bounded differential fuzzing in system mode (interpreter vs translator under three
// configurations, with a timer interrupt every 3..60 instructions): see test/fuzz/system-fuzz.ts.
import { describe, expect, it } from 'vitest';
import { executeSystem, fuzzSystem, generateSystemCase, compareSystem } from './fuzz/system-fuzz.js';

describe('differential fuzzing in system mode: interrupts and exceptions', () => {
  it('40 random programs interrupted by the timer end in identical states under every engine configuration', () => {
    const r = fuzzSystem({ cases: 40, seed: 0x5157, stopAfter: 3 });
    const msg = r.failures.map((f) => `seed ${f.seed} (${f.config}):\n  ${f.diffs.join('\n  ')}\n${f.listing}`).join('\n\n');
    expect(r.failures.length, msg).toBe(0);
    expect(r.interrupts).toBeGreaterThan(60); // the timer really interrupts these programs
  }, 120_000);

  it('the comparison sees a different interrupt point', () => {
    let seed = 1;
    while (executeSystem('interp', generateSystemCase(seed)).log[0] < 2) seed++;
    const c = generateSystemCase(seed);
    const a = executeSystem('interp', c);
    const b = executeSystem('interp', { ...c, period: c.period + 1 });
    expect(a.log[0]).toBeGreaterThan(0);
    expect(compareSystem(a, b)).not.toEqual([]);
  });
});
