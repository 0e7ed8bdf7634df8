// CP1 (FPU) interpreter handlers. Filled in with the FPU instructions of the table.
import type { Machine } from '../../machine/machine.js';
import { ExcCode, GuestException } from '../../machine/exceptions.js';
import { mips32Table } from '../../isa/table.js';
import type { Handler } from './interp.js';

export function fpuHandlers(_m: Machine): Record<string, Handler> {
  const h: Record<string, Handler> = {};
  // Until each CP1 instruction has its semantics: a reserved-instruction exception.
  for (const def of mips32Table().insns) {
    if (def.flags.has('cp1') && def.name !== 'movf' && def.name !== 'movt') {
      h[def.name] = () => { throw new GuestException(ExcCode.RI); };
    }
  }
  return h;
}
