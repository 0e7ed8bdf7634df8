# Disk demo ROM: identifies the disk, reads the file table of an asmbox disk image (made by
# `asmbox mkdisk`, format in roms/README.md), reads every file, computes its FNV-1a checksum,
# compares it with the table, then increments a boot counter in the image's log sector and
# writes it back (WRITE + FLUSH). Powers off with exit code 0 when every file checks out.
#
# Boot with: asmbox mkdisk roms/disk/* -o disk.img
#            asmbox boot roms/disk-demo.s --disk disk.img               (counter kept in an overlay)
#            asmbox boot roms/disk-demo.s --disk disk.img --disk-write  (counter saved in the image)
#
# Exit codes: 0 all files OK, 1 a checksum differs, 2 no disk attached, 3 disk error,
# 4 not an asmbox disk image, 5 unexpected exception.
#
# Disk transfers: the file table read and the log sector write wait for the disk's completion
# interrupt (CONTROL.IE, Cause IP4, Status.IM4): the handler at 0xBFC00380 saves STATUS in a
# flag word and acknowledges the disk, and the ROM spins on the flag with interrupts enabled.
# Every other command (IDENTIFY, file reads, the log read, FLUSH) polls STATUS for DONE/ERROR.
#
# Memory (physical = kseg0 - 0x80000000; the DMA BUFFER register takes physical addresses):
#   0x80000f00   interrupt flag: disk STATUS at completion (0 while waiting)
#   0x80001000   sector 0: header and file table (DMA buffer 0x1000)
#   0x80001200   log sector (DMA buffer 0x1200)
#   0x80001400   first line of the current file (NUL-terminated, empty if not text)
#   0x80008000   top of the ROM's stack (grows down)
#   0x80010000   file buffer, CHUNK sectors (DMA buffer 0x10000)
# BEV stays set, so exceptions vector to 0xBFC00380 in ROM.
	.set noat
	.eqv DISK_MAGIC, 0x44584241        # 'ABXD'
	.eqv LOG_MAGIC, 0x4c584241         # 'ABXL'
	.eqv CHUNK, 64                     # sectors per file read (32 KiB)

	.ktext 0xbfc00000
reset:
	j     main
	nop

	.ktext 0xbfc00380
exc_vector:
	mfc0  $k0, $13             # Cause
	andi  $k1, $k0, 0x7c       # ExcCode
	li    $k0, 7 << 2          # DBE: bus error. Without --disk the board has no disk
	beq   $k1, $k0, no_disk    # controller at all, so the first STATUS read faults
	nop
	bne   $k1, $zero, unexpected
	nop
	mfc0  $k0, $13
	andi  $k1, $k0, 0x1000     # IP4: the disk
	beq   $k1, $zero, unexpected
	nop
	lui   $k0, 0xbf00
	lw    $k1, 0x210($k0)      # disk STATUS (DONE or ERROR is set, so never 0)
	sw    $k1, 0x21c($k0)      # ACK: clears DONE/ERROR and the interrupt line
	lui   $k0, 0x8000
	sw    $k1, 0xf00($k0)      # the flag the waiting code spins on
	eret
	nop

unexpected:
	la    $a0, m_exc
	jal   puts
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
	li    $a0, 10
	jal   putc
	nop
	li    $a0, 5
	j     halt
	nop

main:
	li    $t0, 0x00400000      # Status: BEV, ERL cleared, kernel mode, interrupts off
	mtc0  $t0, $12
	li    $sp, 0x80008000
	lui   $s7, 0xbf00          # device registers (kseg1 0xBF000000)
	move  $s2, $zero           # checks that failed
	la    $a0, m_banner
	jal   puts
	nop

	# --- is there a disk? STATUS.MEDIA (0x10); a bus error here (no controller) also ends
	# up at no_disk, through the exception handler
	lw    $t0, 0x210($s7)
	andi  $t0, $t0, 0x10
	bne   $t0, $zero, have_disk
	nop
no_disk:
	la    $a0, m_nodisk
	jal   puts
	nop
	li    $a0, 2
	j     halt
	nop
have_disk:
	sw    $zero, 0x218($s7)    # CONTROL: no interrupts (polling) until we ask for them
	# --- IDENTIFY: capacity in RESULT
	li    $a0, 4
	li    $a1, 0
	li    $a2, 1
	li    $a3, 0x1000
	jal   disk_cmd
	nop
	la    $a0, m_disk
	jal   puts
	nop
	lw    $a0, 0x220($s7)      # RESULT: capacity in sectors
	jal   putdec
	nop
	lw    $t0, 0x210($s7)
	andi  $t0, $t0, 0x20       # STATUS.PERSIST
	la    $a0, m_overlay
	beq   $t0, $zero, have_disk_kind
	nop
	la    $a0, m_persist
have_disk_kind:	jal   puts
	nop

	# --- sector 0 -> 0x1000, waiting for the completion interrupt
	li    $a0, 1
	li    $a1, 0
	li    $a2, 1
	li    $a3, 0x1000
	jal   disk_cmd_irq
	nop
	li    $s6, 0x80001000      # header
	lw    $t0, 0($s6)
	li    $t1, DISK_MAGIC
	bne   $t0, $t1, bad_image
	nop
	lw    $t0, 4($s6)          # version 1
	li    $t1, 1
	bne   $t0, $t1, bad_image
	nop
	lw    $s1, 8($s6)          # file count
	sltiu $t0, $s1, 11         # at most 10 entries
	beq   $t0, $zero, bad_image
	nop
	la    $a0, m_table
	jal   puts
	nop
	move  $a0, $s1
	jal   putdec
	nop
	la    $a0, m_files
	jal   puts
	nop
	# table checksum: FNV-1a of bytes 32..511
	addiu $a0, $s6, 32
	li    $a1, 480
	li    $a2, 0x811c9dc5
	jal   fnv
	nop
	lw    $t0, 20($s6)
	la    $a0, m_ok
	beq   $v0, $t0, table_checked
	nop
	la    $a0, m_bad
	addiu $s2, $s2, 1
table_checked:	jal   puts
	nop

	# --- every file: read it in chunks, checksum, compare
	addiu $s0, $s6, 32         # first table entry (48 bytes each)
file_loop:
	beq   $s1, $zero, files_done
	nop
	li    $t0, 0x80001400
	sb    $zero, 0($t0)        # no first line yet
	lw    $s3, 24($s0)         # next sector
	lw    $s4, 28($s0)         # bytes left
	li    $s5, 0x811c9dc5      # FNV-1a state
chunk_loop:
	beq   $s4, $zero, chunk_done
	nop
	addiu $a2, $s4, 511
	srl   $a2, $a2, 9          # sectors left
	sltiu $t0, $a2, CHUNK + 1
	bne   $t0, $zero, chunk_loop_1
	nop
	li    $a2, CHUNK
chunk_loop_1:	move  $s6, $a2             # sectors this time
	li    $a0, 1               # READ
	move  $a1, $s3
	li    $a3, 0x10000
	jal   disk_cmd
	nop
	sll   $a1, $s6, 9          # bytes read: min(bytes left, sectors * 512)
	sltu  $t0, $s4, $a1
	beq   $t0, $zero, chunk_loop_2
	nop
	move  $a1, $s4
chunk_loop_2:	addu  $s3, $s3, $s6
	subu  $s4, $s4, $a1
	li    $t0, 0x80001400
	lbu   $t1, 0($t0)
	bne   $t1, $zero, chunk_loop_3       # first line already taken (files longer than a chunk)
	nop
	lw    $t1, 32($s0)         # kind 1: data
	li    $t2, 1
	bne   $t1, $t2, chunk_loop_3
	nop
	li    $a0, 0x80010000
	jal   first_line           # (keeps $a1)
	nop
chunk_loop_3:	li    $a0, 0x80010000
	move  $a2, $s5
	jal   fnv
	nop
	move  $s5, $v0
	j     chunk_loop
	nop
chunk_done:
	# "  NAME (KIND): SIZE bytes, fnv1a 0xHHHHHHHH OK"
	la    $a0, m_indent
	jal   puts
	nop
	move  $a0, $s0
	jal   puts
	nop
	lw    $t0, 32($s0)
	la    $a0, m_data
	li    $t1, 2
	bne   $t0, $t1, chunk_done_1
	nop
	la    $a0, m_program
chunk_done_1:	jal   puts
	nop
	lw    $a0, 28($s0)
	jal   putdec
	nop
	la    $a0, m_bytes
	jal   puts
	nop
	move  $a0, $s5
	jal   puthex
	nop
	lw    $t0, 36($s0)
	la    $a0, m_ok
	beq   $s5, $t0, chunk_done_2
	nop
	la    $a0, m_bad
	addiu $s2, $s2, 1
chunk_done_2:	jal   puts
	nop
	li    $t0, 0x80001400      # the first line of a text file
	lbu   $t1, 0($t0)
	beq   $t1, $zero, chunk_done_3
	nop
	la    $a0, m_quote
	jal   puts
	nop
	li    $a0, 0x80001400
	jal   puts
	nop
	li    $a0, 10
	jal   putc
	nop
chunk_done_3:	addiu $s0, $s0, 48
	addiu $s1, $s1, -1
	j     file_loop
	nop
files_done:

	# --- the log sector: read (polling), count this boot, write (interrupt), flush (polling)
	li    $t0, 0x80001000
	lw    $s3, 12($t0)         # log sector number
	li    $a0, 1
	move  $a1, $s3
	li    $a2, 1
	li    $a3, 0x1200
	jal   disk_cmd
	nop
	li    $s6, 0x80001200
	lw    $t0, 0($s6)
	li    $t1, LOG_MAGIC
	beq   $t0, $t1, files_done_1
	nop
	la    $a0, m_newlog        # no log yet: start one
	jal   puts
	nop
	li    $t1, LOG_MAGIC
	sw    $t1, 0($s6)
	sw    $zero, 4($s6)
files_done_1:	lw    $s4, 4($s6)
	addiu $s4, $s4, 1
	sw    $s4, 4($s6)
	li    $a0, 2               # WRITE
	move  $a1, $s3
	li    $a2, 1
	li    $a3, 0x1200
	jal   disk_cmd_irq
	nop
	li    $a0, 3               # FLUSH
	move  $a1, $s3
	li    $a2, 1
	li    $a3, 0x1200
	jal   disk_cmd
	nop
	la    $a0, m_count
	jal   puts
	nop
	move  $a0, $s4
	jal   putdec
	nop
	la    $a0, m_saved
	jal   puts
	nop
	move  $a0, $s3
	jal   putdec
	nop
	la    $a0, m_close
	jal   puts
	nop

	beq   $s2, $zero, all_ok
	nop
	move  $a0, $s2
	jal   putdec
	nop
	la    $a0, m_nbad
	jal   puts
	nop
	li    $a0, 1
	j     halt
	nop
all_ok:
	la    $a0, m_allok
	jal   puts
	nop
	li    $a0, 0
	j     halt
	nop

bad_image:
	la    $a0, m_badimg
	jal   puts
	nop
	li    $a0, 4
	j     halt
	nop

# halt($a0): power off with exit code $a0
halt:
	lui   $t0, 0xbf00
	sw    $a0, 0x300($t0)
halt_1:	j     halt_1
	nop

# disk_cmd($a0 command, $a1 sector, $a2 count, $a3 buffer): starts a command and polls STATUS
# until DONE or ERROR; acknowledges it; on ERROR prints the error and halts with 3.
# Returns STATUS in $v0. Clobbers $t0..$t2.
disk_cmd:
	lui   $t0, 0xbf00
	sw    $a1, 0x200($t0)      # SECTOR
	sw    $a2, 0x204($t0)      # COUNT
	sw    $a3, 0x208($t0)      # BUFFER (physical)
	sw    $a0, 0x20c($t0)      # COMMAND: latches the three above and starts
disk_cmd_1:	lw    $v0, 0x210($t0)      # STATUS
	andi  $t1, $v0, 0x06       # DONE | ERROR
	beq   $t1, $zero, disk_cmd_1
	nop
	sw    $zero, 0x21c($t0)    # ACK
	andi  $t1, $v0, 0x04
	bne   $t1, $zero, disk_error
	nop
	jr    $ra
	nop

# disk_cmd_irq: as disk_cmd, but waits for the completion interrupt (IP4).
disk_cmd_irq:
	lui   $t0, 0x8000
	sw    $zero, 0xf00($t0)    # flag: not done
	lui   $t0, 0xbf00
	li    $t1, 1
	sw    $t1, 0x218($t0)      # CONTROL.IE
	li    $t1, 0x00401001      # Status: BEV | IM4 | IE
	mtc0  $t1, $12
	sw    $a1, 0x200($t0)
	sw    $a2, 0x204($t0)
	sw    $a3, 0x208($t0)
	sw    $a0, 0x20c($t0)      # COMMAND
	lui   $t2, 0x8000
disk_cmd_irq_1:	lw    $v0, 0xf00($t2)      # set by the interrupt handler
	beq   $v0, $zero, disk_cmd_irq_1
	nop
	li    $t1, 0x00400000      # interrupts off again
	mtc0  $t1, $12
	sw    $zero, 0x218($t0)    # CONTROL: polling
	andi  $t1, $v0, 0x04       # ERROR
	bne   $t1, $zero, disk_error
	nop
	jr    $ra
	nop

disk_error:
	move  $s0, $a0
	move  $s1, $a1
	la    $a0, m_diskerr
	jal   puts
	nop
	lui   $t0, 0xbf00
	lw    $s2, 0x214($t0)      # ERROR
	move  $a0, $s2
	jal   putdec
	nop
	li    $a0, ' '
	jal   putc
	nop
	li    $a0, '('
	jal   putc
	nop
	sltiu $t0, $s2, 8
	bne   $t0, $zero, disk_error_1
	nop
	li    $s2, 0
disk_error_1:	la    $t0, errnames
	sll   $t1, $s2, 2
	addu  $t0, $t0, $t1
	lw    $a0, 0($t0)
	jal   puts
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
	la    $a0, m_close
	jal   puts
	nop
	li    $a0, 3
	j     halt
	nop

# first_line($a0 buffer, $a1 length): copies the buffer's first line (up to 72 characters,
# before a newline) to 0x80001400 if it is all printable ASCII, else leaves it empty.
# Clobbers $t0..$t4.
first_line:
	li    $t0, 0x80001400
	move  $t3, $zero           # characters copied
first_line_1:	beq   $t3, $a1, first_line_3         # end of the data
	nop
	li    $t4, 72
	beq   $t3, $t4, first_line_long
	nop
	addu  $t1, $a0, $t3
	lbu   $t2, 0($t1)
	li    $t4, 10
	beq   $t2, $t4, first_line_3         # newline: the line is complete
	nop
	sltiu $t4, $t2, 0x20
	bne   $t4, $zero, first_line_2       # control character: not text
	nop
	sltiu $t4, $t2, 0x7f
	beq   $t4, $zero, first_line_2
	nop
	addu  $t1, $t0, $t3
	sb    $t2, 0($t1)
	addiu $t3, $t3, 1
	j     first_line_1
	nop
first_line_long:
	li    $t4, '.'             # longer than 72 characters: "..."
	addu  $t1, $t0, $t3
	sb    $t4, 0($t1)
	sb    $t4, 1($t1)
	sb    $t4, 2($t1)
	j     first_line_3
	addiu $t3, $t3, 3          # (delay slot)
first_line_2:	move  $t3, $zero           # not text: empty
first_line_3:	addu  $t1, $t0, $t3
	jr    $ra
	sb    $zero, 0($t1)        # (delay slot) NUL

# fnv($a0 bytes, $a1 length, $a2 state) -> $v0: FNV-1a 32-bit continued over the bytes.
# Clobbers $t0, $t1, $a0..$a2.
fnv:
	li    $t0, 0x01000193      # FNV prime
fnv_1:	beq   $a1, $zero, fnv_2
	nop
	lbu   $t1, 0($a0)
	xor   $a2, $a2, $t1
	mul   $a2, $a2, $t0
	addiu $a0, $a0, 1
	j     fnv_1
	addiu $a1, $a1, -1         # (delay slot)
fnv_2:	jr    $ra
	move  $v0, $a2             # (delay slot)

# putc($a0): polls the console transmitter. Clobbers $t8, $t9.
putc:
	lui   $t8, 0xbf00
putc_1:	lw    $t9, 8($t8)          # transmitter control: bit 0 ready
	andi  $t9, $t9, 1
	beq   $t9, $zero, putc_1
	nop
	jr    $ra
	sw    $a0, 12($t8)         # (delay slot) transmitter data

	.include "lib/print.s"   # puts, puthex, putdec

	.kdata 0xbfc08000
m_banner:	.asciiz "asmbox disk demo\n"
m_nodisk:	.asciiz "disk-demo: no disk attached (boot with --disk IMAGE; make one with asmbox mkdisk)\n"
m_disk:	.asciiz "disk: "
m_overlay:	.asciiz " sectors, writes go to an overlay (boot with --disk-write to keep them)\n"
m_persist:	.asciiz " sectors, writes reach the image\n"
m_table:	.asciiz "file table: "
m_files:	.asciiz " files, table checksum"
m_indent:	.asciiz "  "
m_data:	.asciiz " (data): "
m_program:	.asciiz " (program): "
m_bytes:	.asciiz " bytes, fnv1a "
m_ok:	.asciiz " OK\n"
m_bad:	.asciiz " BAD\n"
m_quote:	.asciiz "    | "
m_newlog:	.asciiz "log sector: empty, starting a new log\n"
m_count:	.asciiz "boot count: "
m_saved:	.asciiz " (saved in sector "
m_close:	.asciiz ")\n"
m_nbad:	.asciiz " checksum(s) BAD, power off\n"
m_allok:	.asciiz "all files OK, power off\n"
m_badimg:	.asciiz "disk-demo: not an asmbox disk image (no 'ABXD' version 1 header in sector 0; make one with asmbox mkdisk)\n"
m_diskerr:	.asciiz "disk-demo: disk error "
m_cmd:	.asciiz ") on command "
m_sector:	.asciiz " at sector "
m_exc:	.asciiz "disk-demo: unexpected exception, Cause "
m_epc:	.asciiz " EPC "
e0:	.asciiz "none"
e1:	.asciiz "no media"
e2:	.asciiz "bad command"
e3:	.asciiz "bad sector"
e4:	.asciiz "bad count"
e5:	.asciiz "bad address"
e6:	.asciiz "I/O error"
e7:	.asciiz "read-only"
	.align 2
errnames:	.word e0, e1, e2, e3, e4, e5, e6, e7
