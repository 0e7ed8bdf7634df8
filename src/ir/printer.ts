// Stable, readable text for IR ops (`-d op`, `-d op_opt`, golden tests).
//
//    ---- 00400018 next=$0x40001c
//    add t0, r8, $1
//    brcond ne r8, r9, L0
//    goto_tb 0x00400018
//
// Constants print as `$n` (decimal when small, else unsigned hex), temps as tN, globals by name.
import type { IrBlock, Op, Value } from './ir.js';

export function formatValue(v: Value): string {
  switch (v.kind) {
    case 'temp': return `t${v.id}`;
    case 'global': return v.name;
    case 'const': {
      const n = v.value;
      return n > -4096 && n < 4096 ? `$${n}` : `$0x${(n >>> 0).toString(16)}`;
    }
  }
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

export function formatOp(op: Op): string {
  const v = formatValue;
  switch (op.op) {
    case 'insn_start':
      return ` ---- ${hex8(op.pc)} next=${v(op.next)}${op.flags & 1 ? ' ds' : ''}`;
    case 'mov': case 'not': case 'neg': case 'clz':
      return ` ${op.op} ${v(op.d)}, ${v(op.a)}`;
    case 'setcond':
      return ` setcond ${op.cond} ${v(op.d)}, ${v(op.a)}, ${v(op.b)}`;
    case 'movcond':
      return ` movcond ${op.cond} ${v(op.d)}, ${v(op.a)}, ${v(op.b)}, ${v(op.t)}, ${v(op.f)}`;
    case 'extract': case 'sextract':
      return ` ${op.op} ${v(op.d)}, ${v(op.a)}, ${op.ofs}, ${op.len}`;
    case 'deposit':
      return ` deposit ${v(op.d)}, ${v(op.a)}, ${v(op.b)}, ${op.ofs}, ${op.len}`;
    case 'ld':
      return ` ld${op.size * 8}${op.size === 4 ? '' : op.signed ? 's' : 'u'} ${v(op.d)}, [${v(op.addr)}]`;
    case 'st':
      return ` st${op.size * 8} [${v(op.addr)}], ${v(op.val)}`;
    case 'label':
      return `L${op.label}:`;
    case 'br':
      return ` br L${op.label}`;
    case 'brcond':
      return ` brcond ${op.cond} ${v(op.a)}, ${v(op.b)}, L${op.label}`;
    case 'insn_count':
      return ` insn_count ${v(op.d)}`;
    case 'call':
      return ` call ${op.d ? v(op.d) + ' = ' : ''}${op.helper.name}(${op.args.map(v).join(', ')})`;
    case 'raise':
      return ` raise ${op.code}${op.arg ? ', ' + v(op.arg) : ''}`;
    case 'goto_tb':
      return ` goto_tb 0x${hex8(op.pc)}`;
    case 'goto_ptr':
      return ` goto_ptr ${v(op.a)}`;
    case 'exit_env':
      return ' exit_env';
    default:
      return ` ${op.op} ${v(op.d)}, ${v(op.a)}, ${v(op.b)}`;
  }
}

export function formatOps(ops: Op[]): string {
  return ops.map(formatOp).join('\n') + '\n';
}

export function formatBlock(b: IrBlock): string {
  return `IR block 0x${hex8(b.pc)} (${b.ninsns} insns)\n${formatOps(b.ops)}`;
}
