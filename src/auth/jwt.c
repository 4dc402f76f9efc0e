/* The JSON Web Signatures of SMART Backend Services: a system's public keys as a JWKS (RFC 7517,
 * RSA and P-384 EC keys) turned into OpenSSL keys, and a compact JWS (RFC 7515) checked with one
 * of them, RS384 or ES384 (RFC 7518). Nothing here trusts the token before the signature holds:
 * the caller reads the claims only from what yx_jws_verify() has checked. */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include <string.h>

#include "smart.h"

int yx_b64url_decode(const char *s, size_t n, unsigned char *out, size_t cap, size_t *len)
{
    /* libsodium stops at the first character outside the alphabet and reports where; a decoded
     * value must use all of its text. */
    const char *end = NULL;
    if (sodium_base642bin(out, cap, s, n, NULL, len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        end != s + n)
        return YX_EINVAL;
    return 0;
}

/* A JWK member as bytes (base64url), between min and max bytes long. */
static int member_bytes(const json_t *jwk, const char *name, unsigned char *out, size_t min, size_t max,
                        size_t *len)
{
    const char *v = json_string_value(json_object_get(jwk, name));
    if (!v || yx_b64url_decode(v, strlen(v), out, max, len) != 0 || *len < min)
        return YX_EINVAL;
    return 0;
}

static int rsa_key(const json_t *jwk, EVP_PKEY **key)
{
    unsigned char n[1024], e[16];
    size_t nl, el;
    BIGNUM *bn = NULL, *be = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    int rc = YX_EINVAL;
    /* 2048 to 8192 bits: below is too weak, above costs too much to check. */
    if (member_bytes(jwk, "n", n, 256, sizeof n, &nl) != 0 ||
        member_bytes(jwk, "e", e, 1, sizeof e, &el) != 0)
        goto out;
    if (!(bn = BN_bin2bn(n, (int)nl, NULL)) || !(be = BN_bin2bn(e, (int)el, NULL)) ||
        !(bld = OSSL_PARAM_BLD_new()) || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) || !(params = OSSL_PARAM_BLD_to_param(bld)) ||
        !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        goto out;
    rc = EVP_PKEY_get_bits(*key) >= 2048 ? 0 : YX_EINVAL;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    return rc;
}

static int ec_key(const json_t *jwk, EVP_PKEY **key)
{
    unsigned char point[97], x[48], y[48];
    size_t xl, yl;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL, *check = NULL;
    int rc = YX_EINVAL;
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    if (!crv || strcmp(crv, "P-384") != 0 || member_bytes(jwk, "x", x, 48, 48, &xl) != 0 ||
        member_bytes(jwk, "y", y, 48, 48, &yl) != 0)
        goto out;
    /* The uncompressed point: 0x04, x, y. OpenSSL refuses a point that is not on the curve. */
    point[0] = 4;
    memcpy(point + 1, x, 48);
    memcpy(point + 49, y, 48);
    if (!(bld = OSSL_PARAM_BLD_new()) ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point) ||
        !(params = OSSL_PARAM_BLD_to_param(bld)) || !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) ||
        EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        goto out;
    check = EVP_PKEY_CTX_new_from_pkey(NULL, *key, NULL);
    rc = check && EVP_PKEY_public_check(check) == 1 ? 0 : YX_EINVAL;
out:
    EVP_PKEY_CTX_free(check);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return rc;
}

/* Members that only a private key has (RFC 7518 6.2.2 and 6.3.2): a JWKS that holds one was sent
 * by mistake, and the key must be replaced, not stored. */
static const char *const private_members[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k", NULL};

int yx_jwk_key(const json_t *jwk, const char **why, EVP_PKEY **key)
{
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    const char *alg = json_string_value(json_object_get(jwk, "alg"));
    int rc;
    *key = NULL;
    for (int i = 0; private_members[i]; i++)
        if (json_object_get(jwk, private_members[i])) {
            *why = "a key holds a private member: register public keys only";
            return YX_EINVAL;
        }
    if (kty && strcmp(kty, "RSA") == 0 && (!alg || strcmp(alg, "RS384") == 0)) {
        rc = rsa_key(jwk, key);
        *why = "an RSA key needs n (2048 to 8192 bits) and e, base64url";
    } else if (kty && strcmp(kty, "EC") == 0 && (!alg || strcmp(alg, "ES384") == 0)) {
        rc = ec_key(jwk, key);
        *why = "an EC key needs crv P-384 and x, y (48 bytes each, base64url) on the curve";
    } else {
        *why = "a key is RSA (RS384) or EC P-384 (ES384)";
        rc = YX_EINVAL;
    }
    if (rc) {
        EVP_PKEY_free(*key);
        *key = NULL;
    }
    return rc;
}

/* JOSE's ES384 signature is r and s, 48 bytes each; OpenSSL verifies the DER ECDSA-Sig-Value. */
static int es384_der(const unsigned char *raw, size_t len, unsigned char **der, int *derlen)
{
    ECDSA_SIG *sig = NULL;
    BIGNUM *r = NULL, *s = NULL;
    int rc = YX_EINVAL;
    *der = NULL;
    if (len != 96 || !(sig = ECDSA_SIG_new()) || !(r = BN_bin2bn(raw, 48, NULL)) ||
        !(s = BN_bin2bn(raw + 48, 48, NULL)) || !ECDSA_SIG_set0(sig, r, s))
        goto out;
    r = s = NULL; /* the signature owns them now */
    if ((*derlen = i2d_ECDSA_SIG(sig, der)) > 0)
        rc = 0;
out:
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return rc;
}

int yx_jws_verify(EVP_PKEY *key, const char *alg, const char *signed_part, size_t signed_len,
                  const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *md = NULL;
    unsigned char *der = NULL;
    int derlen = 0, rc = YX_EAUTH, ec = strcmp(alg, "ES384") == 0;
    if (ec != (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC))
        return YX_EAUTH; /* the header's alg names another kind of key than the kid's */
    if (ec) {
        if (es384_der(sig, sig_len, &der, &derlen) != 0)
            return YX_EAUTH;
        sig = der;
        sig_len = (size_t)derlen;
    }
    if ((md = EVP_MD_CTX_new()) && EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, key) == 1 &&
        EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)signed_part, signed_len) == 1)
        rc = 0;
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    return rc;
}
