// End to end through the CLI: `asmbox run prog.s`, `asmbox asm`, listings, ELF output read back
// by `asmbox run`, `asmbox disasm` and (when installed) mips-linux-gnu-objdump.
// Needs the CLI built (`npm run build`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin/asmbox.js');
let dir = '';

function asmbox(args: string[], stdin = ''): { out: string; err: string; code: number | null } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, input: stdin, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'asmbox-asm-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HELLO = `# hello
        .data
msg:    .asciiz "Hello, world!\\n"
        .text
        .globl main
main:   li $v0, 4
        la $a0, msg
        syscall
        jr $ra
`;

describe('asmbox run prog.s', () => {
  it('assembles and runs hello world', () => {
    file('hello.s', HELLO);
    const r = asmbox(['run', 'hello.s']);
    expect(r.out).toBe('Hello, world!\n');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('runs loops and prints integers', () => {
    file('sum.s', `.text
main:   li $t0, 0
        li $t1, 1
loop:   bgt $t1, 100, done
        add $t0, $t0, $t1
        addi $t1, $t1, 1
        b loop
done:   move $a0, $t0
        li $v0, 1
        syscall
        li $v0, 10
        syscall
`);
    expect(asmbox(['run', '--engine', 'interp', 'sum.s']).out).toBe('5050');
  });

  it('reads input with read_int and read_string', () => {
    file('io.s', `.data
buf: .space 32
.text
main: li $v0, 5
  syscall
  sll $a0, $v0, 1
  li $v0, 1
  syscall
  li $v0, 8
  la $a0, buf
  li $a1, 32
  syscall
  li $v0, 4
  syscall
  li $v0, 10
  syscall
`);
    expect(asmbox(['run', 'io.s'], '21\nsome text\n').out).toBe('42some text\n');
  });

  it('sbrk: MARS heap at 0x10040000 by default, after the data with --compat spim', () => {
    file('heap.s', `.data
x: .word 1
.text
main: li $a0, 16
  li $v0, 9
  syscall
  move $t0, $v0
  li $t1, 77
  sw $t1, 12($t0)
  lw $a0, 12($t0)
  li $v0, 1
  syscall
  li $v0, 11
  li $a0, ' '
  syscall
  move $a0, $t0
  li $v0, 34
  syscall
  li $v0, 10
  syscall
`);
    expect(asmbox(['run', 'heap.s']).out).toBe('77 0x10040000');
    expect(asmbox(['run', '--compat', 'spim', 'heap.s']).out).toBe('77 0x10010008');
  });

  it('assembles several files together and passes guest arguments after --', () => {
    file('m.s', `.text
.globl main
main: addiu $sp, $sp, -8
  sw $ra, 0($sp)
  sw $a1, 4($sp)
  jal print_int_nl
  lw $a1, 4($sp)
  lw $a0, 4($a1)
  li $v0, 4
  syscall
  lw $ra, 0($sp)
  addiu $sp, $sp, 8
  jr $ra
loop: nop
`);
    file('lib.s', `.text
.globl print_int_nl
print_int_nl: li $v0, 1
  syscall
loop: li $a0, '\\n'
  li $v0, 11
  syscall
  jr $ra
`);
    const r = asmbox(['run', 'm.s', 'lib.s', '--', 'first', 'second']);
    expect(r.err).toBe('');
    expect(r.out).toBe('3\nfirst');
  });

  it('assembly errors: file:line:col, caret, exit code 65, nothing runs', () => {
    file('bad.s', '.text\nmain: li $t0, 5\n  addu $t0, $t0\n  lw $t1, nowhere\n  sycall\n');
    const r = asmbox(['run', 'bad.s']);
    expect(r.code).toBe(65);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      "bad.s:4:11: error: undefined label 'nowhere'\n" +
      '    4 |   lw $t1, nowhere\n' +
      '      |           ^~~~~~~\n' +
      "bad.s:5:3: error: unknown instruction 'sycall'; did you mean 'syscall'?\n" +
      '    5 |   sycall\n' +
      '      |   ^~~~~~\n' +
      '2 errors generated.\n',
    );
  });

  it('runtime faults point back at the source line', () => {
    file('bubble.s', '.text\nmain: li $t2, 3\n\n  lw $t3, 0($t2)\n  jr $ra\n');
    const r = asmbox(['run', 'bubble.s']);
    expect(r.code).toBe(120);
    expect(r.err).toMatch(/^asmbox: bubble\.s:4: address error on load from 0x00000003 \(lw \$t3, 0\(\$t2\)\)\n/);
  });

  it('a program that runs off the end of its code exits cleanly; --start picks the entry', () => {
    file('nomain.s', '.text\nli $a0, 7\nli $v0, 1\nsyscall\n');
    expect(asmbox(['run', 'nomain.s'])).toMatchObject({ out: '7', code: 0 });
    file('two.s', '.text\nfirst: li $a0, 1\nli $v0, 1\nsyscall\nmain: li $a0, 2\nli $v0, 1\nsyscall\njr $ra\n');
    expect(asmbox(['run', 'two.s']).out).toBe('2');
    expect(asmbox(['run', '--start', 'mars', 'two.s']).out).toBe('12');
    expect(asmbox(['run', '--help']).out).toMatch(/--start <mode>/);
  });
});

describe('asmbox asm', () => {
  it('writes an ELF that asmbox runs and disassembles', () => {
    file('hello.s', HELLO);
    expect(asmbox(['asm', 'hello.s', '-o', 'hello.elf']).code).toBe(0);
    const elf = readFileSync(join(dir, 'hello.elf'));
    expect([...elf.subarray(0, 6)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 1, 1]);
    expect(asmbox(['run', 'hello.elf'])).toMatchObject({ out: 'Hello, world!\n', code: 0 });
    const d = asmbox(['disasm', 'hello.elf']).out;
    expect(d).toMatch(/00400000 <main>:/);
    expect(d).toMatch(/400000:\t24020004 \tli\tv0,4/);
  });

  it('the ELF keeps the source line map for fault reports', () => {
    file('bubble.s', '.text\nmain: li $t2, 3\n\n  lw $t3, 0($t2)\n  jr $ra\n');
    asmbox(['asm', 'bubble.s', '-o', 'bubble.elf']);
    expect(asmbox(['run', 'bubble.elf']).err).toMatch(/^asmbox: bubble\.s:4: address error on load/);
  });

  it('big-endian programs', () => {
    file('hello.s', HELLO);
    expect(asmbox(['asm', '--endian', 'big', 'hello.s', '-o', 'be.elf']).code).toBe(0);
    expect(readFileSync(join(dir, 'be.elf'))[5]).toBe(2);
    expect(asmbox(['run', 'be.elf']).out).toBe('Hello, world!\n');
    expect(asmbox(['run', '--endian', 'big', 'hello.s']).out).toBe('Hello, world!\n');
  });

  it('--listing prints address, word, instruction and source line', () => {
    file('hello.s', HELLO);
    const r = asmbox(['asm', '--listing', 'hello.s']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Text segment \[0x00400000\.\.0x/);
    expect(r.out).toMatch(/\[0x00400000\]  0x24020004  addiu \$2,\$0,4 +; 6: main: +li \$v0, 4\n/);
    expect(r.out).toMatch(/\[0x00400004\]  0x3c041001  lui \$4,0x1001 +; 7: +la \$a0, msg\n\[0x00400008\]  0x34840000  ori \$4,\$4,0x0\n/);
    expect(r.out).toMatch(/Data segment \[0x10010000\.\.0x1001000f\)\n\[0x10010000\]  0x6c6c6548/);
    expect(existsSync(join(dir, 'hello.elf.tmp'))).toBe(false);
  });

  it('assembly errors exit with 65; unreadable files with 66', () => {
    file('bad.s', 'main: add $t0\n');
    expect(asmbox(['asm', 'bad.s', '-o', 'x.elf']).code).toBe(65);
    expect(asmbox(['asm', 'missing.s']).code).toBe(66);
  });

  const objdump = spawnSync('mips-linux-gnu-objdump', ['--version']).status === 0;
  it.skipIf(!objdump)('mips-linux-gnu-objdump reads the ELF: sections, symbols, code', () => {
    file('hello.s', HELLO);
    asmbox(['asm', 'hello.s', '-o', 'hello.elf']);
    const d = spawnSync('mips-linux-gnu-objdump', ['-d', '-t', join(dir, 'hello.elf')], { encoding: 'utf8' });
    expect(d.status).toBe(0);
    expect(d.stdout).toMatch(/file format elf32-tradlittlemips/);
    expect(d.stdout).toMatch(/00400000 g\s+\.text\s+00000000 main/);
    expect(d.stdout).toMatch(/10010000 l\s+\.data\s+00000000 msg/);
    expect(d.stdout).toMatch(/400000:\s+24020004\s+li\s+v0,4/);
    expect(d.stderr).toBe('');
  });
});
