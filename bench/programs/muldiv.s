# Multiply/divide: 64-bit products through HI/LO, signed and unsigned division and remainder.
        .text
        .globl main
main:   li    $t0, 2000000        # iterations
        li    $t1, 123456789
        li    $t2, 0              # acc lo
        li    $t3, 0              # acc hi
        li    $s1, 2654435761
loop:   multu $t1, $s1
        mflo  $t4
        mfhi  $t5
        addu  $t2, $t2, $t4
        xor   $t3, $t3, $t5
        ori   $t6, $t0, 3         # divisor, never zero
        div   $t4, $t6
        mflo  $t7
        mfhi  $t8
        addu  $t2, $t2, $t7
        subu  $t3, $t3, $t8
        divu  $t5, $t6
        mflo  $t7
        addu  $t2, $t2, $t7
        mult  $t2, $t3
        mfhi  $t9
        xor   $t1, $t4, $t9
        addiu $t1, $t1, 1
        addiu $t0, $t0, -1
        bnez  $t0, loop
        move  $a0, $t2
        li    $v0, 1
        syscall
        li    $a0, 32
        li    $v0, 11
        syscall
        move  $a0, $t3
        li    $v0, 1
        syscall
        li    $a0, 10
        li    $v0, 11
        syscall
        li    $v0, 10
        syscall
