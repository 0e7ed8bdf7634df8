/* String building: sprintf, strcat/strlen, memcpy into a growing buffer, and a hash over it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 20;
    uint32_t hash = 2166136261u;
    size_t total = 0;
    for (int r = 0; r < rounds; r++) {
        size_t cap = 64, len = 0;
        char *buf = malloc(cap);
        buf[0] = 0;
        for (int i = 0; i < 5000; i++) {
            char item[64];
            int n = snprintf(item, sizeof item, "%d:%x,", i * r, (unsigned)(i * 2654435761u));
            if (len + (size_t)n + 1 > cap) { cap *= 2; buf = realloc(buf, cap); }
            memcpy(buf + len, item, (size_t)n + 1);
            len += (size_t)n;
        }
        char line[256] = "";
        for (int i = 0; i < 20; i++) { strcat(line, "ab"); strcat(line, i % 2 ? "cd" : "efg"); }
        total += len + strlen(line);
        for (size_t i = 0; i < len; i++) hash = (hash ^ (unsigned char)buf[i]) * 16777619u;
        char *p = buf;
        int commas = 0;
        while ((p = strchr(p, ',')) != NULL) { commas++; p++; }
        hash ^= (uint32_t)commas;
        free(buf);
    }
    printf("built %zu bytes, hash %08x\n", total, hash);
    return 0;
}
