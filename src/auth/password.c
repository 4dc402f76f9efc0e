/* Password hashing with Argon2id (libsodium). The cost is above OWASP's floor of 19 MiB and two
 * passes; the encoded string carries its own parameters, so they can be raised later. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- Guessable passwords ----------------------------------------------------------------------
 *
 * A password is compared by its key: folded (lower case, no diacritics, đ → d) and kept to its
 * letters and digits, so "Pass-Word", "pass word" and "PASSWORD" are one. Its stem is the key
 * without the digits it ends with ("iloveyou2026" → "iloveyou"). */

#define KEY_MAX 512
/* The most entries of the list read (john-data's has 3,546): a ceiling on the file an operator names. */
#define LIST_MAX 1000000

/* The keys of the common-password list (yx_password_list_load), sorted. */
static char **common;
static size_t ncommon;

/* What people here choose that a list from English-speaking sites does not hold: "mật khẩu" and
 * its kin, greetings, places, and this system's own names. */
static const char *const local_words[] = {
    "matkhau", "matkhaumoi", "matma",    "anhyeuem", "emyeuanh",  "yeuem",  "yeuanh",
    "xinchao", "vietnam",    "hanoi",    "saigon",   "hochiminh", "danang", "ytexa",
    "ytetuxa", "tramyte",    "benhvien", "bacsi",    "quantri",   "admin",  NULL,
};

/* s's key into out (at most KEY_MAX - 1 characters): its length. */
static size_t key_of(const char *s, char *out)
{
    char *folded = yx_fold(s, strlen(s));
    size_t n = 0;
    for (const char *p = folded ? folded : ""; *p && n < KEY_MAX - 1; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            out[n++] = *p;
    out[n] = '\0';
    free(folded);
    return n;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int yx_password_list_load(const char *path)
{
    if (!path || !*path)
        return 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        yx_log(YX_LOG_WARN,
               "no list of common passwords at %s (Debian's john-data): new passwords are checked "
               "against the sequences, the local words and the names only",
               path);
        return -1;
    }
    char line[KEY_MAX], key[KEY_MAX];
    size_t cap = 4096, n = 0;
    char **list = malloc(cap * sizeof *list);
    while (list && n < LIST_MAX && fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        int whole = line[len] != '\0' || feof(f);
        line[len] = '\0';
        if (!whole) /* longer than any password: the rest of it skipped, the line left out */
            for (int c = 0; c != '\n' && c != EOF;)
                c = fgetc(f);
        if (!whole || strncmp(line, "#!comment", 9) == 0 || key_of(line, key) < 4)
            continue;
        if (n == cap) {
            char **more = realloc(list, (cap *= 2) * sizeof *list);
            if (!more)
                break;
            list = more;
        }
        if (!(list[n] = strdup(key)))
            break;
        n++;
    }
    fclose(f);
    if (!list)
        return -1;
    qsort(list, n, sizeof *list, by_text);
    for (size_t i = 0; i < ncommon; i++)
        free(common[i]);
    free(common);
    common = list;
    ncommon = n;
    return (int)n;
}

static int is_common(const char *key)
{
    for (const char *const *w = local_words; *w; w++)
        if (strcmp(*w, key) == 0)
            return 1;
    return ncommon && bsearch(&key, common, ncommon, sizeof *common, by_text) != NULL;
}

/* One character again and again, a run up or down the alphabet or the digits ("abcdefgh",
 * "98765432"), or a unit of two or three repeated ("12121212", "abcabcabc"). */
static int is_pattern(const char *k, size_t n)
{
    int up = 1, down = 1;
    for (size_t i = 1; i < n; i++) {
        up &= k[i] == k[i - 1] + 1;
        down &= k[i] == k[i - 1] - 1;
    }
    if (n >= 2 && (up || down))
        return 1;
    for (size_t unit = 1; unit <= 3 && unit < n; unit++) {
        size_t i = unit;
        while (i < n && k[i] == k[i - unit])
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

int yx_password_guessable(const char *password, const char *username, const char *full_name)
{
    char key[KEY_MAX], stem[KEY_MAX], other[KEY_MAX];
    size_t n = key_of(password, key);
    if (n == 0) /* no Latin letter nor digit: only its bytes repeated ("!!!!!!!!", one CJK character) */
        return is_pattern(password, strlen(password)) ? YX_PW_PATTERN : 0;
    memcpy(stem, key, n + 1);
    for (size_t s = n; s > 0 && stem[s - 1] >= '0' && stem[s - 1] <= '9'; s--)
        stem[s - 1] = '\0';
    size_t sn = strlen(stem);
    if (is_pattern(key, n) || (sn >= 4 && is_pattern(stem, sn)))
        return YX_PW_PATTERN;
    if (is_common(key) || (sn >= 4 && is_common(stem)))
        return YX_PW_COMMON;
    if (username && key_of(username, other) >= 3 && strstr(key, other))
        return YX_PW_PERSONAL;
    if (full_name && key_of(full_name, other) >= 4 && strstr(key, other))
        return YX_PW_PERSONAL;
    /* A word of the name, with digits after it ("nguyen1990"). */
    for (const char *w = full_name ? full_name : ""; *w;) {
        size_t len = strcspn(w, " ");
        char word[KEY_MAX];
        snprintf(word, sizeof word, "%.*s", (int)len, w);
        if (key_of(word, other) >= 3 && strcmp(other, stem) == 0)
            return YX_PW_PERSONAL;
        w += len + (w[len] == ' ');
    }
    return 0;
}

/* Why a password is easily guessed, by yx_password_guessable()'s answer: Vietnamese, English. */
static const char *const weakness[][2] = {
    [YX_PW_PATTERN] = {"lặp lại hoặc liên tiếp", "repeated or consecutive characters"},
    [YX_PW_COMMON] = {"một trong những mật khẩu phổ biến nhất", "one of the most common passwords"},
    [YX_PW_PERSONAL] = {"chứa tên đăng nhập hay họ tên", "it holds the username or the name"},
};

const char *yx_password_weakness(int why)
{
    return why >= YX_PW_PATTERN && why <= YX_PW_PERSONAL ? weakness[why][1] : NULL;
}

int yx_password_check(struct yx_req *r, const char *field, const char *password, const char *username,
                      const char *full_name)
{
    if (yx_password_acceptable(password) != 0)
        return yx_fail_field(r, YX_EINVAL, field,
                             "Mật khẩu cần 8–128 ký tự / a password needs 8 to 128 characters.");
    int why = yx_password_guessable(password, username, full_name);
    if (!why)
        return 0;
    int rc = yx_fail_code(r, YX_EINVAL, "weak_password", NULL,
                          "Mật khẩu dễ bị đoán: %s / the password is easily guessed: %s.", weakness[why][0],
                          weakness[why][1]);
    r->err_field = field;
    return rc;
}
