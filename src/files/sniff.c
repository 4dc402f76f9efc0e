/* What a file is, from its first bytes (never from its name or the type the client claims), and
 * what the allow list lets each type weigh. */
#include <string.h>

#include "ytexa/core.h"
#include "ytexa/files.h"

#define MIB (1024LL * 1024)

struct magic {
    size_t at;
    const char *bytes;
    size_t len;
    const char *mime, *kind;
    int64_t max;
};

static const struct magic magics[] = {
    {0, "\xff\xd8\xff", 3, "image/jpeg", "image", 30 * MIB},
    {0, "\x89PNG\r\n\x1a\n", 8, "image/png", "image", 30 * MIB},
    {0, "%PDF-", 5, "application/pdf", "pdf", 30 * MIB},
    /* DICOM Part 10: a 128-byte preamble, then "DICM". */
    {128, "DICM", 4, "application/dicom", "dicom", 500 * MIB},
    /* ISO base media (MP4, MOV): a box of type "ftyp" first. */
    {4, "ftyp", 4, "video/mp4", "video", 200 * MIB},
    /* Matroska / WebM: the EBML header. */
    {0, "\x1a\x45\xdf\xa3", 4, "video/webm", "video", 200 * MIB},
};

int yx_file_sniff(const unsigned char *head, size_t n, const char **mime, const char **kind, int64_t *max)
{
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
        const struct magic *m = &magics[i];
        if (n >= m->at + m->len && memcmp(head + m->at, m->bytes, m->len) == 0) {
            *mime = m->mime;
            *kind = m->kind;
            *max = m->max;
            return 0;
        }
    }
    return YX_EMEDIA;
}

int yx_file_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 200 || !yx_utf8_valid(name, n) || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
            return 0;
    return 1;
}
