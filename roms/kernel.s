# A tiny preemptive kernel ROM: the interval timer interrupts every 10,000 instructions and the
# kernel switches round-robin between three user-mode tasks, which print through a `syscall`
# interface (v0 = 1: print the character in a0; v0 = 10: exit). When every task has exited the
# kernel powers off. Boot with: asmbox boot roms/kernel.s
#
# Memory: the tasks' code is copied from ROM to RAM at physical 0x10000 (user address 0x00010000);
# the kernel keeps its data in kseg0 at 0x80001000 (current TCB pointer) and 0x80001100 + 0x100*i
# (TCB i: saved $1..$31 at 4*n, EPC at 128, alive flag at 132). BEV stays set, so exceptions
# vector to 0xBFC00380 in ROM.
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
	li    $a0, '!'
	jal   putc
	nop
	j     kill
	nop

sys:
	lw    $t3, 128($k0)        # resume after the syscall
	addiu $t3, $t3, 4
	sw    $t3, 128($k0)
	lw    $t4, 8($k0)          # the task's v0
	li    $t2, 10
	beq   $t4, $t2, kill
	nop
	li    $t2, 1
	bne   $t4, $t2, resume     # unknown syscall: ignored
	nop
	lw    $a0, 16($k0)         # the task's a0
	jal   putc
	nop
	j     resume
	nop

kill:
	sw    $zero, 132($k0)      # not alive
	j     schedule
	nop

irq:
	lui   $t0, 0xbf00
	sw    $zero, 0x10c($t0)    # acknowledge the interval timer
	li    $a0, '.'             # (nothing printed for ticks; keep $a0 unused)
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
	# nobody left: power off
	la    $a0, byemsg
	jal   puts
	nop
	lui   $t0, 0xbf00
	sw    $zero, 0x300($t0)
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

# putc($a0): polls the console transmitter (kernel only; clobbers $t0)
putc:
	lui   $t0, 0xbf00
putc_wait:	lw    $t1, 8($t0)
	andi  $t1, $t1, 1
	beq   $t1, $zero, putc_wait
	nop
	jr    $ra
	sw    $a0, 12($t0)         # (delay slot) transmit

# puts($a0): NUL-terminated string
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

kmain:
	li    $t0, 0x00400000      # Status: BEV, ERL cleared, kernel
	mtc0  $t0, $12
	la    $a0, hello
	jal   puts
	nop
	# copy the user code to RAM at physical 0x10000
	la    $t0, user_code
	la    $t1, user_end
	li    $t2, 0x80010000
copy_loop:	lw    $t3, 0($t0)
	sw    $t3, 0($t2)
	addiu $t0, $t0, 4
	bne   $t0, $t1, copy_loop
	addiu $t2, $t2, 4
	# three TCBs: pc = 0x10000, a0 = letter, a1 = count, sp = own stack, alive
	li    $t4, 0x80001100
	li    $t5, 'A'
	li    $t6, 5
	li    $t7, 0x00030000      # stacks at 0x30000, 0x2f000, ...
	li    $t8, 3
tcb_loop:	li    $t9, 0x10000
	sw    $t9, 128($t4)
	sw    $t5, 16($t4)
	sw    $t6, 20($t4)
	sw    $t7, 116($t4)
	li    $t9, 1
	sw    $t9, 132($t4)
	addiu $t5, $t5, 1
	addiu $t6, $t6, 2
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

# ---- user code (position independent, runs at 0x00010000 in user mode) ----
user_code:
	move  $s0, $a0             # letter
	move  $s1, $a1             # how many lines
u_line:
	li    $s2, 8               # characters per line
u_char:
	move  $a0, $s0
	li    $v0, 1
	syscall
	li    $t0, 2500            # busy work between characters (preempted by the timer)
u_delay:
	addiu $t0, $t0, -1
	bne   $t0, $zero, u_delay
	nop
	addiu $s2, $s2, -1
	bne   $s2, $zero, u_char
	nop
	li    $a0, '\n'
	li    $v0, 1
	syscall
	addiu $s1, $s1, -1
	bne   $s1, $zero, u_line
	nop
	li    $v0, 10
	syscall
user_end:

	.kdata 0xbfc08000
hello:	.asciiz "asmbox kernel: three user tasks, timer preemption every 10000 instructions\n"
byemsg:	.asciiz "asmbox kernel: all tasks done, power off\n"
