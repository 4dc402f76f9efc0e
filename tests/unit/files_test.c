/* Unit tests of what a file is (src/files/sniff.c), of the DICOM key tags (src/files/dicom.c) and
 * of an image's size from its header (src/files/image.c), on files built here byte by byte:
 * explicit and implicit VR, a sequence of undefined length before the body part, hostile lengths,
 * PNG and JPEG headers cut at every byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ytexa/core.h"
#include "ytexa/files.h"

struct b {
    unsigned char d[4096];
    size_t n;
};

static void put(struct b *b, const void *p, size_t n)
{
    memcpy(b->d + b->n, p, n);
    b->n += n;
}
static void u16(struct b *b, unsigned v)
{
    unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    put(b, x, 2);
}
static void u32(struct b *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(b, x, 4);
}
/* An explicit-VR element with a short (2-byte) length. */
static void el(struct b *b, unsigned g, unsigned e, const char *vr, const char *v)
{
    u16(b, g);
    u16(b, e);
    put(b, vr, 2);
    u16(b, (unsigned)strlen(v));
    put(b, v, strlen(v));
}
/* An implicit-VR element. */
static void iel(struct b *b, unsigned g, unsigned e, const char *v)
{
    u16(b, g);
    u16(b, e);
    u32(b, (uint32_t)strlen(v));
    put(b, v, strlen(v));
}
static void preamble(struct b *b, const char *transfer_syntax)
{
    memset(b, 0, sizeof *b);
    b->n = 128;
    put(b, "DICM", 4);
    el(b, 0x0002, 0x0010, "UI", transfer_syntax);
}

static void explicit_vr_with_a_sequence(void **state)
{
    (void)state;
    struct b b;
    struct yx_dicom d;
    preamble(&b, "1.2.840.10008.1.2.1");
    el(&b, 0x0008, 0x0020, "DA", "20261120");
    el(&b, 0x0008, 0x0060, "CS", "DX");
    /* (0008,1140) Referenced Image Sequence, undefined length, one item of undefined length
     * holding a Modality of its own that must not win. */
    u16(&b, 0x0008), u16(&b, 0x1140), put(&b, "SQ", 2), u16(&b, 0), u32(&b, 0xffffffffu);
    u16(&b, 0xfffe), u16(&b, 0xe000), u32(&b, 0xffffffffu);
    el(&b, 0x0008, 0x0060, "CS", "CT");
    u16(&b, 0xfffe), u16(&b, 0xe00d), u32(&b, 0);
    u16(&b, 0xfffe), u16(&b, 0xe0dd), u32(&b, 0);
    el(&b, 0x0018, 0x0015, "CS", "CHEST ");
    el(&b, 0x0020, 0x000d, "UI", "1.2.3");
    assert_int_equal(yx_dicom_tags(b.d, b.n, &d), 0);
    assert_string_equal(d.modality, "DX");
    assert_string_equal(d.study_date, "20261120");
    assert_string_equal(d.body_part, "CHEST");
}

static void implicit_vr(void **state)
{
    (void)state;
    struct b b;
    struct yx_dicom d;
    preamble(&b, "1.2.840.10008.1.2");
    iel(&b, 0x0008, 0x0020, "20250101");
    iel(&b, 0x0008, 0x0060, "CT");
    iel(&b, 0x0018, 0x0015, "HEAD");
    assert_int_equal(yx_dicom_tags(b.d, b.n, &d), 0);
    assert_string_equal(d.modality, "CT");
    assert_string_equal(d.body_part, "HEAD");
}

static void hostile_lengths_stop_the_reading(void **state)
{
    (void)state;
    struct b b;
    struct yx_dicom d;
    preamble(&b, "1.2.840.10008.1.2.1");
    el(&b, 0x0008, 0x0060, "CS", "MR");
    u16(&b, 0x0008), u16(&b, 0x0070), put(&b, "UT", 2), u16(&b, 0), u32(&b, 0x7fffffffu); /* past the end */
    assert_int_equal(yx_dicom_tags(b.d, b.n, &d), 0);
    assert_string_equal(d.modality, "MR");
    /* Every prefix of a valid file is read safely (ASan watches). */
    preamble(&b, "1.2.840.10008.1.2.1");
    el(&b, 0x0008, 0x0020, "DA", "20261120");
    u16(&b, 0x0008), u16(&b, 0x1140), put(&b, "SQ", 2), u16(&b, 0), u32(&b, 0xffffffffu);
    u16(&b, 0xfffe), u16(&b, 0xe000), u32(&b, 0xffffffffu);
    for (size_t n = 0; n <= b.n; n++) {
        unsigned char *copy = malloc(n ? n : 1);
        memcpy(copy, b.d, n);
        yx_dicom_tags(copy, n, &d);
        free(copy);
    }
    unsigned char not_dicom[200] = {0};
    assert_int_equal(yx_dicom_tags(not_dicom, sizeof not_dicom, &d), -1);
}

static void types_from_content(void **state)
{
    (void)state;
    const char *mime, *kind;
    int64_t max;
    unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0};
    assert_int_equal(yx_file_sniff(png, sizeof png, &mime, &kind, &max), 0);
    assert_string_equal(mime, "image/png");
    unsigned char mp4[] = {0, 0, 0, 0x20, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
    assert_int_equal(yx_file_sniff(mp4, sizeof mp4, &mime, &kind, &max), 0);
    assert_string_equal(kind, "video");
    assert_int_equal(yx_file_sniff((const unsigned char *)"GIF89a", 6, &mime, &kind, &max), -8);
    assert_int_equal(yx_file_sniff((const unsigned char *)"<svg", 4, &mime, &kind, &max), -8);
    assert_int_equal(yx_file_sniff((const unsigned char *)"\xff\xd8", 2, &mime, &kind, &max), -8);
}

/* The size of p[0..n) as yx_image_size() reads it from an exact copy (so a read past the end is a
 * read past a malloc'd block, which the sanitizer run of the suite reports). */
static int size_of(const unsigned char *p, size_t n, uint32_t *w, uint32_t *h)
{
    unsigned char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, p, n);
    int rc = yx_image_size(copy, n, w, h);
    free(copy);
    return rc;
}

static void be32(struct b *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                          (unsigned char)v};
    put(b, x, 4);
}

/* A PNG's start: the signature and an IHDR of w × h (its CRC is not checked: a decoder does). */
static void png_head(struct b *b, uint32_t w, uint32_t h)
{
    memset(b, 0, sizeof *b);
    put(b, "\x89PNG\r\n\x1a\n", 8);
    be32(b, 13);
    put(b, "IHDR", 4);
    be32(b, w);
    be32(b, h);
    put(b, "\x08\x02\x00\x00\x00", 5);
    be32(b, 0); /* CRC */
}

/* A JPEG segment: 0xFF, the marker, a length that counts itself, then the bytes. */
static void seg(struct b *b, unsigned marker, const void *body, size_t n)
{
    unsigned char m[4] = {0xff, (unsigned char)marker, (unsigned char)((n + 2) >> 8), (unsigned char)(n + 2)};
    put(b, m, 4);
    put(b, body, n);
}

/* A frame header body: precision 8, height, width, one component. */
static void sof(struct b *b, unsigned marker, unsigned h, unsigned w)
{
    unsigned char f[9] = {
        8, (unsigned char)(h >> 8), (unsigned char)h, (unsigned char)(w >> 8), (unsigned char)w, 1, 1, 0x11,
        0};
    seg(b, marker, f, sizeof f);
}

static void png_sizes(void **state)
{
    (void)state;
    struct b b;
    uint32_t w, h;
    png_head(&b, 30000, 30000);
    assert_int_equal(size_of(b.d, b.n, &w, &h), 0);
    assert_int_equal(w, 30000);
    assert_int_equal(h, 30000);
    /* Every prefix short of the height's last byte: not known yet, never a guess. */
    for (size_t n = 0; n < 24; n++) {
        assert_int_equal(size_of(b.d, n, &w, &h), YX_IMAGE_NEED_MORE);
        assert_int_equal(w, 0);
    }
    assert_int_equal(size_of(b.d, 24, &w, &h), 0);
    /* Zero, over PNG's 2^31 - 1, or the first chunk not IHDR: malformed. */
    png_head(&b, 0, 10);
    assert_int_equal(size_of(b.d, b.n, &w, &h), YX_EMEDIA);
    png_head(&b, 10, 0x80000000u);
    assert_int_equal(size_of(b.d, b.n, &w, &h), YX_EMEDIA);
    png_head(&b, 10, 10);
    b.d[15] = 'X';
    assert_int_equal(size_of(b.d, b.n, &w, &h), YX_EMEDIA);
    assert_int_equal(size_of(b.d, 12, &w, &h), YX_IMAGE_NEED_MORE);
    b.d[11] = 14; /* an IHDR of another length */
    assert_int_equal(size_of(b.d, b.n, &w, &h), YX_EMEDIA);
    assert_int_equal(size_of((const unsigned char *)"\x89PNX", 4, &w, &h), YX_EMEDIA);
}

static void jpeg_sizes(void **state)
{
    (void)state;
    struct b b;
    uint32_t w, h;
    unsigned char app[1000] = {'E', 'x', 'i', 'f', 0, 0};
    memset(&b, 0, sizeof b);
    put(&b, "\xff\xd8", 2);
    seg(&b, 0xe0, "JFIF\0\1\1\0\0\1\0\1\0\0", 14);
    seg(&b, 0xe1, app, sizeof app);
    seg(&b, 0xdb, app, 65); /* a quantisation table */
    seg(&b, 0xc4, app, 20); /* a Huffman table: C4 is not a frame header */
    size_t frame = b.n;
    sof(&b, 0xc0, 1200, 1600);
    seg(&b, 0xda, app, 10);
    assert_int_equal(size_of(b.d, b.n, &w, &h), 0);
    assert_int_equal(w, 1600);
    assert_int_equal(h, 1200);
    /* Cut anywhere before the width's last byte: not known yet. */
    for (size_t n = 0; n < frame + 9; n++)
        assert_int_equal(size_of(b.d, n, &w, &h), YX_IMAGE_NEED_MORE);
    assert_int_equal(size_of(b.d, frame + 9, &w, &h), 0);
    /* A progressive frame (SOF2), after fill bytes and a restart marker, is a frame too. */
    b.n = frame;
    put(&b, "\xff\xff\xff\xd0", 4);
    sof(&b, 0xc2, 30000, 30000);
    assert_int_equal(size_of(b.d, b.n, &w, &h), 0);
    assert_int_equal(w, 30000);
    /* The scan before any frame, a height given later (DNL), a length under 2, a byte that is
     * not a marker where one must be: malformed. */
    b.n = frame;
    seg(&b, 0xda, app, 10);
    assert_int_equal(size_of(b.d, b.n, &w, &h), YX_EMEDIA);
    b.n = frame;
    sof(&b, 0xc0, 0, 1600);
    assert_int_equal(size_of(b.d, b.n, &w, &h), YX_EMEDIA);
    b.n = frame;
    put(&b, "\xff\xe2\x00\x01", 4);
    assert_int_equal(size_of(b.d, b.n, &w, &h), YX_EMEDIA);
    b.n = frame;
    put(&b, "\x00\xff\xc0", 3);
    assert_int_equal(size_of(b.d, b.n, &w, &h), YX_EMEDIA);
    /* A segment that says it runs 65 KB further than the bytes there are: not followed. */
    b.n = frame;
    put(&b, "\xff\xe1\xff\xff", 4);
    assert_int_equal(size_of(b.d, b.n, &w, &h), YX_IMAGE_NEED_MORE);
    /* A frame header too short to hold a size. */
    b.n = frame;
    put(&b, "\xff\xc0\x00\x05\x08\x01\x00", 7);
    assert_int_equal(size_of(b.d, b.n, &w, &h), YX_EMEDIA);
    /* Neither PNG nor JPEG. */
    assert_int_equal(size_of((const unsigned char *)"GIF89a", 6, &w, &h), YX_EMEDIA);
    assert_int_equal(size_of((const unsigned char *)"\xff\xd9", 2, &w, &h), YX_EMEDIA);
    assert_int_equal(size_of((const unsigned char *)"\x12", 1, &w, &h), YX_EMEDIA);
}

/* The type is decided from YX_SNIFF_BYTES bytes, not before: a DICOM file's magic ends there. */
static void sniff_needs_its_bytes(void **state)
{
    (void)state;
    struct b b;
    const char *mime, *kind;
    int64_t max;
    preamble(&b, "1.2.840.10008.1.2.1");
    assert_int_equal(yx_file_sniff(b.d, YX_SNIFF_BYTES, &mime, &kind, &max), 0);
    assert_string_equal(kind, "dicom");
    assert_int_equal(yx_file_sniff(b.d, YX_SNIFF_BYTES - 1, &mime, &kind, &max), YX_EMEDIA);
}

static void file_names(void **state)
{
    (void)state;
    assert_true(yx_file_name_ok("X-quang ngực – Giàng Seo Páo.jpg"));
    assert_false(yx_file_name_ok("../a.jpg"));
    assert_false(yx_file_name_ok("a\\b.jpg"));
    assert_false(yx_file_name_ok(".."));
    assert_false(yx_file_name_ok(""));
    assert_false(yx_file_name_ok("a\nb"));
    assert_false(yx_file_name_ok("\xc3("));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(explicit_vr_with_a_sequence),
        cmocka_unit_test(implicit_vr),
        cmocka_unit_test(hostile_lengths_stop_the_reading),
        cmocka_unit_test(types_from_content),
        cmocka_unit_test(file_names),
        cmocka_unit_test(png_sizes),
        cmocka_unit_test(jpeg_sizes),
        cmocka_unit_test(sniff_needs_its_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
