# Byte-string processing: build a 4 KiB text, then 600 passes of upper-casing it into a
# second buffer, counting vowels, and computing a rolling hash byte by byte.
        .data
src:    .space 4096
dst:    .space 4100
        .text
        .globl main
main:   la    $s0, src
        li    $t0, 0
        li    $t1, 7
gen:    # src[i] = 'a' + (x % 26), or ' ' every 8th byte; x = x * 17 + 3
        mul   $t1, $t1, 17
        addiu $t1, $t1, 3
        andi  $t2, $t0, 7
        li    $t3, 32
        beqz  $t2, put
        li    $t4, 26
        divu  $t1, $t4
        mfhi  $t3
        addiu $t3, $t3, 97
put:    addu  $t5, $s0, $t0
        sb    $t3, 0($t5)
        addiu $t0, $t0, 1
        blt   $t0, 4095, gen
        addu  $t5, $s0, $t0
        sb    $zero, 0($t5)
        li    $s7, 600
        li    $s3, 0              # vowels
        li    $s4, 0              # hash
pass:   la    $t0, src
        la    $t1, dst
copy:   lbu   $t2, 0($t0)
        beqz  $t2, done
        li    $t3, 97
        blt   $t2, $t3, store
        li    $t3, 122
        bgt   $t2, $t3, store
        # vowel? a e i o u
        li    $t3, 97
        beq   $t2, $t3, vowel
        li    $t3, 101
        beq   $t2, $t3, vowel
        li    $t3, 105
        beq   $t2, $t3, vowel
        li    $t3, 111
        beq   $t2, $t3, vowel
        li    $t3, 117
        bne   $t2, $t3, upper
vowel:  addiu $s3, $s3, 1
upper:  addiu $t2, $t2, -32
store:  sb    $t2, 0($t1)
        sll   $t4, $s4, 5
        subu  $s4, $t4, $s4
        addu  $s4, $s4, $t2
        addiu $t0, $t0, 1
        addiu $t1, $t1, 1
        j     copy
done:   sb    $zero, 0($t1)
        addiu $s7, $s7, -1
        bnez  $s7, pass
        move  $a0, $s3
        li    $v0, 1
        syscall
        li    $a0, 32
        li    $v0, 11
        syscall
        move  $a0, $s4
        li    $v0, 1
        syscall
        li    $a0, 10
        li    $v0, 11
        syscall
        li    $v0, 10
        syscall
