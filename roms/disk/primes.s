# primes: a user program for the boot monitor (roms/monitor.s), stored on the disk image by
# `asmbox mkdisk roms/disk/* -o disk.img`. Prints the primes below 200 found by trial division,
# their count and sum. SPIM syntax; only syscalls 1 (print_int), 4 (print_string),
# 11 (print_char) and 10 (exit), the ones the monitor implements.
#
# It runs the same with and without branch delay slots (the monitor's machine has them, SPIM by
# default does not): every branch and jump is followed by a nop, and no pseudo-instruction used
# here expands into a branch (no blt/bge/..., no three-operand div/rem).
# Expected output: test/fixtures/roms/primes.out, recorded from SPIM (test/fixtures/roms/regen.sh).
	.data
title:	.asciiz "Primes below 200, by trial division:\n"
count_msg:	.asciiz "count: "
sum_msg:	.asciiz "sum: "
diff_msg:	.asciiz "sum - 5000 = "

	.text
	.globl main
main:
	addiu $sp, $sp, -8
	sw    $ra, 4($sp)
	la    $a0, title
	li    $v0, 4               # print_string
	syscall
	li    $s0, 2               # n
	li    $s1, 0               # primes found
	li    $s2, 0               # their sum
next_n:
	move  $a0, $s0
	jal   is_prime
	nop
	beq   $v0, $zero, not_prime
	nop
	addiu $s1, $s1, 1
	addu  $s2, $s2, $s0
	move  $a0, $s0
	li    $v0, 1               # print_int
	syscall
	# ten to a line: a newline after every tenth prime, else a space
	li    $t0, 10
	div   $s1, $t0             # hi = count % 10 (the machine instruction: no zero check)
	mfhi  $t1
	li    $a0, 32             # ' '
	bne   $t1, $zero, sep
	nop
	li    $a0, 10             # '\n'
sep:
	li    $v0, 11              # print_char
	syscall
not_prime:
	addiu $s0, $s0, 1
	slti  $t0, $s0, 200
	bne   $t0, $zero, next_n
	nop

	li    $a0, 10             # '\n'
	li    $v0, 11
	syscall
	la    $a0, count_msg
	li    $v0, 4
	syscall
	move  $a0, $s1
	li    $v0, 1
	syscall
	li    $a0, 10             # '\n'
	li    $v0, 11
	syscall
	la    $a0, sum_msg
	li    $v0, 4
	syscall
	move  $a0, $s2
	li    $v0, 1
	syscall
	li    $a0, 10             # '\n'
	li    $v0, 11
	syscall
	la    $a0, diff_msg        # a negative number, for print_int's sign
	li    $v0, 4
	syscall
	addiu $a0, $s2, -5000
	li    $v0, 1
	syscall
	li    $a0, 10             # '\n'
	li    $v0, 11
	syscall
	lw    $ra, 4($sp)
	addiu $sp, $sp, 8
	li    $v0, 10              # exit
	syscall

# is_prime($a0 = n >= 2): $v0 = 1 if n is prime, else 0
is_prime:
	li    $t0, 2               # divisor
ip_loop:
	mul   $t1, $t0, $t0
	slt   $t2, $a0, $t1        # d*d > n: no divisor found
	bne   $t2, $zero, ip_yes
	nop
	div   $a0, $t0
	mfhi  $t3
	beq   $t3, $zero, ip_no
	nop
	addiu $t0, $t0, 1
	j     ip_loop
	nop
ip_yes:
	li    $v0, 1
	jr    $ra
	nop
ip_no:
	li    $v0, 0
	jr    $ra
	nop
