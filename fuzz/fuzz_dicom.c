/* libFuzzer harness for the DICOM key-tag reader: any bytes, never a read past them, and the tags
 * it returns are printable and NUL-terminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct yx_dicom d;
    /* A copy of exactly size bytes, so ASan sees any read past the end. */
    unsigned char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    if (yx_dicom_tags(copy, size, &d) == 0) {
        const char *tags[] = {d.modality, d.study_date, d.body_part};
        for (int i = 0; i < 3; i++)
            for (const char *p = tags[i]; *p; p++)
                if (*p < 0x20 || *p > 0x7e)
                    abort();
    }
    free(copy);
    return 0;
}
