/* libFuzzer harness for what a system's token request brings (SMART Backend Services): a JWK of its
 * registered key set, the compact JWS of its client assertion and the scopes it asks for. Input
 * layout: three parts separated by 0x00 bytes: the JWK (JSON), the JWS ("header.payload.sig"), the
 * scope text. Properties checked beyond "no crash, no sanitizer report": a key is made only from a
 * JWK without private members; a signature that verifies no longer does once one bit of what it
 * signs is changed; scopes written back and parsed again are the same scopes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/smart.h"
#include "split.h"

#define PART_MAX 8192

/* The signed part's signature checked under key, for whichever alg the header names. */
static void verify(EVP_PKEY *key, const char *jws, size_t n)
{
    const char *dot1 = memchr(jws, '.', n);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', n - (size_t)(dot1 + 1 - jws)) : NULL;
    if (!dot2)
        return;
    unsigned char header[PART_MAX], sig[PART_MAX];
    size_t hlen, slen;
    if (yx_b64url_decode(jws, (size_t)(dot1 - jws), header, sizeof header, &hlen) != 0 ||
        yx_b64url_decode(dot2 + 1, n - (size_t)(dot2 + 1 - jws), sig, sizeof sig, &slen) != 0)
        return;
    json_t *h = json_loadb((const char *)header, hlen, JSON_REJECT_DUPLICATES, NULL);
    const char *alg = json_string_value(json_object_get(h, "alg"));
    size_t signed_len = (size_t)(dot2 - jws);
    if (alg && key && signed_len && yx_jws_verify(key, alg, jws, signed_len, sig, slen) == 0) {
        /* A signature that verifies covers every byte: one bit changed, it no longer does. */
        char *changed = malloc(signed_len);
        memcpy(changed, jws, signed_len);
        changed[signed_len - 1] ^= 1;
        if (yx_jws_verify(key, alg, changed, signed_len, sig, slen) == 0)
            abort();
        free(changed);
    }
    json_decref(h);
}

static void scopes(const char *text)
{
    struct yx_smart_scope a[YX_SCOPES_MAX], b[YX_SCOPES_MAX];
    int na = 0, nb = 0;
    const char *why;
    char back[YX_SCOPES_MAX * 64];
    if (yx_smart_scopes_parse(text, a, &na, &why) != 0 || na == 0)
        return;
    if (yx_smart_scopes_text(a, na, back, sizeof back) != 0)
        return;
    if (yx_smart_scopes_parse(back, b, &nb, &why) != 0 || na != nb)
        abort();
    for (int i = 0; i < na; i++)
        if (strcmp(a[i].type, b[i].type) != 0 || a[i].perms != b[i].perms)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *part[3] = {NULL, NULL, NULL};
    size_t len[3] = {0, 0, 0};
    int n = fuzz_split(data, size, part, len, 3, 0);
    EVP_PKEY *key = NULL;
    const char *why = NULL;
    json_t *jwk = n > 0 ? json_loadb(part[0], len[0], JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (jwk && yx_jwk_key(jwk, &why, &key) == 0 && (json_object_get(jwk, "d") || json_object_get(jwk, "p")))
        abort(); /* a private key was taken in */
    if (n > 1 && len[1] < PART_MAX * 3)
        verify(key, part[1], len[1]);
    if (n > 2 && len[2] <= YX_SCOPE_TEXT_MAX)
        scopes(part[2]);
    EVP_PKEY_free(key);
    json_decref(jwk);
    for (int i = 0; i < n; i++)
        free(part[i]);
    return 0;
}
