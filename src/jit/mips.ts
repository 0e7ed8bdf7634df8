// Binds the translator engine to the MIPS frontend, runtime and interpreter.
import { Jit, type JitGuest, type JitOptions } from './jit.js';
import type { CodegenTarget } from './codegen.js';
import { MipsFrontend } from '../guest/mips/frontend.js';
import { MipsJitRuntime, SMC_EXIT, disasmLine, formatCpu } from '../guest/mips/frontend-runtime.js';
import { handlersByName, interpret, type Handler } from '../guest/mips/interp.js';
import { mipsDecoder } from '../guest/mips/disasm.js';
import type { Machine } from '../machine/machine.js';

export function createMipsJit(m: Machine, handlers: Handler[], opts: JitOptions = {}): Jit {
  const fe = new MipsFrontend(m, { cacheRegs: opts.cacheRegs, overridden: overriddenHandlers(m, handlers) });
  const rt = new MipsJitRuntime(m, handlers);
  const cpu = m.cpu;
  const guest: JitGuest = {
    modeNow: () => fe.modeNow(),
    bigEndian: fe.bigEndian,
    bindings: fe.bindings,
    entryPc: () => (cpu.npc === ((cpu.pc + 4) >>> 0) ? cpu.pc : -1),
    interpret: (n) => interpret(m, handlers, n),
    translateBlock: (pc) => fe.translateBlock(pc),
    blockLength: (pc) => fe.blockLength(pc),
    readable: (pc) => fe.peek(pc) !== null,
    setPc: mipsSetPc,
    disasm: disasmLine,
    formatCpu: (pc) => formatCpu(m, pc),
    runtime: rt,
    cpuObject: cpu,
    regs: cpu.r,
    smcExit: SMC_EXIT,
    extraArgs: { F: cpu.fw },
  };
  return new Jit(m, guest, opts);
}

/**
 * Names of instructions whose handler in `handlers` is not the plain MIPS32 one (the
 * interpreter installs mode-dependent overrides, e.g. for SPIM compatibility): compared by
 * source text against handlers built for the same machine without CP0 control.
 */
export function overriddenHandlers(m: Machine, handlers: Handler[]): Set<string> {
  const out = new Set<string>();
  if (!m.sys) return out;
  const plain = handlersByName(Object.assign(Object.create(Object.getPrototypeOf(m) as object) as Machine, m, { sys: null }));
  for (const def of mipsDecoder().table.insns) {
    const h = handlers[def.id], p = plain[def.name];
    if (h && p && h.toString() !== p.toString()) out.add(def.name);
  }
  return out;
}

/** MIPS: the next pc also sets npc (no pending delay slot after an exit). */
export const mipsSetPc = (x: string) => `C.pc = ${x} >>> 0; C.npc = (${x} + 4) >>> 0;`;

/** The codegen target for a MIPS frontend (golden tests, tools). */
export function mipsCodegenTarget(fe: MipsFrontend): CodegenTarget {
  return { bindings: fe.bindings, bigEndian: fe.bigEndian, setPc: mipsSetPc };
}

export { MipsFrontend };
