// Golden tests: the IR (before and after optimization) and the generated JS of a few small
// blocks. Regenerate with `npx vitest run test/jit-golden.test.ts -u` and review the diff.
import { describe, expect, it } from 'vitest';
import { makeMachine, TEXT_BASE, type ProgramSetup } from './helpers/machine.js';
import { formatBlock, optimize } from '../src/ir/index.js';
import { generateRegion } from '../src/jit/codegen.js';
import { MipsFrontend, mipsCodegenTarget } from '../src/jit/mips.js';

function golden(code: string[], setup: ProgramSetup = {}): string {
  const m = makeMachine(code, setup);
  const fe = new MipsFrontend(m);
  const blk = fe.translateBlock(TEXT_BASE);
  if (!blk) throw new Error('no block');
  const opt = { ...blk, ops: optimize(blk.ops) };
  const js = generateRegion([opt], mipsCodegenTarget(fe), { name: 'golden' }).source;
  return `${code.join('\n')}\n\n--- op\n${formatBlock(blk)}\n--- op_opt\n${formatBlock(opt)}\n--- out_js\n${js}`;
}

const CASES: Record<string, { code: string[]; setup?: ProgramSetup }> = {
  // a counted loop body: constant folding, copy propagation, a self-loop in JS
  'alu-loop': { code: ['addiu $8, $8, 1', 'xor $10, $10, $8', 'sll $11, $10, 3', 'addu $10, $10, $11', 'bne $8, $9, -5', 'addiu $10, $10, 7'] },
  // loads and stores (big-endian lanes), an overflow trap, a fault in a delay slot
  'memory-be': { code: ['lw $8, 4($29)', 'lbu $9, 3($8)', 'sh $9, -2($29)', 'add $10, $8, $9', 'beq $10, $0, 3', 'sw $10, 0($8)'] },
  'memory-le': { code: ['lb $9, 1($8)', 'lhu $10, 2($8)', 'sb $10, 0($8)', 'jr $31', 'lwl $11, 5($8)'], setup: { bigEndian: false } },
  // likely branch (slot annulled when not taken), link, constants folded away
  'likely-link': { code: ['lui $8, 0x1001', 'ori $8, $8, 0x20', 'addiu $9, $8, 4', 'bgezall $9, 4', 'mult $8, $9'] },
  // a syscall ends the block through the interpreter's handler
  'syscall': { code: ['addiu $2, $0, 4001', 'move $4, $16', 'syscall'] },
  // no delay slots (SPIM mode): the branch decides at once
  'no-delay-slots': { code: ['slt $8, $9, $10', 'div $9, $10', 'beq $8, $0, -3'], setup: { delaySlots: false } },
};

describe('translator golden output', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, async () => {
      await expect(golden(c.code, c.setup)).toMatchFileSnapshot(`./fixtures/jit/${name}.txt`);
    });
  }
});
