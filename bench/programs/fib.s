# Recursion-heavy calls: naive fib(27) with a stack frame per call.
        .text
        .globl main
main:   li    $a0, 27
        jal   fib
        move  $a0, $v0
        li    $v0, 1
        syscall
        li    $a0, 10
        li    $v0, 11
        syscall
        li    $v0, 10
        syscall

fib:    slti  $t0, $a0, 2
        beqz  $t0, rec
        move  $v0, $a0
        jr    $ra
rec:    addiu $sp, $sp, -12
        sw    $ra, 8($sp)
        sw    $s0, 4($sp)
        sw    $s1, 0($sp)
        move  $s0, $a0
        addiu $a0, $s0, -1
        jal   fib
        move  $s1, $v0
        addiu $a0, $s0, -2
        jal   fib
        addu  $v0, $v0, $s1
        lw    $s1, 0($sp)
        lw    $s0, 4($sp)
        lw    $ra, 8($sp)
        addiu $sp, $sp, 12
        jr    $ra
