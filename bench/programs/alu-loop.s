# Tight ALU loop: xorshift-style mixing in registers, 6M iterations.
        .text
        .globl main
main:   li    $t0, 6000000        # iterations
        li    $t1, 0x12345678     # state
        li    $t2, 0              # accumulator
loop:   sll   $t3, $t1, 13
        xor   $t1, $t1, $t3
        srl   $t3, $t1, 17
        xor   $t1, $t1, $t3
        sll   $t3, $t1, 5
        xor   $t1, $t1, $t3
        addu  $t2, $t2, $t1
        andi  $t4, $t1, 0xff
        or    $t2, $t2, $t4
        addiu $t0, $t0, -1
        bnez  $t0, loop
        move  $a0, $t2
        li    $v0, 1
        syscall
        li    $a0, 10
        li    $v0, 11
        syscall
        li    $v0, 10
        syscall
