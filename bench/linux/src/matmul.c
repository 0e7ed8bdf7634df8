/* Integer matrix multiplication: multiply-accumulate and array indexing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 160 };
static int32_t a[N][N], b[N][N], c[N][N];

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 6;
    uint32_t seed = 1;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            seed = seed * 1103515245u + 12345u; a[i][j] = (int32_t)(seed >> 16) % 100 - 50;
            seed = seed * 1103515245u + 12345u; b[i][j] = (int32_t)(seed >> 16) % 100 - 50;
        }
    uint32_t check = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                int32_t s = 0;
                for (int k = 0; k < N; k++) s += a[i][k] * b[k][j];
                c[i][j] = s;
            }
        for (int i = 0; i < N; i++) check = check * 31 + (uint32_t)c[i][(i * 7 + r) % N];
        a[r % N][r % N] += 1;
    }
    printf("matmul %dx%d x%d: checksum %08x\n", N, N, rounds, check);
    return 0;
}
