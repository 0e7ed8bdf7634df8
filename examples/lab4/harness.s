# Instructor harness for Lab 4: assembled together with each submission for the harness test
# (the spec starts it at harness_main). It calls the student's sort and strrev like a client
# program would and prints what they did. Its labels start with h_ so they never clash with a
# student's labels.

        .data
h_arr:  .word   9, -3, 7, 0, 12, -8
h_str:  .asciiz "assembly"
h_sp:   .asciiz " "
h_nl:   .asciiz "\n"

        .text
        .globl  harness_main
harness_main:
        la      $a0, h_arr
        li      $a1, 6
        jal     sort                    # sort(h_arr, 6)

        la      $s0, h_arr
        li      $s1, 0
h_print:
        lw      $a0, 0($s0)
        li      $v0, 1
        syscall
        la      $a0, h_sp
        li      $v0, 4
        syscall
        addiu   $s0, $s0, 4
        addiu   $s1, $s1, 1
        blt     $s1, 6, h_print
        la      $a0, h_nl
        li      $v0, 4
        syscall

        la      $a0, h_str
        jal     strrev                  # strrev("assembly")
        move    $s2, $v0
        la      $a0, h_str
        li      $v0, 4
        syscall
        la      $a0, h_nl
        li      $v0, 4
        syscall
        move    $a0, $s2
        li      $v0, 1
        syscall
        la      $a0, h_nl
        li      $v0, 4
        syscall

        li      $v0, 10
        syscall
