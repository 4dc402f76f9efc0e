/* Unit tests of what a file is (src/files/sniff.c) and of the DICOM key tags (src/files/dicom.c),
 * on files built here byte by byte: explicit and implicit VR, a sequence of undefined length
 * before the body part, and hostile lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
