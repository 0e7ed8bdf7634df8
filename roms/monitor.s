# Boot monitor ROM: loads a user program from an asmbox disk image (made by `asmbox mkdisk`,
# format in roms/README.md) into RAM and runs it in user mode, serving SPIM's console syscalls.
#
# Boot with: asmbox mkdisk roms/disk/* -o disk.img
#            asmbox boot roms/monitor.s --disk disk.img
# (programs are assembled with SPIM's layout, data at 0x10010000, and a program is loaded at
# physical = virtual address, so RAM must reach past 0x10010000: the default 384 MiB does; with
# --ram-mib 256 or less the load stops with a message saying so.)
#
# Which program: the program entry named "boot" if the table has one, else the first program
# entry in table order (mkdisk keeps the order of its arguments).
#
# Loading: the program file's header sector is read to 0x1200; each segment starts on a sector
# boundary of the file, so it is DMAed straight to its load address (whole sectors: up to 511
# bytes past a segment's end are zeroed too). Segments must lie in user memory
# [0x00010000, 0x80000000): RAM below 0x10000 is the monitor's.
#
# Running: $sp = 0x00ffeffc (near the top of the first 16 MiB; SPIM's is 0x7fffeffc), $gp =
# 0x10008000 (SPIM's), every other register 0; EPC = entry; Status = BEV | UM | EXL; eret.
# The user program is entered with interrupts off.
#
# Exceptions vector to 0xBFC00380 (BEV stays set, as in kernel.s). From the user program:
#   syscall with $v0 = 1 print_int($a0), 4 print_string($a0), 11 print_char($a0),
#                      10 exit (code 0), 17 exit2 (code $a0)
#   any other syscall or exception: a SPIM-like message (exception code and name, EPC,
#   BadVAddr), then power off with exit code 8.
# Output goes to the console transmitter by polling. Exit powers off with the program's code,
# after a "monitor: NAME exited with code N" line (on a line of its own).
#
# Monitor exit codes (its own failures): 2 no disk, 3 disk error, 4 not an asmbox disk image,
# 5 no program on the disk, 6 bad program file or segment not loadable, 8 the user program
# faulted or made an unsupported syscall, 9 exception inside the monitor.
#
# Memory (kseg0; physical = address - 0x80000000):
#   0x80000800   user registers saved by the exception handler ($n at 4*n)
#   0x80000f00   1 while the handler runs (a second exception then is the monitor's fault)
#   0x80000f04   last character printed
#   0x80000f08   0 while booting, 1 once the user program runs
#   0x80000f10   the program's table entry (address)
#   0x80001000   sector 0 (DMA buffer 0x1000); 0x80001200 program header (DMA buffer 0x1200)
#   0x80008000   top of the monitor's stack
	.set noat
	.eqv DISK_MAGIC, 0x44584241        # 'ABXD'
	.eqv PROGRAM_MAGIC, 0x50584241     # 'ABXP'
	.eqv USER_MIN, 0x00010000
	.eqv USER_SP, 0x00ffeffc
	.eqv USER_GP, 0x10008000
	.eqv LOAD_CHUNK, 128               # sectors per DMA command when loading

	.ktext 0xbfc00000
reset:
	j     main
	nop

	.ktext 0xbfc00380
exc_vector:
	lui   $k0, 0x8000
	lw    $k1, 0xf00($k0)
	bne   $k1, $zero, nested       # an exception while handling one
	nop
	lw    $k1, 0xf08($k0)
	beq   $k1, $zero, boot_exc     # not running a program yet
	nop
	li    $k1, 1
	sw    $k1, 0xf00($k0)
	ori   $k0, $k0, 0x800          # save the user's registers
	sw    $1, 4($k0)
	sw    $2, 8($k0)
	sw    $3, 12($k0)
	sw    $4, 16($k0)
	sw    $5, 20($k0)
	sw    $6, 24($k0)
	sw    $7, 28($k0)
	sw    $8, 32($k0)
	sw    $9, 36($k0)
	sw    $10, 40($k0)
	sw    $11, 44($k0)
	sw    $12, 48($k0)
	sw    $13, 52($k0)
	sw    $14, 56($k0)
	sw    $15, 60($k0)
	sw    $16, 64($k0)
	sw    $17, 68($k0)
	sw    $18, 72($k0)
	sw    $19, 76($k0)
	sw    $20, 80($k0)
	sw    $21, 84($k0)
	sw    $22, 88($k0)
	sw    $23, 92($k0)
	sw    $24, 96($k0)
	sw    $25, 100($k0)
	sw    $28, 112($k0)
	sw    $29, 116($k0)
	sw    $30, 120($k0)
	sw    $31, 124($k0)
	li    $sp, 0x80008000          # the monitor's stack
	move  $s7, $k0                 # saved registers
	mfc0  $s0, $13                 # Cause
	srl   $s1, $s0, 2
	andi  $s1, $s1, 0x1f           # ExcCode
	li    $t0, 8
	bne   $s1, $t0, user_fault
	nop

	# ---- syscall: $v0 and $a0 as the program left them
	lw    $s2, 8($s7)              # v0
	lw    $a0, 16($s7)             # a0
	li    $t0, 1
	beq   $s2, $t0, sys_print_int
	nop
	li    $t0, 4
	beq   $s2, $t0, sys_print_string
	nop
	li    $t0, 11
	beq   $s2, $t0, sys_print_char
	nop
	li    $t0, 10
	beq   $s2, $t0, sys_exit
	nop
	li    $t0, 17
	beq   $s2, $t0, sys_exit2
	nop
	# unsupported syscall
	la    $a0, m_nosys
	jal   newline_puts
	nop
	move  $a0, $s2
	jal   putdec
	nop
	la    $a0, m_at
	jal   puts
	nop
	mfc0  $a0, $14
	jal   puthex
	nop
	la    $a0, m_nosys2
	jal   puts
	nop
	li    $a0, 8
	j     halt
	nop

sys_print_int:
	bgez  $a0, sys_pi_abs          # (a real branch: bgez is an instruction)
	nop
	move  $s3, $a0
	li    $a0, '-'
	jal   putc
	nop
	subu  $a0, $zero, $s3          # -x; -(-2^31) stays 0x80000000 = 2^31 unsigned
sys_pi_abs:
	jal   putdec
	nop
	j     sys_return
	nop

sys_print_string:
	move  $s3, $a0
sys_ps_loop:
	srl   $t0, $s3, 31             # only user addresses: kseg is not the program's
	bne   $t0, $zero, sys_ps_bad
	nop
	lbu   $a0, 0($s3)              # (a fault here is caught as "nested")
	beq   $a0, $zero, sys_return
	nop
	jal   putc
	addiu $s3, $s3, 1              # (delay slot)
	j     sys_ps_loop
	nop
sys_ps_bad:
	la    $a0, m_badstr
	jal   newline_puts
	nop
	move  $a0, $s3
	jal   puthex
	nop
	li    $a0, 10
	jal   putc
	nop
	li    $a0, 8
	j     halt
	nop

sys_print_char:
	jal   putc
	nop
	j     sys_return
	nop

sys_exit:
	li    $s3, 0
	j     sys_exit_code
	nop
sys_exit2:
	andi  $s3, $a0, 0xff
sys_exit_code:
	la    $a0, m_exited1
	jal   newline_puts
	nop
	lui   $t0, 0x8000
	lw    $a0, 0xf10($t0)          # the program's table entry: its name
	jal   puts
	nop
	la    $a0, m_exited2
	jal   puts
	nop
	move  $a0, $s3
	jal   putdec
	nop
	li    $a0, 10
	jal   putc
	nop
	move  $a0, $s3
	j     halt
	nop

# back to the program after its syscall
sys_return:
	mfc0  $k1, $14
	addiu $k1, $k1, 4
	mtc0  $k1, $14
	lui   $k0, 0x8000
	sw    $zero, 0xf00($k0)
	ori   $k0, $k0, 0x800
	lw    $1, 4($k0)
	lw    $2, 8($k0)
	lw    $3, 12($k0)
	lw    $4, 16($k0)
	lw    $5, 20($k0)
	lw    $6, 24($k0)
	lw    $7, 28($k0)
	lw    $8, 32($k0)
	lw    $9, 36($k0)
	lw    $10, 40($k0)
	lw    $11, 44($k0)
	lw    $12, 48($k0)
	lw    $13, 52($k0)
	lw    $14, 56($k0)
	lw    $15, 60($k0)
	lw    $16, 64($k0)
	lw    $17, 68($k0)
	lw    $18, 72($k0)
	lw    $19, 76($k0)
	lw    $20, 80($k0)
	lw    $21, 84($k0)
	lw    $22, 88($k0)
	lw    $23, 92($k0)
	lw    $24, 96($k0)
	lw    $25, 100($k0)
	lw    $28, 112($k0)
	lw    $29, 116($k0)
	lw    $30, 120($k0)
	lw    $31, 124($k0)
	eret
	nop

# any other exception in the user program:
# "monitor: Exception 4 [Address error in inst/data fetch] at EPC 0x..., BadVAddr 0x..."
user_fault:
	la    $a0, m_exc
	jal   newline_puts
	nop
	move  $a0, $s1
	jal   putdec
	nop
	li    $a0, ' '
	jal   putc
	nop
	la    $t0, excnames
	sll   $t1, $s1, 2
	addu  $t0, $t0, $t1
	lw    $a0, 0($t0)
	jal   puts
	nop
	la    $a0, m_epc
	jal   puts
	nop
	mfc0  $a0, $14
	jal   puthex
	nop
	la    $a0, m_bva
	jal   puts
	nop
	mfc0  $a0, $8                  # BadVAddr
	jal   puthex
	nop
	la    $a0, m_stopped
	jal   puts
	nop
	li    $a0, 8
	j     halt
	nop

# an exception in the monitor's own code before the program runs: a bus error means the
# board has no disk controller (booted without --disk)
boot_exc:
	mfc0  $k0, $13
	andi  $k0, $k0, 0x7c
	li    $k1, 7 << 2              # DBE
	beq   $k0, $k1, no_disk
	nop
nested:
	li    $sp, 0x80008000
	la    $a0, m_nested
	jal   newline_puts
	nop
	mfc0  $a0, $13
	jal   puthex
	nop
	la    $a0, m_epc
	jal   puts
	nop
	mfc0  $a0, $14
	jal   puthex
	nop
	la    $a0, m_bva
	jal   puts
	nop
	mfc0  $a0, $8
	jal   puthex
	nop
	li    $a0, 10
	jal   putc
	nop
	li    $a0, 9
	j     halt
	nop

main:
	li    $t0, 0x00400000          # Status: BEV, ERL cleared, kernel mode, interrupts off
	mtc0  $t0, $12
	li    $sp, 0x80008000
	lui   $t0, 0x8000
	sw    $zero, 0xf00($t0)
	sw    $zero, 0xf08($t0)        # booting
	li    $t1, 10
	sw    $t1, 0xf04($t0)          # "last character": at the start of a line
	lui   $s7, 0xbf00              # device registers (kseg1 0xBF000000)
	la    $a0, m_banner
	jal   puts
	nop

	# --- a disk? STATUS.MEDIA (a bus error here, no controller, also ends at no_disk)
	lw    $t0, 0x210($s7)
	andi  $t0, $t0, 0x10
	bne   $t0, $zero, have_disk
	nop
no_disk:
	li    $sp, 0x80008000
	la    $a0, m_nodisk
	jal   puts
	nop
	li    $a0, 2
	j     halt
	nop
have_disk:
	sw    $zero, 0x218($s7)        # CONTROL: polling, no interrupts

	# --- sector 0: header and file table
	li    $a0, 1
	li    $a1, 0
	li    $a2, 1
	li    $a3, 0x1000
	jal   disk_cmd
	nop
	bne   $v0, $zero, disk_error
	nop
	li    $s6, 0x80001000
	lw    $t0, 0($s6)
	li    $t1, DISK_MAGIC
	bne   $t0, $t1, bad_image
	nop
	lw    $t0, 4($s6)
	li    $t1, 1
	bne   $t0, $t1, bad_image
	nop
	lw    $s1, 8($s6)              # file count
	sltiu $t0, $s1, 11
	beq   $t0, $zero, bad_image
	nop

	# --- choose the program: "boot", else the first program entry
	move  $s0, $zero               # chosen entry
	addiu $s2, $s6, 32             # entry i
find_loop:
	beq   $s1, $zero, find_done
	nop
	lw    $t0, 32($s2)             # kind
	li    $t1, 2
	bne   $t0, $t1, find_next
	nop
	bne   $s0, $zero, find_named   # keep the first program
	nop
	move  $s0, $s2
find_named:
	lw    $t0, 0($s2)              # name == "boot\0"? (bytes 62 6f 6f 74 00)
	li    $t1, 0x746f6f62
	bne   $t0, $t1, find_next
	nop
	lbu   $t0, 4($s2)
	bne   $t0, $zero, find_next
	nop
	move  $s0, $s2
	j     find_done
	nop
find_next:
	addiu $s2, $s2, 48
	addiu $s1, $s1, -1
	j     find_loop
	nop
find_done:
	bne   $s0, $zero, have_program
	nop
	la    $a0, m_noprog
	jal   puts
	nop
	li    $a0, 5
	j     halt
	nop
have_program:
	lui   $t0, 0x8000
	sw    $s0, 0xf10($t0)
	la    $a0, m_loading
	jal   puts
	nop
	move  $a0, $s0
	jal   puts
	nop
	la    $a0, m_open
	jal   puts
	nop
	lw    $a0, 28($s0)
	jal   putdec
	nop
	la    $a0, m_bytes_sector
	jal   puts
	nop
	lw    $a0, 24($s0)
	jal   putdec
	nop
	la    $a0, m_close
	jal   puts
	nop

	# --- the program header: first sector of the file
	li    $a0, 1
	lw    $a1, 24($s0)
	li    $a2, 1
	li    $a3, 0x1200
	jal   disk_cmd
	nop
	bne   $v0, $zero, disk_error
	nop
	li    $s6, 0x80001200
	lw    $t0, 0($s6)
	li    $t1, PROGRAM_MAGIC
	bne   $t0, $t1, bad_program
	nop
	lw    $s1, 12($s6)             # segments
	addiu $t0, $s1, -1
	sltiu $t0, $t0, 30             # 1..30
	beq   $t0, $zero, bad_program
	nop

	# --- each segment: check, then DMA it to its load address
	addiu $s2, $s6, 32
seg_loop:
	beq   $s1, $zero, seg_done
	nop
	lw    $s3, 0($s2)              # load address
	lw    $s4, 4($s2)              # size
	lw    $s5, 8($s2)              # offset in the file
	la    $a0, m_seg
	jal   puts
	nop
	lw    $t0, 12($s2)
	la    $a0, m_text
	li    $t1, 1
	beq   $t0, $t1, seg_kind
	nop
	la    $a0, m_data
seg_kind:
	jal   puts
	nop
	move  $a0, $s3
	jal   puthex
	nop
	la    $a0, m_comma
	jal   puts
	nop
	move  $a0, $s4
	jal   putdec
	nop
	la    $a0, m_bytes
	jal   puts
	nop
	# checks: USER_MIN <= addr, addr + size <= 0x80000000, offset sector aligned and
	# offset + size within the file
	li    $t0, USER_MIN
	sltu  $t1, $s3, $t0
	bne   $t1, $zero, seg_outside
	nop
	srl   $t1, $s3, 31
	bne   $t1, $zero, seg_outside
	nop
	addu  $t2, $s3, $s4
	lui   $t3, 0x8000
	sltu  $t1, $t3, $t2            # end > 0x80000000?
	bne   $t1, $zero, seg_outside
	nop
	andi  $t1, $s5, 511
	bne   $t1, $zero, bad_program
	nop
	addu  $t2, $s5, $s4
	lw    $t3, 28($s0)             # file size
	sltu  $t1, $t3, $t2
	bne   $t1, $zero, bad_program
	nop
	# sector = first + offset / 512; sectors = ceil(size / 512); buffer = load address
	lw    $a1, 24($s0)
	srl   $t0, $s5, 9
	addu  $a1, $a1, $t0
	addiu $s4, $s4, 511
	srl   $s4, $s4, 9              # sectors left
	move  $a3, $s3
load_loop:
	beq   $s4, $zero, load_done
	nop
	move  $a2, $s4
	sltiu $t0, $s4, LOAD_CHUNK + 1
	bne   $t0, $zero, load_go
	nop
	li    $a2, LOAD_CHUNK
load_go:
	li    $a0, 1                   # READ
	jal   disk_cmd
	nop
	li    $t0, 5                   # BAD_ADDRESS: the buffer is not RAM
	beq   $v0, $t0, seg_not_ram
	nop
	bne   $v0, $zero, disk_error
	nop
	addu  $a1, $a1, $a2
	subu  $s4, $s4, $a2
	sll   $t0, $a2, 9
	addu  $a3, $a3, $t0
	j     load_loop
	nop
load_done:
	addiu $s2, $s2, 16
	addiu $s1, $s1, -1
	j     seg_loop
	nop

seg_outside:
	la    $a0, m_outside
	jal   puts
	nop
	li    $a0, 6
	j     halt
	nop
seg_not_ram:
	la    $a0, m_notram
	jal   puts
	nop
	li    $a0, 6
	j     halt
	nop

seg_done:
	# --- start it: user mode, registers cleared, $sp and $gp as SPIM sets them
	la    $a0, m_start
	jal   puts
	nop
	move  $a0, $s0
	jal   puts
	nop
	la    $a0, m_at
	jal   puts
	nop
	lw    $a0, 8($s6)              # entry
	jal   puthex
	nop
	la    $a0, m_usermode
	jal   puts
	nop
	lw    $t0, 8($s6)
	mtc0  $t0, $14                 # EPC = entry
	lui   $t0, 0x8000
	li    $t1, 1
	sw    $t1, 0xf08($t0)          # a program runs now
	li    $t0, 0x00400012          # Status: BEV | UM | EXL (eret clears EXL: user mode)
	mtc0  $t0, $12
	li    $sp, USER_SP
	li    $gp, USER_GP
	move  $1, $zero
	move  $2, $zero
	move  $3, $zero
	move  $4, $zero
	move  $5, $zero
	move  $6, $zero
	move  $7, $zero
	move  $8, $zero
	move  $9, $zero
	move  $10, $zero
	move  $11, $zero
	move  $12, $zero
	move  $13, $zero
	move  $14, $zero
	move  $15, $zero
	move  $16, $zero
	move  $17, $zero
	move  $18, $zero
	move  $19, $zero
	move  $20, $zero
	move  $21, $zero
	move  $22, $zero
	move  $23, $zero
	move  $24, $zero
	move  $25, $zero
	move  $26, $zero
	move  $27, $zero
	move  $30, $zero
	move  $31, $zero
	eret
	nop

bad_image:
	la    $a0, m_badimg
	jal   puts
	nop
	li    $a0, 4
	j     halt
	nop
bad_program:
	la    $a0, m_badprog
	jal   puts
	nop
	li    $a0, 6
	j     halt
	nop

# disk_error: after disk_cmd returned $v0 = ERROR code, with $a0 command and $a1 sector
disk_error:
	move  $s0, $a0
	move  $s1, $a1
	move  $s2, $v0
	la    $a0, m_diskerr
	jal   puts
	nop
	move  $a0, $s2
	jal   putdec
	nop
	la    $a0, m_cmd
	jal   puts
	nop
	move  $a0, $s0
	jal   putdec
	nop
	la    $a0, m_sector
	jal   puts
	nop
	move  $a0, $s1
	jal   putdec
	nop
	li    $a0, 10
	jal   putc
	nop
	li    $a0, 3
	j     halt
	nop

# halt($a0): power off with exit code $a0
halt:
	lui   $t0, 0xbf00
	sw    $a0, 0x300($t0)
halt_spin:
	j     halt_spin
	nop

# disk_cmd($a0 command, $a1 sector, $a2 count, $a3 buffer): runs a command, polling STATUS;
# returns $v0 = ERROR register (0: done). Keeps $a0..$a3. Clobbers $t0, $t1.
disk_cmd:
	lui   $t0, 0xbf00
	sw    $a1, 0x200($t0)          # SECTOR
	sw    $a2, 0x204($t0)          # COUNT
	sw    $a3, 0x208($t0)          # BUFFER (physical)
	sw    $a0, 0x20c($t0)          # COMMAND
disk_poll:
	lw    $v0, 0x210($t0)          # STATUS
	andi  $t1, $v0, 0x06           # DONE | ERROR
	beq   $t1, $zero, disk_poll
	nop
	lw    $v0, 0x214($t0)          # ERROR
	jr    $ra
	sw    $zero, 0x21c($t0)        # (delay slot) ACK

# putc($a0): polls the console transmitter; remembers the character. Clobbers $t8, $t9.
putc:
	lui   $t8, 0xbf00
putc_wait:
	lw    $t9, 8($t8)              # transmitter control: bit 0 ready
	andi  $t9, $t9, 1
	beq   $t9, $zero, putc_wait
	nop
	sw    $a0, 12($t8)             # transmitter data
	lui   $t8, 0x8000
	jr    $ra
	sw    $a0, 0xf04($t8)          # (delay slot) last character

# newline_puts($a0): a newline first unless the last character printed was one, then puts.
newline_puts:
	lui   $t8, 0x8000
	lw    $t9, 0xf04($t8)
	andi  $t9, $t9, 0xff
	addiu $t9, $t9, -10
	beq   $t9, $zero, puts
	nop
	addiu $sp, $sp, -8
	sw    $ra, 0($sp)
	sw    $a0, 4($sp)
	li    $a0, 10
	jal   putc
	nop
	lw    $a0, 4($sp)
	lw    $ra, 0($sp)
	addiu $sp, $sp, 8
	# fall through to puts

	.include "lib/print.s"   # puts, puthex, putdec (puts must follow newline_puts)

	.kdata 0xbfc08000
m_banner:	.asciiz "asmbox boot monitor\n"
m_nodisk:	.asciiz "monitor: no disk attached (boot with --disk IMAGE; make one with asmbox mkdisk)\n"
m_badimg:	.asciiz "monitor: not an asmbox disk image (no 'ABXD' version 1 header in sector 0; make one with asmbox mkdisk)\n"
m_noprog:	.asciiz "monitor: no program on the disk (asmbox mkdisk stores .s files as programs)\n"
m_loading:	.asciiz "monitor: loading "
m_open:	.asciiz " ("
m_bytes_sector:	.asciiz " bytes at sector "
m_close:	.asciiz ")\n"
m_seg:	.asciiz "monitor:   "
m_text:	.asciiz "text "
m_data:	.asciiz "data "
m_comma:	.asciiz ", "
m_bytes:	.asciiz " bytes\n"
m_outside:	.asciiz "monitor: segment outside user memory 0x00010000..0x7fffffff\n"
m_notram:	.asciiz "monitor: segment is not in RAM: boot with more RAM (--ram-mib 272 or more reaches SPIM's data segment at 0x10010000)\n"
m_badprog:	.asciiz "monitor: bad program file (no 'ABXP' header or a bad segment table)\n"
m_start:	.asciiz "monitor: starting "
m_at:	.asciiz " at "
m_usermode:	.asciiz " in user mode\n"
m_exited1:	.asciiz "monitor: "
m_exited2:	.asciiz " exited with code "
m_nosys:	.asciiz "monitor: unsupported syscall "
m_nosys2:	.asciiz " (the monitor has 1, 4, 11, 10, 17); program stopped, power off\n"
m_badstr:	.asciiz "monitor: print_string of a kernel address: "
m_exc:	.asciiz "monitor: Exception "
m_epc:	.asciiz " at EPC "
m_bva:	.asciiz ", BadVAddr "
m_stopped:	.asciiz "\nmonitor: program stopped, power off\n"
m_nested:	.asciiz "monitor: exception in the monitor itself, Cause "
m_diskerr:	.asciiz "monitor: disk error "
m_cmd:	.asciiz " on command "
m_sector:	.asciiz " at sector "
x0:	.asciiz "[Interrupt]"
x1:	.asciiz "[TLB]"
x4:	.asciiz "[Address error in inst/data fetch]"
x5:	.asciiz "[Address error in store]"
x6:	.asciiz "[Bad instruction address]"
x7:	.asciiz "[Bad data address]"
x8:	.asciiz "[Error in syscall]"
x9:	.asciiz "[Breakpoint]"
x10:	.asciiz "[Reserved instruction]"
x11:	.asciiz "[Coprocessor unusable]"
x12:	.asciiz "[Arithmetic overflow]"
x13:	.asciiz "[Trap]"
x15:	.asciiz "[Floating point]"
x18:	.asciiz "[Coproc 2]"
x22:	.asciiz "[MDMX]"
x23:	.asciiz "[Watch]"
x24:	.asciiz "[Machine check]"
x30:	.asciiz "[Cache]"
xq:	.asciiz "[Unknown]"
	.align 2
excnames:	.word x0, x1, x1, x1, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, xq, x15
	.word xq, xq, x18, xq, xq, xq, x22, x23, x24, xq, xq, xq, xq, xq, x30, xq
