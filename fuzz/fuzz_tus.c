/* libFuzzer harness for the tus 1.0 headers of a resumable upload (src/files/uploads.c), read by
 * the functions the routes read them with: Tus-Resumable, Upload-Length, Upload-Offset with the
 * chunk's Content-Type, and Upload-Metadata's base64 pairs (the file name, the purpose). Input
 * layout: six parts separated by 0x00 bytes: Tus-Resumable, Upload-Length, Upload-Offset,
 * Content-Type, Upload-Metadata, and bytes to encode as a metadata value; a part that is not there
 * is a header that is absent. Properties checked beyond "no crash, no sanitizer report": a number
 * is read exactly when it is 1 to 15 digits, and written back it is those digits; an accepted
 * length is 1 byte to the largest upload; a chunk accepted is at the server's offset, which is
 * never negative, and ends within the length; a value encoded into Upload-Metadata decodes to
 * what was encoded (refused when it holds a NUL or is longer than the space for it). */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files/files_internal.h"
#include "split.h"

#define NPARTS 6
#define VALUE_MAX 400

static void number(const char *v)
{
    int64_t n = yx_files_tus_number(v);
    size_t len = v ? strlen(v) : 0;
    int digits = len >= 1 && len <= 15 && strspn(v, "0123456789") == len;
    if ((n >= 0) != digits)
        abort();
    if (n < 0)
        return;
    /* Written back, it is the digits without their leading zeros. */
    char back[24];
    const char *lead = v + strspn(v, "0");
    snprintf(back, sizeof back, "%lld", (long long)n);
    if (strcmp(back, *lead ? lead : "0") != 0)
        abort();
}

/* Each chunk the upload could be sent: at a few offsets the server could have, of a few sizes. */
static void chunks(const char *type, const char *offset, int64_t length, size_t body)
{
    int64_t at = yx_files_tus_number(offset);
    const int64_t received[] = {0, length / 2, length, at};
    for (size_t i = 0; i < sizeof received / sizeof received[0]; i++) {
        /* What the server may have: never less than nothing, never more than the length. */
        int64_t have = received[i] < 0 ? 0 : received[i] > length ? length : received[i];
        const size_t sizes[] = {0, 1, body, (size_t)(length - have), (size_t)(length - have) + 1};
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
            for (int complete = 0; complete < 2; complete++) {
                if (yx_files_tus_chunk(type, offset, length, have, complete, sizes[k]) != 0)
                    continue;
                if (complete || at != have || at < 0 || at > length || (int64_t)sizes[k] > length - at ||
                    strcmp(type, "application/offset+octet-stream") != 0)
                    abort();
            }
    }
}

/* The value encoded as Upload-Metadata's first pair, ahead of the header's own pairs, read back. */
static void round_trip(const char *key, size_t cap, const unsigned char *value, size_t n, const char *rest)
{
    char b64[sodium_base64_ENCODED_LEN(VALUE_MAX, sodium_base64_VARIANT_ORIGINAL)];
    char header[sizeof b64 + 64], out[256];
    if (n > VALUE_MAX || cap > sizeof out)
        return;
    sodium_bin2base64(b64, sizeof b64, value, n, sodium_base64_VARIANT_ORIGINAL);
    snprintf(header, sizeof header, "%s %s,%.40s", key, b64, rest ? rest : "");
    int found = yx_files_tus_metadata(header, key, out, cap);
    int fits = n > 0 && n < cap && !memchr(value, '\0', n);
    if (fits ? found != 1 || strlen(out) != n || memcmp(out, value, n) != 0 : n > 0 && found != -1)
        abort();
}

static void metadata(const char *m, const unsigned char *value, size_t n)
{
    char name[201], purpose[16];
    if (yx_files_tus_metadata(m, "filename", name, sizeof name) == 1) {
        if (strlen(name) >= sizeof name)
            abort();
        yx_file_name_ok(name);
    }
    if (yx_files_tus_metadata(m, "purpose", purpose, sizeof purpose) == 1 &&
        strlen(purpose) >= sizeof purpose)
        abort();
    round_trip("filename", sizeof name, value, n, m);
    round_trip("purpose", sizeof purpose, value, n, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *part[NPARTS] = {NULL};
    size_t len[NPARTS] = {0};
    int n = fuzz_split(data, size, part, len, NPARTS, 1);
    int64_t length = 0;
    yx_files_tus_version_ok(part[0]);
    number(part[1]);
    number(part[2]);
    if (yx_files_tus_length(part[1], &length) == 0) {
        if (length < 1 || length > 500LL * 1024 * 1024)
            abort();
        chunks(part[3], part[2], length, len[5]);
    }
    if (n > 4)
        metadata(part[4], (const unsigned char *)(part[5] ? part[5] : ""), len[5]);
    for (int i = 0; i < n; i++)
        free(part[i]);
    return 0;
}
