/* The fuzzer's input read as up to max parts separated by NUL bytes, each copied with a NUL of its
 * own into part[i] (len[i] bytes; free each). rest: the last part takes the rest of the input, NUL
 * bytes included; otherwise it ends at the next NUL and what follows is not read. Returns how many
 * parts there are. */
#ifndef YX_FUZZ_SPLIT_H
#define YX_FUZZ_SPLIT_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline int fuzz_split(const uint8_t *data, size_t size, char **part, size_t *len, int max, int rest)
{
    size_t start = 0;
    int n = 0;
    for (size_t i = 0; i <= size && n < max; i++) {
        int last = rest && n == max - 1;
        if (i < size && data[i] != 0 && !last)
            continue;
        size_t end = last ? size : i;
        len[n] = end - start;
        part[n] = malloc(len[n] + 1);
        memcpy(part[n], data + start, len[n]);
        part[n][len[n]] = '\0';
        start = end + 1;
        n++;
        if (end == size)
            break;
    }
    return n;
}

#endif
