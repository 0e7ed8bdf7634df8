// The interrupt controller: six level-triggered hardware lines, IP2..IP7 of CP0 Cause
// (MIPS "hardware interrupts 0..5"). Devices hold IrqLine handles and raise or lower them; the
// CPU reads pending() at instruction boundaries and never learns which device asserted a line.
//
// Two views for the CPU:
//  - pending(): the lines' levels, Cause-aligned (IP2 = 0x400 ... IP7 = 0x8000). A line stays
//    pending until the device deasserts it (the guest acknowledges at the device). This is the
//    MIPS32 model: Cause.IP7..IP2 are read-only and mirror the lines.
//  - latched(): SPIM's model, where Cause IP bits are latches that a device event sets
//    (RAISE_INTERRUPT), a device clear resets (CLEAR_INTERRUPT), and the guest may overwrite with
//    mtc0 (tt.io.s clears them by hand). A CPU emulating SPIM reads latched() into Cause.IP and
//    forwards mtc0 writes of Cause to writeLatched().

/** First and last hardware interrupt line (Cause.IP bit numbers). */
export const IP_MIN = 2;
export const IP_MAX = 7;
/** Cause bits of all hardware lines (IP2..IP7). */
export const CAUSE_HW_MASK = 0xfc00;

/** Cause bit for line `ip` (2..7): IP2 = 1 << 10 ... IP7 = 1 << 15. */
export function causeBit(ip: number): number {
  return 1 << (8 + ip);
}

export class IrqLine {
  private asserted = false;

  /** @internal created by InterruptController.connect */
  constructor(
    private readonly intc: InterruptController,
    readonly ip: number,
    readonly source: string,
  ) {}

  get level(): boolean {
    return this.asserted;
  }

  /** Asserts the line. Every call is a device "raise" event for the latched view, even if already high. */
  raise(): void {
    if (!this.asserted) {
      this.asserted = true;
      this.intc.adjust(this.ip, +1);
    }
    this.intc.latch(this.ip);
  }

  /** Deasserts the line; the latched bit clears too once no source holds the line. */
  lower(): void {
    if (this.asserted) {
      this.asserted = false;
      this.intc.adjust(this.ip, -1);
    }
    this.intc.unlatch(this.ip);
  }

  /** raise() or lower() on a change of level only. */
  set(level: boolean): void {
    if (level !== this.asserted) {
      if (level) this.raise();
      else this.lower();
    }
  }
}

export class InterruptController {
  private readonly counts = new Int32Array(8);
  private readonly lines: IrqLine[] = [];
  private pendingMask = 0;
  private latchedMask = 0;
  /** Called whenever pending() or latched() changes (possibly from inside a register access). */
  onChange: (() => void) | null = null;

  /** Attaches an interrupt source to hardware line `ip` (2..7); several sources may share a line. */
  connect(source: string, ip: number): IrqLine {
    if (!Number.isInteger(ip) || ip < IP_MIN || ip > IP_MAX) {
      throw new RangeError(`interrupt line for ${source} must be IP2..IP7, got ${ip}`);
    }
    const line = new IrqLine(this, ip, source);
    this.lines.push(line);
    return line;
  }

  /** Levels of IP2..IP7 as Cause bits (0x400..0x8000); 0 when no line is asserted. */
  pending(): number {
    return this.pendingMask;
  }

  /** SPIM-style latched Cause IP bits (see the file comment). */
  latched(): number {
    return this.latchedMask;
  }

  /** Replaces the latched bits (the guest wrote Cause with mtc0 under SPIM's model). */
  writeLatched(causeValue: number): void {
    const v = causeValue & CAUSE_HW_MASK;
    if (v !== this.latchedMask) {
      this.latchedMask = v;
      this.onChange?.();
    }
  }

  /** The sources and their levels, for reports and debugging. */
  sources(): { source: string; ip: number; level: boolean }[] {
    return this.lines.map((l) => ({ source: l.source, ip: l.ip, level: l.level }));
  }

  /** @internal */
  adjust(ip: number, delta: number): void {
    const c = (this.counts[ip] += delta);
    const bit = causeBit(ip);
    const next = c > 0 ? this.pendingMask | bit : this.pendingMask & ~bit;
    if (next !== this.pendingMask) {
      this.pendingMask = next;
      this.onChange?.();
    }
  }

  /** @internal */
  latch(ip: number): void {
    const next = this.latchedMask | causeBit(ip);
    if (next !== this.latchedMask) {
      this.latchedMask = next;
      this.onChange?.();
    }
  }

  /** @internal */
  unlatch(ip: number): void {
    if (this.counts[ip] > 0) return;
    const next = this.latchedMask & ~causeBit(ip);
    if (next !== this.latchedMask) {
      this.latchedMask = next;
      this.onChange?.();
    }
  }
}
