# hello ROM: prints a line on the console by polling the transmitter, then powers off.
# Boot with: asmbox boot roms/hello.s        (system mode, delay slots, reset vector 0xBFC00000)
	.ktext 0xbfc00000
reset:
	lui   $s0, 0xbf00          # console registers (kseg1 0xBF000000)
	la    $s1, msg             # the message, in ROM
loop:
	lbu   $a0, 0($s1)
	beq   $a0, $zero, done
	nop
wait_tx:
	lw    $t0, 8($s0)          # transmitter control: bit 0 ready
	andi  $t0, $t0, 1
	beq   $t0, $zero, wait_tx
	nop
	sw    $a0, 12($s0)         # transmitter data
	b     loop
	addiu $s1, $s1, 1          # (delay slot) next character
done:
	li    $t0, 0
	sw    $t0, 0x300($s0)      # power: halt with exit code 0
spin:
	b     spin
	nop
	.kdata 0xbfc08000
msg:	.asciiz "Hello from the asmbox ROM!\n"
