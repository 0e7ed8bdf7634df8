# Lab 4: sorting and strings -- a correct solution.
#
#   main             reads n, then n integers; prints them sorted on one line, then "sum = S"
#   sort(a, n)       sorts the n words at a in place, ascending
#   strrev(s)        reverses the NUL-terminated string s in place; returns its length

        .data
arr:    .space  400                 # up to 100 integers
space:  .asciiz " "
nl:     .asciiz "\n"
sumtxt: .asciiz "sum = "

        .text
        .globl  main
        .globl  sort
        .globl  strrev
main:
        addiu   $sp, $sp, -16
        sw      $ra, 12($sp)
        sw      $s0, 8($sp)
        sw      $s1, 4($sp)

        li      $v0, 5                  # n = read_int()
        syscall
        move    $s0, $v0
        li      $t0, 100                # at most 100 numbers
        ble     $s0, $t0, n_ok
        move    $s0, $t0
n_ok:
        la      $s1, arr
        li      $t1, 0                  # i = 0
read_loop:
        bge     $t1, $s0, read_done
        li      $v0, 5
        syscall
        sll     $t2, $t1, 2
        addu    $t2, $s1, $t2
        sw      $v0, 0($t2)             # arr[i] = read_int()
        addiu   $t1, $t1, 1
        j       read_loop
read_done:
        move    $a0, $s1
        move    $a1, $s0
        jal     sort                    # sort(arr, n)

        li      $t1, 0                  # i = 0
        li      $t3, 0                  # sum = 0
print_loop:
        bge     $t1, $s0, print_done
        sll     $t2, $t1, 2
        addu    $t2, $s1, $t2
        lw      $a0, 0($t2)
        addu    $t3, $t3, $a0
        li      $v0, 1                  # print arr[i]
        syscall
        addiu   $t1, $t1, 1
        bge     $t1, $s0, print_done    # no space after the last one
        la      $a0, space
        li      $v0, 4
        syscall
        j       print_loop
print_done:
        la      $a0, nl
        li      $v0, 4
        syscall
        la      $a0, sumtxt
        li      $v0, 4
        syscall
        move    $a0, $t3
        li      $v0, 1
        syscall
        la      $a0, nl
        li      $v0, 4
        syscall

        lw      $s1, 4($sp)
        lw      $s0, 8($sp)
        lw      $ra, 12($sp)
        addiu   $sp, $sp, 16
        li      $v0, 10
        syscall

# sort(a = $a0, n = $a1): insertion sort. A leaf function: only $t registers.
sort:
        li      $t0, 1                  # i = 1
sort_outer:
        bge     $t0, $a1, sort_done
        sll     $t1, $t0, 2
        addu    $t1, $a0, $t1
        lw      $t2, 0($t1)             # key = a[i]
        addiu   $t3, $t0, -1            # j = i - 1
sort_inner:
        bltz    $t3, sort_insert
        sll     $t4, $t3, 2
        addu    $t4, $a0, $t4
        lw      $t5, 0($t4)             # a[j]
        ble     $t5, $t2, sort_insert
        sw      $t5, 4($t4)             # a[j+1] = a[j]
        addiu   $t3, $t3, -1
        j       sort_inner
sort_insert:
        addiu   $t4, $t3, 1
        sll     $t4, $t4, 2
        addu    $t4, $a0, $t4
        sw      $t2, 0($t4)             # a[j+1] = key
        addiu   $t0, $t0, 1
        j       sort_outer
sort_done:
        jr      $ra

# strrev(s = $a0): reverses s in place, returns strlen(s) in $v0.
strrev:
        move    $t0, $a0
strrev_len:
        lbu     $t1, 0($t0)
        beqz    $t1, strrev_found
        addiu   $t0, $t0, 1
        j       strrev_len
strrev_found:
        subu    $v0, $t0, $a0           # length
        addiu   $t0, $t0, -1            # last character
        move    $t2, $a0                # first character
strrev_swap:
        bgeu    $t2, $t0, strrev_done
        lbu     $t3, 0($t2)
        lbu     $t4, 0($t0)
        sb      $t4, 0($t2)
        sb      $t3, 0($t0)
        addiu   $t2, $t2, 1
        addiu   $t0, $t0, -1
        j       strrev_swap
strrev_done:
        jr      $ra
