/* libFuzzer harness for the image header reader (PNG IHDR, JPEG frame header): any bytes, never a
 * read past them; a size found is never zero, nothing is set otherwise, and a shorter prefix of
 * the same bytes never answers differently, only "need more" (the reader decides on the bytes it
 * has, so an upload's first chunk and the whole file agree). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/core.h"
#include "ytexa/files.h"

/* yx_image_size() over an exact copy of the first n bytes, so ASan sees any read past them. */
static int size_of(const uint8_t *data, size_t n, uint32_t *w, uint32_t *h)
{
    unsigned char *copy = malloc(n ? n : 1);
    if (!copy)
        abort();
    memcpy(copy, data, n);
    int rc = yx_image_size(copy, n, w, h);
    free(copy);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t w, h, pw, ph;
    int rc = size_of(data, size, &w, &h);
    if (rc != 0 && rc != YX_IMAGE_NEED_MORE && rc != YX_EMEDIA)
        abort();
    if (rc == 0 ? (w == 0 || h == 0) : (w != 0 || h != 0))
        abort();
    const size_t cuts[] = {size / 2, size ? size - 1 : 0};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        int prc = size_of(data, cuts[i], &pw, &ph);
        if (prc != YX_IMAGE_NEED_MORE && (prc != rc || pw != w || ph != h))
            abort();
    }
    return 0;
}
