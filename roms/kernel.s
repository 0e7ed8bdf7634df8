# A tiny preemptive kernel ROM (what `npm start` and `asmbox boot` run): the interval timer
# interrupts every 10,000 instructions and the kernel switches round-robin between three user-mode
# tasks. Each task computes something different and prints a line per result through the
# `syscall` interface; each line ends with the timer tick it was printed at, so the interleaving
# shows the preemption. When every task has exited the kernel powers off.
#
#   asmbox boot                      (the built image, roms/build/kernel.elf)
#   asmbox boot roms/kernel.s --engine interp --stats
#
# Syscalls (v0 = number, a0 = argument; v0 holds the result on return):
#   1 print_int(a0)   4 print_string(a0, a user address)   11 print_char(a0)
#   10 exit           30 ticks: v0 = timer interrupts so far   anything else: v0 = -1
# A task that raises any other exception (or passes a kernel address) is killed with a message.
#
# Memory: the tasks' code is copied from ROM to RAM at physical 0x10000 (user address 0x00010000)
# and their strings to 0x20000; stacks grow down from 0x30000, 0x2f000, 0x2e000. The kernel keeps
# its data in kseg0: 0x80001000 current TCB pointer, 0x80001004 tick count, 0x80001020 a number
# buffer, 0x80001100 + 0x100*i TCB i (saved $1..$31 at 4*n, EPC at 128, alive flag at 132).
# BEV stays set, so exceptions vector to 0xBFC00380 in ROM.
	.set noat
	.ktext 0xbfc00000
reset:
	j     kmain
	nop

	.ktext 0xbfc00380
exc_vector:
	lui   $k0, 0x8000
	lw    $k0, 0x1000($k0)     # current TCB
	sw    $1, 4($k0)
	sw    $2, 8($k0)
	sw    $3, 12($k0)
	sw    $4, 16($k0)
	sw    $5, 20($k0)
	sw    $6, 24($k0)
	sw    $7, 28($k0)
	sw    $8, 32($k0)
	sw    $9, 36($k0)
	sw    $10, 40($k0)
	sw    $11, 44($k0)
	sw    $12, 48($k0)
	sw    $13, 52($k0)
	sw    $14, 56($k0)
	sw    $15, 60($k0)
	sw    $16, 64($k0)
	sw    $17, 68($k0)
	sw    $18, 72($k0)
	sw    $19, 76($k0)
	sw    $20, 80($k0)
	sw    $21, 84($k0)
	sw    $22, 88($k0)
	sw    $23, 92($k0)
	sw    $24, 96($k0)
	sw    $25, 100($k0)
	sw    $28, 112($k0)
	sw    $29, 116($k0)
	sw    $30, 120($k0)
	sw    $31, 124($k0)
	mfc0  $k1, $14             # EPC
	sw    $k1, 128($k0)
	mfc0  $t0, $13             # Cause
	srl   $t1, $t0, 2
	andi  $t1, $t1, 0x1f       # ExcCode
	beq   $t1, $zero, irq
	nop
	li    $t2, 8
	beq   $t1, $t2, sys
	nop
	# any other exception: report it and kill the task
	la    $a0, faultmsg
	jal   puts
	nop
	mfc0  $a0, $13
	srl   $a0, $a0, 2
	jal   putint               # the exception code
	andi  $a0, $a0, 0x1f       # (delay slot)
	la    $a0, killmsg
	jal   puts
	nop
	j     kill
	nop

sys:
	lw    $t3, 128($k0)        # resume after the syscall
	addiu $t3, $t3, 4
	sw    $t3, 128($k0)
	lw    $t4, 8($k0)          # the task's v0
	lw    $a0, 16($k0)         # the task's a0
	li    $t2, 10
	beq   $t4, $t2, kill
	nop
	li    $t2, 4
	beq   $t4, $t2, sys_puts
	nop
	li    $t2, 1
	beq   $t4, $t2, sys_putint
	nop
	li    $t2, 11
	beq   $t4, $t2, sys_putc
	nop
	li    $t2, 30
	beq   $t4, $t2, sys_ticks
	nop
	li    $t2, -1              # unknown syscall: v0 = -1
	j     resume
	sw    $t2, 8($k0)
sys_puts:
	bltz  $a0, sys_badaddr     # a kernel address: the task may not read it
	nop
	jal   puts
	nop
	j     resume
	nop
sys_badaddr:
	la    $a0, badaddrmsg
	jal   puts
	nop
	j     kill
	nop
sys_putint:
	jal   putint
	nop
	j     resume
	nop
sys_putc:
	jal   putc
	nop
	j     resume
	nop
sys_ticks:
	lui   $t0, 0x8000
	lw    $t1, 0x1004($t0)
	j     resume
	sw    $t1, 8($k0)          # (delay slot) the task's v0

kill:
	sw    $zero, 132($k0)      # not alive
	j     schedule
	nop

irq:
	lui   $t0, 0xbf00
	sw    $zero, 0x10c($t0)    # acknowledge the interval timer
	lui   $t1, 0x8000
	lw    $t2, 0x1004($t1)     # one more tick
	addiu $t2, $t2, 1
	sw    $t2, 0x1004($t1)
schedule:
	# next alive task after the current one, round robin over 3
	lui   $t5, 0x8000
	lw    $t6, 0x1000($t5)     # current TCB
	li    $t7, 3
next:
	addiu $t6, $t6, 0x100
	lui   $t8, 0x8000
	ori   $t8, $t8, 0x1400     # past the last TCB?
	bne   $t6, $t8, sch_wrap
	nop
	lui   $t6, 0x8000
	ori   $t6, $t6, 0x1100
sch_wrap:	lw    $t9, 132($t6)
	bne   $t9, $zero, found
	nop
	addiu $t7, $t7, -1
	bne   $t7, $zero, next
	nop
	# nobody left: report and power off
	la    $a0, byemsg
	jal   puts
	nop
	lui   $t0, 0x8000
	jal   putint
	lw    $a0, 0x1004($t0)     # (delay slot) ticks
	la    $a0, byemsg2
	jal   puts
	nop
	lui   $t0, 0xbf00
	sw    $zero, 0x300($t0)    # power: halt, exit code 0
halt:	j     halt
	nop
found:
	sw    $t6, 0x1000($t5)
	move  $k0, $t6
resume:
	lw    $k1, 128($k0)
	mtc0  $k1, $14             # EPC
	lw    $1, 4($k0)
	lw    $2, 8($k0)
	lw    $3, 12($k0)
	lw    $4, 16($k0)
	lw    $5, 20($k0)
	lw    $6, 24($k0)
	lw    $7, 28($k0)
	lw    $8, 32($k0)
	lw    $9, 36($k0)
	lw    $10, 40($k0)
	lw    $11, 44($k0)
	lw    $12, 48($k0)
	lw    $13, 52($k0)
	lw    $14, 56($k0)
	lw    $15, 60($k0)
	lw    $16, 64($k0)
	lw    $17, 68($k0)
	lw    $18, 72($k0)
	lw    $19, 76($k0)
	lw    $20, 80($k0)
	lw    $21, 84($k0)
	lw    $22, 88($k0)
	lw    $23, 92($k0)
	lw    $24, 96($k0)
	lw    $25, 100($k0)
	lw    $28, 112($k0)
	lw    $29, 116($k0)
	lw    $30, 120($k0)
	lw    $31, 124($k0)
	eret
	nop

# putc($a0): polls the console transmitter (kernel only; clobbers $t0, $t1)
putc:
	lui   $t0, 0xbf00
putc_wait:	lw    $t1, 8($t0)
	andi  $t1, $t1, 1
	beq   $t1, $zero, putc_wait
	nop
	jr    $ra
	sw    $a0, 12($t0)         # (delay slot) transmit

# puts($a0): NUL-terminated string (clobbers $t0..$t3)
puts:
	move  $t2, $ra
	move  $t3, $a0
puts_loop:	lbu   $a0, 0($t3)
	beq   $a0, $zero, puts_done
	nop
	jal   putc
	addiu $t3, $t3, 1
	j     puts_loop
	nop
puts_done:	jr    $t2
	nop

# putint($a0): signed decimal (clobbers $t0..$t8)
putint:
	move  $t6, $ra
	lui   $t4, 0x8000
	ori   $t4, $t4, 0x1040     # end of the number buffer at 0x80001020
	sb    $zero, 0($t4)
	move  $t5, $a0
	bgez  $t5, pi_digits
	nop
	subu  $t5, $zero, $t5
pi_digits:
	li    $t7, 10
pi_loop:
	divu  $t5, $t7
	mfhi  $t8
	mflo  $t5
	addiu $t8, $t8, 48         # '0'
	addiu $t4, $t4, -1
	bne   $t5, $zero, pi_loop
	sb    $t8, 0($t4)          # (delay slot)
	bgez  $a0, pi_out
	nop
	li    $t8, 45              # '-'
	addiu $t4, $t4, -1
	sb    $t8, 0($t4)
pi_out:
	jal   puts
	move  $a0, $t4             # (delay slot)
	jr    $t6
	nop

kmain:
	li    $t0, 0x00400000      # Status: BEV, ERL cleared, kernel
	mtc0  $t0, $12
	la    $a0, hello
	jal   puts
	nop
	# copy the user code to RAM at physical 0x10000 and its strings to 0x20000
	la    $t0, user_code
	la    $t1, user_end
	li    $t2, 0x80010000
copy_code:	lw    $t3, 0($t0)
	sw    $t3, 0($t2)
	addiu $t0, $t0, 4
	bne   $t0, $t1, copy_code
	addiu $t2, $t2, 4
	la    $t0, udata
	la    $t1, udata_end
	li    $t2, 0x80020000
copy_data:	lbu   $t3, 0($t0)
	sb    $t3, 0($t2)
	addiu $t0, $t0, 1
	bne   $t0, $t1, copy_data
	addiu $t2, $t2, 1
	lui   $t0, 0x8000
	sw    $zero, 0x1004($t0)   # ticks = 0
	# three TCBs: pc = 0x10000, a0 = task number, sp = own stack, alive
	li    $t4, 0x80001100
	li    $t5, 0
	li    $t7, 0x00030000      # stacks at 0x30000, 0x2f000, 0x2e000
	li    $t8, 3
tcb_loop:	li    $t9, 0x10000
	sw    $t9, 128($t4)
	sw    $t5, 16($t4)
	sw    $t7, 116($t4)
	li    $t9, 1
	sw    $t9, 132($t4)
	addiu $t5, $t5, 1
	addiu $t7, $t7, -0x1000
	addiu $t8, $t8, -1
	bne   $t8, $zero, tcb_loop
	addiu $t4, $t4, 0x100
	# interval timer: every 10,000 instructions, periodic, interrupt enabled
	lui   $t0, 0xbf00
	li    $t1, 10000
	sw    $t1, 0x100($t0)
	li    $t1, 7
	sw    $t1, 0x104($t0)
	# first task: TCB 0; Status = BEV | IM5 | UM | EXL | IE, then eret into user mode
	li    $k0, 0x80001100
	lui   $t5, 0x8000
	sw    $k0, 0x1000($t5)
	li    $t0, 0x00402013
	mtc0  $t0, $12
	j     resume
	nop

# ---- the user program: position independent (calls with bal), copied to 0x00010000 ----
# a0 = task number: 0 primes, 1 Fibonacci, 2 Collatz. A line is built in a buffer on the task's
# stack and printed with one syscall (syscalls are atomic: the kernel runs with interrupts off).
# Strings are at USER_DATA = 0x00020000 (`li $a1, 0x20000 + (label - udata)`).
user_code:
	addiu $sp, $sp, -128
	move  $s6, $sp             # the line buffer
	li    $t0, 1
	beq   $a0, $zero, t_primes
	nop
	beq   $a0, $t0, t_fib
	nop
	b     t_collatz
	nop

# task A: primes by trial division, a line per 2000 numbers up to 20000
t_primes:
	li    $s0, 2               # n
	li    $s1, 0               # primes below n
	li    $s2, 2000            # next report
tp_loop:
	li    $t0, 2               # divisor
tp_div:
	mul   $t1, $t0, $t0
	sltu  $t1, $s0, $t1        # n < d*d: n is prime
	bne   $t1, $zero, tp_prime
	nop
	divu  $s0, $t0
	mfhi  $t1
	beq   $t1, $zero, tp_next  # divisible: composite
	nop
	b     tp_div
	addiu $t0, $t0, 1          # (delay slot)
tp_prime:
	addiu $s1, $s1, 1
tp_next:
	addiu $s0, $s0, 1
	bne   $s0, $s2, tp_loop
	nop
	move  $a0, $s6             # "[A] primes below N: C"
	li    $a1, 0x20000 + (s_primes - udata)
	bal   u_cat
	nop
	move  $a0, $v0
	bal   u_num
	move  $a1, $s2             # (delay slot)
	move  $a0, $v0
	li    $a1, 0x20000 + (s_colon - udata)
	bal   u_cat
	nop
	move  $a0, $v0
	bal   u_num
	move  $a1, $s1             # (delay slot)
	bal   u_line_end
	move  $a0, $v0             # (delay slot)
	li    $t0, 20000
	beq   $s2, $t0, u_exit
	nop
	b     tp_loop
	addiu $s2, $s2, 2000       # (delay slot)

# task B: Fibonacci numbers by naive recursion, fib(16) .. fib(24)
t_fib:
	li    $s0, 16
tf_loop:
	bal   u_fib
	move  $a0, $s0             # (delay slot)
	move  $s1, $v0
	move  $a0, $s6             # "[B] fib(N) = F"
	li    $a1, 0x20000 + (s_fib - udata)
	bal   u_cat
	nop
	move  $a0, $v0
	bal   u_num
	move  $a1, $s0             # (delay slot)
	move  $a0, $v0
	li    $a1, 0x20000 + (s_equals - udata)
	bal   u_cat
	nop
	move  $a0, $v0
	bal   u_num
	move  $a1, $s1             # (delay slot)
	bal   u_line_end
	move  $a0, $v0             # (delay slot)
	li    $t0, 24
	beq   $s0, $t0, u_exit
	nop
	b     tf_loop
	addiu $s0, $s0, 1          # (delay slot)

# u_fib($a0) = fib($a0), recursively on the task's stack
u_fib:
	slti  $t0, $a0, 2
	bne   $t0, $zero, uf_base
	nop
	addiu $sp, $sp, -12
	sw    $ra, 0($sp)
	sw    $a0, 4($sp)
	bal   u_fib
	addiu $a0, $a0, -1         # (delay slot)
	sw    $v0, 8($sp)
	lw    $a0, 4($sp)
	bal   u_fib
	addiu $a0, $a0, -2         # (delay slot)
	lw    $t0, 8($sp)
	lw    $ra, 0($sp)
	addiu $sp, $sp, 12
	jr    $ra
	addu  $v0, $v0, $t0        # (delay slot)
uf_base:
	jr    $ra
	move  $v0, $a0             # (delay slot)

# task C: the longest Collatz chain starting below N, a line per 1000 up to 10000
t_collatz:
	li    $s0, 1               # n
	li    $s1, 0               # most steps so far
	li    $s2, 1               # ... starting at
	li    $s3, 1000            # next report
tc_loop:
	move  $t0, $s0
	li    $t1, 0               # steps
tc_step:
	li    $t2, 1
	beq   $t0, $t2, tc_done
	nop
	andi  $t2, $t0, 1
	beq   $t2, $zero, tc_even
	nop
	sll   $t2, $t0, 1          # odd: 3n + 1
	addu  $t0, $t0, $t2
	addiu $t0, $t0, 1
	b     tc_step
	addiu $t1, $t1, 1          # (delay slot)
tc_even:
	srl   $t0, $t0, 1
	b     tc_step
	addiu $t1, $t1, 1          # (delay slot)
tc_done:
	slt   $t2, $s1, $t1
	beq   $t2, $zero, tc_next
	nop
	move  $s1, $t1
	move  $s2, $s0
tc_next:
	addiu $s0, $s0, 1
	bne   $s0, $s3, tc_loop
	nop
	move  $a0, $s6             # "[C] longest Collatz chain below N: S (K steps)"
	li    $a1, 0x20000 + (s_collatz - udata)
	bal   u_cat
	nop
	move  $a0, $v0
	bal   u_num
	move  $a1, $s3             # (delay slot)
	move  $a0, $v0
	li    $a1, 0x20000 + (s_colon - udata)
	bal   u_cat
	nop
	move  $a0, $v0
	bal   u_num
	move  $a1, $s2             # (delay slot)
	move  $a0, $v0
	li    $a1, 0x20000 + (s_paren - udata)
	bal   u_cat
	nop
	move  $a0, $v0
	bal   u_num
	move  $a1, $s1             # (delay slot)
	move  $a0, $v0
	li    $a1, 0x20000 + (s_steps - udata)
	bal   u_cat
	nop
	bal   u_line_end
	move  $a0, $v0             # (delay slot)
	li    $t0, 10000
	beq   $s3, $t0, u_exit
	nop
	b     tc_loop
	addiu $s3, $s3, 1000       # (delay slot)

u_exit:
	li    $v0, 10
	syscall

# u_cat($a0 = destination, $a1 = string): copies with its NUL; $v0 = the NUL's address
u_cat:
	lbu   $t0, 0($a1)
	sb    $t0, 0($a0)
	beq   $t0, $zero, uc_done
	nop
	addiu $a1, $a1, 1
	b     u_cat
	addiu $a0, $a0, 1          # (delay slot)
uc_done:
	jr    $ra
	move  $v0, $a0             # (delay slot)

# u_num($a0 = destination, $a1 = unsigned number): decimal digits and a NUL; $v0 = the NUL's address
u_num:
	addiu $t3, $sp, -4         # digits go backwards below the stack pointer
	move  $t4, $t3
	li    $t2, 10
un_digit:
	divu  $a1, $t2
	mfhi  $t0
	mflo  $a1
	addiu $t0, $t0, 48         # '0'
	addiu $t4, $t4, -1
	bne   $a1, $zero, un_digit
	sb    $t0, 0($t4)          # (delay slot)
un_copy:
	lbu   $t0, 0($t4)
	sb    $t0, 0($a0)
	addiu $t4, $t4, 1
	bne   $t4, $t3, un_copy
	addiu $a0, $a0, 1          # (delay slot)
	sb    $zero, 0($a0)
	jr    $ra
	move  $v0, $a0             # (delay slot)

# u_line_end($a0 = the NUL ending the text in the line buffer): appends " (tick T)\n" and
# prints the whole line with one syscall
u_line_end:
	move  $s5, $ra
	li    $a1, 0x20000 + (s_tick - udata)
	bal   u_cat
	nop
	move  $s4, $v0
	li    $v0, 30              # ticks
	syscall
	move  $a1, $v0
	bal   u_num
	move  $a0, $s4             # (delay slot)
	move  $a0, $v0
	li    $a1, 0x20000 + (s_eol - udata)
	bal   u_cat
	nop
	move  $a0, $s6
	li    $v0, 4
	syscall
	jr    $s5
	nop
user_end:

	.kdata 0xbfc08000
hello:	.asciiz "asmbox kernel: 3 user tasks (A primes, B Fibonacci, C Collatz), preempted by the interval timer every 10000 instructions\n"
byemsg:	.asciiz "asmbox kernel: all tasks done after "
byemsg2:	.asciiz " timer interrupts, power off\n"
faultmsg:	.asciiz "asmbox kernel: exception "
killmsg:	.asciiz " in a user task: task killed\n"
badaddrmsg:	.asciiz "asmbox kernel: print_string of a kernel address: task killed\n"

	.kdata 0xbfc09000
# the user program's strings (copied to 0x00020000)
udata:
s_primes:	.asciiz "[A] primes below "
s_fib:	.asciiz "[B] fib("
s_equals:	.asciiz ") = "
s_collatz:	.asciiz "[C] longest Collatz chain below "
s_colon:	.asciiz ": "
s_paren:	.asciiz " ("
s_steps:	.asciiz " steps)"
s_tick:	.asciiz "  (tick "
s_eol:	.asciiz ")\n"
udata_end:
