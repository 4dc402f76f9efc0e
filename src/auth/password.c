/* Password hashing with Argon2id (libsodium). The cost is above OWASP's floor of 19 MiB and two
 * passes; the encoded string carries its own parameters, so they can be raised later. */
#include <sodium.h>
#include <string.h>

#include "ytexa/auth.h"

#define ARGON_OPS 2
#define ARGON_MEM (19u * 1024u * 1024u)

int yx_password_hash(const char *password, char out[128])
{
    if (crypto_pwhash_str_alg(out, password, strlen(password), ARGON_OPS, ARGON_MEM,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return YX_ENOMEM;
    return 0;
}

int yx_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? 0 : YX_EAUTH;
}

int yx_password_acceptable(const char *password)
{
    size_t chars = 0;
    for (const char *p = password; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    return chars >= 8 && chars <= 128 ? 0 : YX_EINVAL;
}
