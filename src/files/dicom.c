/* The key tags of a DICOM Part 10 file, read from its first bytes: modality (0008,0060), study
 * date (0008,0020) and body part examined (0018,0015), shown beside the file so a specialist knows
 * what it is before opening a viewer. The file itself is kept exactly as it came.
 *
 * The file meta group (0002) is explicit VR little endian; the data set is explicit or implicit VR
 * little endian as (0002,0010) says (big endian and compressed-deflate data sets are rare and left
 * unread). Sequences of undefined length are walked item by item. Every length is checked against
 * the bytes there are: a hostile file ends the reading, never more. */
#include <string.h>

#include "ytexa/files.h"

struct cur {
    const unsigned char *p;
    size_t n, at;
    int explicit_vr;
};

static unsigned u16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}
static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* VRs whose length is 4 bytes after 2 reserved ones (PS3.5 7.1.2). */
static int long_vr(const unsigned char *vr)
{
    static const char *const vrs[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                      "SV", "UC", "UN", "UR", "UT", "UV"};
    for (size_t i = 0; i < sizeof vrs / sizeof vrs[0]; i++)
        if (memcmp(vr, vrs[i], 2) == 0)
            return 1;
    return 0;
}

/* A value copied into out, trailing spaces and NULs (DICOM padding) dropped, printable ASCII only. */
static void take(const unsigned char *v, uint32_t len, char *out, size_t cap)
{
    size_t k = 0;
    for (uint32_t i = 0; i < len && k + 1 < cap; i++)
        if (v[i] >= 0x20 && v[i] < 0x7f)
            out[k++] = (char)v[i];
    while (k > 0 && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
}

static int walk(struct cur *c, struct yx_dicom *d, int depth, int in_item);

/* The items of a sequence of undefined length, up to its delimiter. */
static int walk_sequence(struct cur *c, struct yx_dicom *d, int depth)
{
    while (c->at + 8 <= c->n) {
        unsigned g = u16(c->p + c->at), e = u16(c->p + c->at + 2);
        uint32_t len = u32(c->p + c->at + 4);
        c->at += 8;
        if (g == 0xfffe && e == 0xe0dd)
            return 0;
        if (g != 0xfffe || e != 0xe000)
            return -1;
        if (len == 0xffffffffu) {
            if (walk(c, d, depth + 1, 1) != 0)
                return -1;
        } else if (len > c->n - c->at) {
            return -1;
        } else {
            c->at += len;
        }
    }
    return -1;
}

/* Elements until the end of the bytes, an item delimiter (in an item) or something unreadable. */
static int walk(struct cur *c, struct yx_dicom *d, int depth, int in_item)
{
    if (depth > 8)
        return -1;
    while (c->at + 8 <= c->n) {
        const unsigned char *h = c->p + c->at;
        unsigned g = u16(h), e = u16(h + 2);
        int explicit_vr = g == 0x0002 || c->explicit_vr;
        uint32_t len;
        int sq = 0;
        if (g == 0xfffe && e == 0xe00d) {
            c->at += 8;
            return in_item ? 0 : -1;
        }
        if (explicit_vr && long_vr(h + 4)) {
            if (c->at + 12 > c->n)
                return -1;
            sq = memcmp(h + 4, "SQ", 2) == 0;
            len = u32(h + 8);
            c->at += 12;
        } else if (explicit_vr) {
            len = u16(h + 6);
            c->at += 8;
        } else {
            len = u32(h + 4);
            c->at += 8;
            sq = len == 0xffffffffu;
        }
        if (len == 0xffffffffu) {
            if (!sq || walk_sequence(c, d, depth) != 0)
                return -1;
            continue;
        }
        if (len > c->n - c->at)
            return -1;
        const unsigned char *v = c->p + c->at;
        if (g == 0x0002 && e == 0x0010) {
            char ts[72];
            take(v, len, ts, sizeof ts);
            c->explicit_vr = strcmp(ts, "1.2.840.10008.1.2") != 0; /* implicit VR little endian */
        } else if (g == 0x0008 && e == 0x0060 && depth == 0) {
            take(v, len, d->modality, sizeof d->modality);
        } else if (g == 0x0008 && e == 0x0020 && depth == 0) {
            take(v, len, d->study_date, sizeof d->study_date);
        } else if (g == 0x0018 && e == 0x0015 && depth == 0) {
            take(v, len, d->body_part, sizeof d->body_part);
        }
        c->at += len;
        if (depth == 0 && g > 0x0018)
            return 0; /* past every tag we want */
    }
    return 0;
}

int yx_dicom_tags(const unsigned char *p, size_t n, struct yx_dicom *d)
{
    memset(d, 0, sizeof *d);
    if (n < 132 || memcmp(p + 128, "DICM", 4) != 0)
        return -1;
    struct cur c = {p, n, 132, 1};
    walk(&c, d, 0, 0);
    return d->modality[0] || d->study_date[0] || d->body_part[0] ? 0 : -1;
}
