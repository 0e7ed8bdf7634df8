# Nested loops over arrays: 64x64 integer matrix multiply, repeated 6 times, then a checksum.
        .data
A:      .space 16384
B:      .space 16384
C:      .space 16384
        .text
        .globl main
main:   # fill A[i][j] = i + j, B[i][j] = i - j
        la    $s0, A
        la    $s1, B
        li    $t0, 0
fill_i: li    $t1, 0
fill_j: sll   $t2, $t0, 6
        addu  $t2, $t2, $t1
        sll   $t2, $t2, 2
        addu  $t3, $t0, $t1
        addu  $t4, $s0, $t2
        sw    $t3, 0($t4)
        subu  $t3, $t0, $t1
        addu  $t4, $s1, $t2
        sw    $t3, 0($t4)
        addiu $t1, $t1, 1
        blt   $t1, 64, fill_j
        addiu $t0, $t0, 1
        blt   $t0, 64, fill_i
        li    $s7, 6              # repetitions
rep:    la    $s2, C
        li    $t0, 0              # i
mm_i:   li    $t1, 0              # j
mm_j:   li    $t5, 0              # sum
        li    $t2, 0              # k
        sll   $t6, $t0, 8
        addu  $t6, $t6, $s0       # &A[i][0]
        sll   $t7, $t1, 2
        addu  $t7, $t7, $s1       # &B[0][j]
mm_k:   lw    $t8, 0($t6)
        lw    $t9, 0($t7)
        mul   $t8, $t8, $t9
        addu  $t5, $t5, $t8
        addiu $t6, $t6, 4
        addiu $t7, $t7, 256
        addiu $t2, $t2, 1
        blt   $t2, 64, mm_k
        sw    $t5, 0($s2)
        addiu $s2, $s2, 4
        addiu $t1, $t1, 1
        blt   $t1, 64, mm_j
        addiu $t0, $t0, 1
        blt   $t0, 64, mm_i
        addiu $s7, $s7, -1
        bnez  $s7, rep
        # checksum of C
        la    $s2, C
        li    $t0, 4096
        li    $a0, 0
sum:    lw    $t1, 0($s2)
        addu  $a0, $a0, $t1
        sll   $t2, $a0, 1
        xor   $a0, $a0, $t2
        addiu $s2, $s2, 4
        addiu $t0, $t0, -1
        bnez  $t0, sum
        li    $v0, 1
        syscall
        li    $a0, 10
        li    $v0, 11
        syscall
        li    $v0, 10
        syscall
