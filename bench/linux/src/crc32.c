/* Table-driven CRC-32 over a buffer: shifts, xors, table lookups. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t table[256];

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 12;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    enum { LEN = 1 << 20 };
    static unsigned char buf[LEN];
    uint32_t x = 2463534242u;
    for (int i = 0; i < LEN; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; buf[i] = (unsigned char)x; }
    uint32_t crc = 0;
    for (int r = 0; r < rounds; r++) {
        uint32_t c = ~crc;
        for (int i = 0; i < LEN; i++) c = table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
        crc = ~c;
    }
    printf("crc32 of %d MiB: %08x\n", rounds, crc);
    return 0;
}
