/* Verification codes printed on paper (signed minutes, certificates): short enough to type from a
 * phone, unambiguous when read aloud or off a blurred copy (Crockford's base32 has no I, L, O, U). */
#include <ctype.h>

#include "ytexa/core.h"

void yx_verify_code(char out[12])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    unsigned char rnd[10];
    yx_random(rnd, sizeof rnd);
    for (int i = 0, o = 0; i < 10; i++) {
        if (i == 5)
            out[o++] = '-';
        out[o++] = alphabet[rnd[i] & 31];
    }
    out[11] = '\0';
}

int yx_verify_code_parse(const char *in, char out[12])
{
    int o = 0;
    for (const char *p = in; *p; p++) {
        if (*p == '-')
            continue;
        if (o == 10 || !isalnum((unsigned char)*p))
            return -1;
        if (o == 5)
            out[5] = '-';
        out[o < 5 ? o : o + 1] = (char)toupper((unsigned char)*p);
        o++;
    }
    out[11] = '\0';
    return o == 10 ? 0 : -1;
}
