// Guest exceptions (architectural, precise) and the other reasons a run stops.

/** MIPS Cause.ExcCode values. */
export enum ExcCode {
  Int = 0, Mod = 1, TLBL = 2, TLBS = 3, AdEL = 4, AdES = 5, IBE = 6, DBE = 7,
  Sys = 8, Bp = 9, RI = 10, CpU = 11, Ov = 12, Tr = 13, FPE = 15,
}

export const EXC_DESCRIPTIONS: Record<number, string> = {
  [ExcCode.Int]: 'interrupt',
  [ExcCode.Mod]: 'TLB modification',
  [ExcCode.TLBL]: 'TLB miss on load or fetch',
  [ExcCode.TLBS]: 'TLB miss on store',
  [ExcCode.AdEL]: 'address error on load or instruction fetch',
  [ExcCode.AdES]: 'address error on store',
  [ExcCode.IBE]: 'bus error on instruction fetch (unmapped address)',
  [ExcCode.DBE]: 'bus error on data access (unmapped address)',
  [ExcCode.Sys]: 'syscall',
  [ExcCode.Bp]: 'breakpoint',
  [ExcCode.RI]: 'reserved instruction',
  [ExcCode.CpU]: 'coprocessor unusable',
  [ExcCode.Ov]: 'arithmetic overflow',
  [ExcCode.Tr]: 'trap',
  [ExcCode.FPE]: 'floating-point exception',
};

/** Thrown by memory and instruction semantics; the run loop turns it into a precise fault. */
export class GuestException {
  constructor(
    readonly code: ExcCode,
    readonly badVAddr?: number,
    readonly detail?: string,
  ) {}
}

export type StopKind =
  | 'exit' // the guest asked to exit
  | 'fault' // an unhandled guest exception
  | 'insn-limit' // --max-insns reached
  | 'timeout' // --timeout reached
  | 'memory' // guest memory cap exhausted
  | 'output-limit' // guest printed more than allowed
  | 'halt'; // system-mode power-off

/** Thrown to end a run from anywhere inside it (syscalls, memory, devices). */
export class StopRun {
  constructor(
    readonly kind: StopKind,
    readonly exitCode: number = 0,
    readonly message?: string,
  ) {}
}
