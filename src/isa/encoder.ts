// Encodes instructions from field values using the instruction table (assembler, tests).
import type { InsnDef } from './table.js';

export class EncodeError extends Error {}

/**
 * Builds the word for `def` from field values. Signed fields (imm, off, broff) accept
 * negative values; every value must fit its field.
 */
export function encodeFields(def: InsnDef, values: Record<string, number>): number {
  let word = def.match;
  for (const f of def.fields) {
    const v = values[f.name] ?? 0;
    const limit = 2 ** f.width;
    const signed = f.name === 'imm' || f.name === 'off' || f.name === 'broff';
    const ok = signed ? v >= -(limit / 2) && v < limit : v >= 0 && v < limit;
    if (!Number.isInteger(v) || !ok) {
      throw new EncodeError(`${def.name}: value ${v} does not fit the ${f.width}-bit field '${f.name}'`);
    }
    word |= (v & (limit - 1)) << f.lo;
  }
  return word >>> 0;
}
