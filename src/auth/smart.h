/* Internal to src/auth: SMART Backend Services — JSON Web Keys and Signatures (jwt.c), the scopes
 * a system is registered for and granted (systems.c). */
#ifndef YTEXA_AUTH_SMART_H
#define YTEXA_AUTH_SMART_H

#include <jansson.h>
#include <openssl/evp.h>

#include "ytexa/http.h"

/* Decodes base64url without padding (s, n characters) into out (cap bytes): 0 and *len, or
 * YX_EINVAL when a character is outside the alphabet, the text is not a whole encoding, or it
 * does not fit. */
int yx_b64url_decode(const char *s, size_t n, unsigned char *out, size_t cap, size_t *len);
/* The public key of one JWK: kty RSA (n, e: 2048 bits or more) for RS384, or kty EC crv P-384
 * (x, y on the curve) for ES384; alg, when present, must be that one. A key with any private
 * member is refused. 0 and *key (the caller frees it with EVP_PKEY_free), or YX_EINVAL with *why
 * a sentence for the refusal. */
int yx_jwk_key(const json_t *jwk, const char **why, EVP_PKEY **key);
/* Does sig (as the JWS carries it: PKCS #1 v1.5 for RS384, r||s for ES384) sign the signed part
 * ("header.payload") with key under alg ("RS384" or "ES384")? 0, or YX_EAUTH. */
int yx_jws_verify(EVP_PKEY *key, const char *alg, const char *signed_part, size_t signed_len,
                  const unsigned char *sig, size_t sig_len);

/* The most scopes a registration or a request names, and the longest text of them. */
#define YX_SCOPES_MAX 32
#define YX_SCOPE_TEXT_MAX 1024
/* One scope: a resource type ("*" for any) and what it allows, YX_SCOPE_R (read) | YX_SCOPE_S
 * (search). Systems read only: c, u, d are refused. */
enum { YX_SCOPE_R = 1, YX_SCOPE_S = 2 };
struct yx_smart_scope {
    char type[48];
    unsigned perms;
};
/* Parses scopes separated by spaces, each "system/<Type>.<perms>" with perms SMART v2's "r", "s"
 * or "rs", or v1's "read" (taken as "rs"); a type is "*" or a FHIR name ("Patient"). 0 and *n, or
 * YX_EINVAL with *why. */
int yx_smart_scopes_parse(const char *text, struct yx_smart_scope *out, int *n, const char **why);
/* Does one of the n scopes of have allow perms on type? */
int yx_smart_scopes_allow(const struct yx_smart_scope *have, int n, const char *type, unsigned perms);
/* The scopes written back in SMART v2's form, space-separated, into out (size bytes). */
int yx_smart_scopes_text(const struct yx_smart_scope *s, int n, char *out, size_t size);
/* A JWKS as registered: an object {"keys": [1 to 10 keys]}, each with a kid (1 to 128 characters,
 * none twice) that yx_jwk_key() takes. 0, or YX_EINVAL (400 naming field) having failed r. */
int yx_jwks_check(struct yx_req *r, const json_t *jwks, const char *field);

#endif
