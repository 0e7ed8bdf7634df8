/* Sieve of Eratosthenes: byte loads and stores in a tight loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 6;
    enum { N = 2000000 };
    static unsigned char composite[N + 1];
    long count = 0;
    for (int r = 0; r < rounds; r++) {
        memset(composite, 0, sizeof composite);
        count = 0;
        for (long i = 2; i <= N; i++) {
            if (composite[i]) continue;
            count++;
            if (i <= N / i) for (long j = i * i; j <= N; j += i) composite[j] = 1;
        }
    }
    printf("primes below %d: %ld (%d rounds)\n", N, count, rounds);
    return 0;
}
