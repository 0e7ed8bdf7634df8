# Console output routines shared by the ROMs (roms/disk-demo.s, roms/monitor.s), included with
# `.include "lib/print.s"` inside their .ktext. The including ROM defines putc($a0), which may
# clobber only $t8 and $t9. All routines keep a small frame on $sp, so a stack must be set up.

# puts($a0): NUL-terminated string. Clobbers $a0, $t7..$t9.
puts:
	addiu $sp, $sp, -8
	sw    $ra, 0($sp)
	move  $t7, $a0
puts_loop:
	lbu   $a0, 0($t7)
	beq   $a0, $zero, puts_done
	nop
	jal   putc
	addiu $t7, $t7, 1              # (delay slot)
	j     puts_loop
	nop
puts_done:
	lw    $ra, 0($sp)
	jr    $ra
	addiu $sp, $sp, 8

# puthex($a0): "0x" and 8 hex digits. Clobbers $a0, $t5..$t9.
puthex:
	addiu $sp, $sp, -8
	sw    $ra, 0($sp)
	move  $t6, $a0
	li    $a0, '0'
	jal   putc
	nop
	li    $a0, 'x'
	jal   putc
	nop
	li    $t5, 8
puthex_loop:
	srl   $a0, $t6, 28
	sll   $t6, $t6, 4
	sltiu $t7, $a0, 10
	bne   $t7, $zero, puthex_digit
	addiu $a0, $a0, '0'            # (delay slot) 0-9
	addiu $a0, $a0, 'a' - '0' - 10
puthex_digit:
	jal   putc
	addiu $t5, $t5, -1             # (delay slot)
	bne   $t5, $zero, puthex_loop
	nop
	lw    $ra, 0($sp)
	jr    $ra
	addiu $sp, $sp, 8

# putdec($a0): unsigned decimal. Clobbers $a0, $t3..$t9.
putdec:
	addiu $sp, $sp, -24
	sw    $ra, 0($sp)
	addiu $t3, $sp, 24             # digits are stored downwards from the frame's end
	li    $t4, 10
putdec_div:
	divu  $a0, $t4
	mfhi  $t5
	mflo  $a0
	addiu $t3, $t3, -1
	addiu $t5, $t5, '0'
	bne   $a0, $zero, putdec_div
	sb    $t5, 0($t3)              # (delay slot)
	addiu $t6, $sp, 24
putdec_out:
	lbu   $a0, 0($t3)
	jal   putc
	addiu $t3, $t3, 1              # (delay slot)
	bne   $t3, $t6, putdec_out
	nop
	lw    $ra, 0($sp)
	jr    $ra
	addiu $sp, $sp, 24
