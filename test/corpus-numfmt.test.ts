// How print_float / print_double render values: SPIM's C printf (%.8f, %.18g) and MARS's Java
// Float/Double.toString, against test/fixtures/corpus/numfmt.json (C forms from correctly
// rounded printf, Java forms from a JVM; see tools/numfmt-fixture.py).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { javaToString, printfF, printfG } from '../src/env/numfmt.js';

interface Entry { kind: 'f' | 'd'; bits: string; spim: string; mars?: string }
const entries: Entry[] = JSON.parse(readFileSync(new URL('./fixtures/corpus/numfmt.json', import.meta.url), 'utf8'));

function value(e: Entry): number {
  const dv = new DataView(new ArrayBuffer(8));
  if (e.kind === 'f') {
    dv.setUint32(0, parseInt(e.bits, 16));
    return dv.getFloat32(0);
  }
  dv.setBigUint64(0, BigInt('0x' + e.bits));
  return dv.getFloat64(0);
}

describe('numfmt', () => {
  it.each(entries.map((e) => [e.kind, e.bits, e.spim, e] as const))('%s %s: SPIM prints %s', (kind, _b, spim, e) => {
    const x = value(e);
    expect(kind === 'f' ? printfF(x, 8) : printfG(x, 18)).toBe(spim);
  });
  const withMars = entries.filter((e) => e.mars !== undefined);
  it.each(withMars.map((e) => [e.kind, e.bits, e.mars!, e] as const))('%s %s: MARS prints %s', (kind, _b, mars, e) => {
    expect(javaToString(value(e), kind === 'f')).toBe(mars);
  });
  it('prints the shortest float digits, ties to the even digit (JDK 19+)', () => {
    expect(javaToString(Math.fround(20398.0625), true)).toBe('20398.062');
    expect(javaToString(Math.fround(2.2032602e17), true)).toBe('2.2032602E17');
    expect(javaToString(1e23, false)).toBe('1.0E23');
  });
});
