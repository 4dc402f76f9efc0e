/* An image's size from its header, without decoding it: the PNG IHDR chunk, the JPEG frame header
 * (SOFn). A decoder asked for a 30000 × 30000 image allocates and works for every pixel whatever
 * the file weighs (an 875 KB PNG held a worker 5 s), so the pixels are counted here, from bytes
 * that cost nothing to read, before anything is decoded. Hostile bytes are the normal case: every
 * length is checked against the bytes there are before it is followed. */
#include "ytexa/core.h"
#include "ytexa/files.h"

static uint32_t be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* PNG: the 8-byte signature, then the IHDR chunk (length 13): width and height, 4 bytes each,
 * big-endian, at most 2^31 - 1 (PNG's own limit). */
static int png_size(const unsigned char *p, size_t n, uint32_t *w, uint32_t *h)
{
    static const unsigned char head[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                           0,    0,   0,   13,  'I',  'H',  'D',  'R'};
    for (size_t i = 0; i < n && i < sizeof head; i++)
        if (p[i] != head[i])
            return YX_EMEDIA;
    if (n < 24)
        return YX_IMAGE_NEED_MORE;
    *w = be32(p + 16);
    *h = be32(p + 20);
    return *w && *h && *w <= 0x7fffffffu && *h <= 0x7fffffffu ? 0 : YX_EMEDIA;
}

/* A JPEG frame header: SOF0 to SOF15 but DHT (C4), JPG (C8) and DAC (CC), which share the range. */
static int is_sof(unsigned m)
{
    return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/* JPEG: SOI, then segments (0xFF, a marker, a 2-byte length that counts itself) up to the frame
 * header, which holds the height and the width. Each turn moves forward by two bytes at least, so
 * the walk ends within n. */
static int jpeg_size(const unsigned char *p, size_t n, uint32_t *w, uint32_t *h)
{
    if (n < 2)
        return n == 1 && p[0] != 0xff ? YX_EMEDIA : YX_IMAGE_NEED_MORE;
    if (p[0] != 0xff || p[1] != 0xd8)
        return YX_EMEDIA;
    size_t i = 2;
    for (;;) {
        if (i >= n)
            return YX_IMAGE_NEED_MORE;
        if (p[i] != 0xff)
            return YX_EMEDIA;
        while (i < n && p[i] == 0xff) /* fill bytes before a marker */
            i++;
        if (i >= n)
            return YX_IMAGE_NEED_MORE;
        unsigned m = p[i++];
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd7))
            continue; /* TEM and RSTn stand alone */
        if (m == 0x00 || m == 0xd8 || m == 0xd9 || m == 0xda)
            return YX_EMEDIA; /* a stuffed byte, a second SOI, the end or the scan before any frame */
        if (n - i < 2)
            return YX_IMAGE_NEED_MORE;
        size_t len = be16(p + i);
        if (len < 2)
            return YX_EMEDIA;
        if (is_sof(m)) {
            /* length, sample precision, height, width */
            if (len < 8)
                return YX_EMEDIA;
            if (n - i < 7)
                return YX_IMAGE_NEED_MORE;
            *h = be16(p + i + 3);
            *w = be16(p + i + 5);
            /* A height of 0 is given later by a DNL segment: not knowable here, so not accepted. */
            return *w && *h ? 0 : YX_EMEDIA;
        }
        if (len > n - i)
            return YX_IMAGE_NEED_MORE;
        i += len;
    }
}

int yx_image_size(const unsigned char *p, size_t n, uint32_t *w, uint32_t *h)
{
    *w = *h = 0;
    if (n == 0)
        return YX_IMAGE_NEED_MORE;
    int rc = p[0] == 0x89 ? png_size(p, n, w, h) : p[0] == 0xff ? jpeg_size(p, n, w, h) : YX_EMEDIA;
    if (rc != 0)
        *w = *h = 0;
    return rc;
}
