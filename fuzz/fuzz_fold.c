/* libFuzzer harness for Unicode validation and folding (used on names and search queries). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!yx_utf8_valid((const char *)data, size))
        return 0;
    char *f = yx_fold((const char *)data, size);
    if (f) {
        /* Folding is idempotent: folding a folded string changes nothing. */
        char *g = yx_fold(f, strlen(f));
        if (!g || strcmp(f, g) != 0)
            abort();
        free(g);
    }
    free(f);
    return 0;
}
