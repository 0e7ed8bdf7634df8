# asmbox demo: draws the Mandelbrot set with integer fixed-point arithmetic (4.12), then
# counts primes with a sieve. Uses the SPIM/MARS console syscalls (print_string 4,
# print_int 1, print_char 11, exit 10).
        .data
title:  .asciiz "asmbox demo: the Mandelbrot set, computed by a guest MIPS program\n\n"
shades: .asciiz " .:-=+*#%@"
primes1: .asciiz "\nprimes below 10000: "
primes2: .asciiz "\nlargest: "
bye:    .asciiz "\n"
        .align 2
sieve:  .space 10000

        .text
        .globl main
main:
        li      $v0, 4
        la      $a0, title
        syscall

        li      $s0, -4915              # y = -1.2 (4.12 fixed point)
        li      $s7, 24                 # rows
row:
        li      $s1, -8602              # x = -2.1
        li      $s6, 72                 # columns
col:
        move    $t0, $zero              # zr
        move    $t1, $zero              # zi
        move    $t2, $zero              # iteration
        li      $t9, 30                 # max iterations
iter:
        mul     $t3, $t0, $t0
        sra     $t3, $t3, 12            # zr^2
        mul     $t4, $t1, $t1
        sra     $t4, $t4, 12            # zi^2
        addu    $t5, $t3, $t4
        li      $t6, 16384              # 4.0
        bgt     $t5, $t6, escaped
        mul     $t7, $t0, $t1
        sra     $t7, $t7, 11            # 2*zr*zi
        addu    $t1, $t7, $s0           # zi' = 2 zr zi + y
        subu    $t0, $t3, $t4
        addu    $t0, $t0, $s1           # zr' = zr^2 - zi^2 + x
        addiu   $t2, $t2, 1
        blt     $t2, $t9, iter
escaped:
        li      $t8, 10
        mul     $t3, $t2, $t8
        div     $t3, $t3, $t9           # shade index 0..10
        li      $t8, 9
        ble     $t3, $t8, shade
        move    $t3, $t8
shade:
        la      $t4, shades
        addu    $t4, $t4, $t3
        lb      $a0, 0($t4)
        li      $v0, 11
        syscall
        addiu   $s1, $s1, 171           # x += 3.0 / 72
        addiu   $s6, $s6, -1
        bgtz    $s6, col
        li      $a0, 10
        li      $v0, 11
        syscall
        addiu   $s0, $s0, 410           # y += 2.4 / 24
        addiu   $s7, $s7, -1
        bgtz    $s7, row

        # Sieve of Eratosthenes over 2..9999: sieve[i] = 1 marks a composite.
        la      $s0, sieve
        li      $s1, 10000
        li      $t0, 2
outer:
        mul     $t1, $t0, $t0
        bge     $t1, $s1, count
        addu    $t2, $s0, $t0
        lb      $t3, 0($t2)
        bnez    $t3, next
mark:
        bge     $t1, $s1, next
        addu    $t2, $s0, $t1
        li      $t3, 1
        sb      $t3, 0($t2)
        addu    $t1, $t1, $t0
        b       mark
next:
        addiu   $t0, $t0, 1
        b       outer
count:
        move    $s2, $zero              # how many
        move    $s3, $zero              # largest
        li      $t0, 2
scan:
        bge     $t0, $s1, report
        addu    $t2, $s0, $t0
        lb      $t3, 0($t2)
        bnez    $t3, skip
        addiu   $s2, $s2, 1
        move    $s3, $t0
skip:
        addiu   $t0, $t0, 1
        b       scan
report:
        li      $v0, 4
        la      $a0, primes1
        syscall
        li      $v0, 1
        move    $a0, $s2
        syscall
        li      $v0, 4
        la      $a0, primes2
        syscall
        li      $v0, 1
        move    $a0, $s3
        syscall
        li      $v0, 4
        la      $a0, bye
        syscall
        li      $v0, 10
        syscall
