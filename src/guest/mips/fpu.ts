// CP1 (FPU) interpreter handlers. Filled in with the FPU instructions of the table.
import type { Machine } from '../../machine/machine.js';
import type { Handler } from './interp.js';

export function fpuHandlers(_m: Machine): Record<string, Handler> {
  return {};
}
