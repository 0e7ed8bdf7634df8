// `asmbox run` outcomes and their exit codes, through the built CLI (needs `npm run build`):
// limits (--max-insns 121, --timeout 124, --memory-cap 122, --max-output 123), guest faults
// (120), guest exit codes, --stats, and usage / bad-input errors. Programs are raw images made
// from a few instructions (SPIM environment, no delay slots).
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asm } from './helpers/machine.js';
import { EXIT } from '../src/cli/exit-codes.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin/asmbox.js');
const built = existsSync(join(ROOT, 'dist/cli/main.js'));
const tmp = mkdtempSync(join(tmpdir(), 'asmbox-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A big-endian raw image of `lines`, loaded at 0x400000. */
function rawProgram(name: string, lines: string[]): string {
  const bytes = Buffer.alloc(lines.length * 4);
  lines.forEach((l, i) => bytes.writeUInt32BE(asm(l), i * 4));
  const file = join(tmp, name);
  writeFileSync(file, bytes);
  return file;
}
const RAW = ['--raw', '0x400000', '--endian', 'big'];

function asmbox(args: string[], input = '') {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'latin1', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

const LOOP = ['addiu $t0, $t0, 1', 'b -2']; // forever (no delay slots)
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .*:\d+:\d+/);

describe.skipIf(!built)('asmbox run: limits and outcomes', () => {
  for (const engine of ['interp', 'jit']) {
    it(`--max-insns stops an infinite loop with exit code 121 (${engine})`, () => {
      const r = asmbox(['run', ...RAW, '--engine', engine, '--max-insns', '1000', '--stats', rawProgram(`loop-${engine}`, LOOP)]);
      expect(r.status).toBe(EXIT.insnLimit);
      expect(r.status).toBe(121);
      expect(r.stderr).toMatch(/instruction limit reached \(1000 instructions, --max-insns\)/);
      expect(r.stderr).toMatch(new RegExp(`asmbox: 1000 instructions in [\\d.]+ ms \\([\\d.]+ MIPS, engine ${engine}\\)`));
      noStack(r.stderr);
    });
    it(`--timeout stops an infinite loop with exit code 124 (${engine})`, () => {
      const r = asmbox(['run', ...RAW, '--engine', engine, '--timeout', '0.5', rawProgram(`loop2-${engine}`, LOOP)]);
      expect(r.status).toBe(EXIT.timeout);
      expect(r.status).toBe(124);
      expect(r.stderr).toMatch(/time limit reached \(0\.5 s, --timeout\)/);
      expect(r.ms).toBeLessThan(20_000);
      noStack(r.stderr);
    });
  }

  it('--stats reports the exact instruction count of a program that exits', () => {
    const r = asmbox(['run', ...RAW, '--stats', rawProgram('count', ['addiu $t1, $0, 100', 'addiu $t1, $t1, -1', 'bnez $t1, -2', 'addiu $v0, $0, 10', 'syscall'])]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^asmbox: 203 instructions in [\d.]+ ms \([\d.]+ MIPS, engine jit\)\n$/);
  });

  it('a guest fault in the SPIM environment exits with 120 and a precise report', () => {
    const r = asmbox(['run', ...RAW, rawProgram('fault', ['addiu $t0, $0, 0x1001', 'nop', 'lw $t1, 2($t0)', 'syscall'])]);
    expect(r.status).toBe(EXIT.guestFault);
    expect(r.status).toBe(120);
    expect(r.stderr).toMatch(/address error on load or instruction fetch \(AdEL/);
    expect(r.stderr).toMatch(/at pc 0x00400008/);
    expect(r.stderr).toMatch(/lw\s+t1,2\(t0\)/);
    expect(r.stderr).toMatch(/BadVAddr 0x00001003/);
    noStack(r.stderr);
  });
  it('overflow, trap, break and a reserved instruction are guest faults too', () => {
    for (const [name, line, what] of [
      ['ov', 'add $t2, $t1, $t1', /arithmetic overflow/],
      ['tr', 'teq $0, $0', /\btrap\b/],
      ['bp', 'break', /breakpoint/],
      ['ri', 0xfc000000, /reserved instruction/],
    ] as const) {
      const words = ['lui $t1, 0x7fff', typeof line === 'number' ? 'nop' : line, 'syscall'];
      const file = rawProgram(name, words);
      if (typeof line === 'number') {
        const b = Buffer.alloc(12);
        b.writeUInt32BE(asm(words[0]), 0); b.writeUInt32BE(line, 4); b.writeUInt32BE(asm('syscall'), 8);
        writeFileSync(file, b);
      }
      const r = asmbox(['run', ...RAW, file]);
      expect(r.status, name).toBe(120);
      expect(r.stderr, name).toMatch(what);
      expect(r.stderr, name).toMatch(/at pc 0x00400004/);
    }
  });
  it('the guest exit code passes through (exit2 300 -> 44; exit -> 0)', () => {
    expect(asmbox(['run', ...RAW, rawProgram('exit2', ['addiu $a0, $0, 300', 'addiu $v0, $0, 17', 'syscall'])]).status).toBe(44);
    expect(asmbox(['run', ...RAW, rawProgram('exit0', ['addiu $a0, $0, 3', 'addiu $v0, $0, 10', 'syscall'])]).status).toBe(0);
  });
  it('--max-output stops a chatty program with 123 after exactly that many bytes', () => {
    const r = asmbox(['run', ...RAW, '--max-output', '100', rawProgram('chatty', ['addiu $a0, $0, 0x41', 'addiu $v0, $0, 11', 'syscall', 'b -2'])]);
    expect(r.status).toBe(EXIT.outputLimit);
    expect(r.stdout).toBe('A'.repeat(100));
    expect(r.stderr).toMatch(/--max-output/);
  });
  it('--memory-cap stops a program that touches too much memory with 122', () => {
    const r = asmbox(['run', ...RAW, '--memory-cap', '1', rawProgram('hog', [
      'lui $a0, 0x40', 'addiu $v0, $0, 9', 'syscall', // sbrk 4 MiB
      'sw $v0, 0($v0)', 'addiu $v0, $v0, 4096', 'b -3', 'syscall',
    ])]);
    expect(r.status).toBe(EXIT.memoryExhausted);
    expect(r.stderr).toMatch(/guest memory exhausted: the cap is 1 MiB \(--memory-cap\)/);
  });
  it('stdin comes from the terminal/pipe or from --stdin FILE', () => {
    const prog = rawProgram('echoint', ['addiu $v0, $0, 5', 'syscall', 'move $a0, $v0', 'addiu $v0, $0, 1', 'syscall', 'addiu $v0, $0, 10', 'syscall']);
    expect(asmbox(['run', ...RAW, prog], '41\n').stdout).toBe('41');
    const inFile = join(tmp, 'in.txt');
    writeFileSync(inFile, '-7\n');
    expect(asmbox(['run', ...RAW, '--stdin', inFile, prog]).stdout).toBe('-7');
  });
});

describe.skipIf(!built)('asmbox run: usage and input errors', () => {
  const prog = () => rawProgram('ok', ['addiu $v0, $0, 10', 'syscall']);
  const cases: [string, string[], number, RegExp][] = [
    ['--stdin of a missing file', ['--stdin', '/nonexistent/in.txt'], EXIT.badInput, /--stdin \/nonexistent\/in.txt: cannot open/],
    ['--fs-write without --fs-root', ['--fs-write'], EXIT.usage, /--fs-write needs --fs-root/],
    ['--fs-root that is not a directory', ['--fs-root', '/nonexistent/dir'], EXIT.usage, /--fs-root \/nonexistent\/dir: not a directory/],
    ['a bad --max-insns', ['--max-insns', 'lots'], EXIT.usage, /--max-insns must be an integer/],
    ['a bad --engine', ['--engine', 'fast'], EXIT.usage, /engine must be one of interp, jit/],
    ['a bad --timeout', ['--timeout', '-1'], EXIT.usage, /seconds must be a positive number/],
  ];
  for (const [name, args, code, message] of cases) {
    it(`${name}: exit ${code}`, () => {
      const r = asmbox(['run', ...RAW, ...args, prog()]);
      expect(r.status).toBe(code);
      expect(r.stderr).toMatch(message);
      noStack(r.stderr);
    });
  }
  it('an unknown option is a usage error', () => {
    const r = asmbox(['run', '--frobnicate', prog()]);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });
  it('a raw image at a misaligned base is bad input', () => {
    const r = asmbox(['run', '--raw', '0x400002', prog()]);
    expect(r.status).toBe(EXIT.badInput);
    expect(r.stderr).toMatch(/not word aligned/);
  });
});

describe.skipIf(!built)('asmbox boot and bench --boot', () => {
  it('boot without a ROM runs the built kernel demo (what npm start shows)', () => {
    expect(existsSync(join(ROOT, 'roms/build/kernel.elf'))).toBe(true); // made by npm run build
    const r = asmbox(['boot']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^asmbox kernel: 3 user tasks/);
    expect(r.stdout).toMatch(/\[B\] fib\(24\) = 46368 {2}\(tick \d+\)\n/);
    expect(r.stdout).toMatch(/all tasks done after \d+ timer interrupts, power off\n$/);
  });
  it('boots an ELF ROM image as its source boots', () => {
    const elf = join(tmp, 'hello.elf');
    expect(asmbox(['asm', '--delay-slots', '--start', 'mars', join(ROOT, 'roms/hello.s'), '-o', elf]).status).toBe(0);
    const fromElf = asmbox(['boot', elf]), fromSource = asmbox(['boot', join(ROOT, 'roms/hello.s')]);
    expect(fromElf.status).toBe(0);
    expect(fromElf.stdout).toBe('Hello from the asmbox ROM!\n');
    expect(fromSource.stdout).toBe(fromElf.stdout);
  });
  it('a malformed ELF ROM is refused with what is wrong (exit 66)', () => {
    const bad = join(tmp, 'bad.elf');
    writeFileSync(bad, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]), Buffer.alloc(20)]));
    const r = asmbox(['boot', bad]);
    expect(r.status).toBe(EXIT.badInput);
    expect(r.stderr).toMatch(/asmbox: error: .*bad\.elf: /);
    noStack(r.stderr);
  });
  it('bench --boot runs a ROM under both engines and reports interrupts', () => {
    const r = asmbox(['bench', '--boot', join(ROOT, 'roms/kernel.s')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/speedup [\d.]+x/);
    expect(r.stdout).toMatch(/system mode: (\d+) interrupts and 61 other exceptions taken/);
    expect(r.stdout).toMatch(/outputs match \(stdout \d+ bytes, exit halt 0\)/);
  });
});

describe.skipIf(!built)('asmbox bench --against: a reference emulator side by side', () => {
  // the reference here is asmbox's own interpreter behind a script (CI has no qemu-user); the
  // Linux benchmark runs the same option with qemu-mips
  const hello = join(ROOT, 'test/fixtures/linux/bin/be/hello');
  const script = (name: string, body: string) => {
    const f = join(tmp, name);
    writeFileSync(f, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return f;
  };
  it('times both whole processes, reports the ratio and checks the outputs agree', () => {
    const ref = script('ref-interp.sh', `exec "${process.execPath}" "${CLI}" run --engine interp "$@"`);
    const r = asmbox(['bench', '--against', ref, '--repeat', '2', hello]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/whole processes side by side, wall time, best of 2/);
    expect(r.stdout).toMatch(/ref-interp\.sh +\d+\.\d{3} s/);
    expect(r.stdout).toMatch(/asmbox run \(jit\) +\d+\.\d{3} s +\d+\.\d\dx the reference/);
    expect(r.stdout).toMatch(/outputs match \(stdout \d+ bytes, exit 0\)/);
    const j = JSON.parse(asmbox(['bench', '--against', ref, '--json', hello]).stdout);
    expect(j.same).toBe(true);
    expect(j.ratio).toBeCloseTo(j.asmboxRun.seconds / j.referenceRun.seconds, 6);
  });
  it('a reference that prints something else is a mismatch (exit 1)', () => {
    const r = asmbox(['bench', '--against', script('ref-other.sh', 'echo other'), hello]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/MISMATCH: .*ref-other\.sh exit 0, stdout "other\\n"/);
    // a reference killed by a signal counts as the shell does: 128 + the signal (SIGABRT 6)
    const killed = asmbox(['bench', '--against', script('ref-abort.sh', 'kill -ABRT $$'), hello]);
    expect(killed.status).toBe(1);
    expect(killed.stdout).toMatch(/MISMATCH: .*ref-abort\.sh exit 134,/);
  });
  it('a missing reference command, an assembly source or --boot is a usage error', () => {
    const missing = asmbox(['bench', '--against', join(tmp, 'no-such-emulator'), hello]);
    expect(missing.status).toBe(EXIT.usage);
    expect(missing.stderr).toMatch(/cannot run .*no-such-emulator: ENOENT/);
    const src = asmbox(['bench', '--against', 'qemu-mips', join(ROOT, 'bench/programs/fib.s')]);
    expect(src.status).toBe(EXIT.usage);
    expect(src.stderr).toMatch(/--against needs an ELF executable/);
    expect(asmbox(['bench', '--against', 'qemu-mips', '--boot', join(ROOT, 'roms/kernel.s')]).status).toBe(EXIT.usage);
  });
});

describe.skipIf(!built)('asmbox boot: untrusted ROMs', () => {
  const flood = join(tmp, 'flood.s');
  writeFileSync(flood, '\t.ktext 0xbfc00000\n\tlui $s0, 0xbf00\nloop:\tlw $t0, 8($s0)\n\tandi $t0, $t0, 1\n\tbeq $t0, $zero, loop\n\tnop\n\tli $t1, 65\n\tb loop\n\tsw $t1, 12($s0)\n');
  it('a ROM printing forever stops at --max-output (exit 123), at --timeout (124) and at --max-insns (121)', () => {
    const out = asmbox(['boot', flood, '--max-output', '1000']);
    expect(out.status).toBe(EXIT.outputLimit);
    expect(out.stdout.length).toBe(1000);
    expect(out.stderr).toMatch(/guest output exceeded the limit of 1000 bytes \(--max-output\)/);
    const t = asmbox(['boot', flood, '--timeout', '0.3']);
    expect(t.status).toBe(EXIT.timeout);
    const n = asmbox(['boot', flood, '--max-insns', '100000']);
    expect(n.status).toBe(EXIT.insnLimit);
    for (const r of [out, t, n]) noStack(r.stderr);
  });
});
