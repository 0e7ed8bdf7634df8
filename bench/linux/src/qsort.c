/* libc qsort of integers and strings: indirect calls through a comparison callback. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_int(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 150000;
    int *v = malloc(n * sizeof *v);
    uint32_t s = 7;
    for (int i = 0; i < n; i++) { s = s * 1664525u + 1013904223u; v[i] = (int)(s >> 1); }
    qsort(v, n, sizeof *v, cmp_int);
    uint32_t check = 0;
    for (int i = 0; i < n; i += n / 64) check = check * 33 + (uint32_t)v[i];
    int m = n / 4;
    char **strs = malloc(m * sizeof *strs);
    char *pool = malloc((size_t)m * 12);
    for (int i = 0; i < m; i++) {
        s = s * 1664525u + 1013904223u;
        strs[i] = pool + (size_t)i * 12;
        snprintf(strs[i], 12, "k%08x", s);
    }
    qsort(strs, m, sizeof *strs, cmp_str);
    for (int i = 0; i < m; i += m / 16) check = check * 33 + (uint32_t)strs[i][3];
    printf("qsort %d ints, %d strings: %08x first=%d last=%d\n", n, m, check, v[0], v[n - 1]);
    return 0;
}
