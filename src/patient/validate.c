/* Identity numbers and other shapes of a patient record: CCCD, BHYT, phone, dates, name keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

/* Province-of-birth codes of the CCCD (the 63 provinces before the 2025 reform; numbers issued
 * before then keep them, and the Ministry of Public Security has not re-coded issued numbers). */
static const short cccd_provinces[] = {
    1,  2,  4,  6,  8,  10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33,
    34, 35, 36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66,
    67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
};

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[n] == '\0';
}

const char *yx_cccd_problem(const char *cccd, int64_t birth_year, const char *sex)
{
    if (strlen(cccd) != 12 || !all_digits(cccd, 12))
        return "Số CCCD gồm đúng 12 chữ số / a CCCD number has exactly 12 digits.";
    int province = (cccd[0] - '0') * 100 + (cccd[1] - '0') * 10 + (cccd[2] - '0'), known = 0;
    for (size_t i = 0; i < sizeof cccd_provinces / sizeof cccd_provinces[0]; i++)
        known |= cccd_provinces[i] == province;
    if (!known)
        return "3 số đầu của CCCD không phải mã tỉnh nơi đăng ký khai sinh / "
               "the first 3 digits of a CCCD are not a province code.";
    /* The 4th digit is the century and sex: 0/1 for 1900-1999 (male/female), 2/3 for 2000-2099… */
    int g = cccd[3] - '0', yy = (cccd[4] - '0') * 10 + (cccd[5] - '0');
    int century = (int)(birth_year / 100) - 19;
    if (century < 0 || century > 4 || g / 2 != century || yy != (int)(birth_year % 100))
        return "Số CCCD không khớp năm sinh / the CCCD's century and year digits do not match the year of "
               "birth.";
    if ((strcmp(sex, "male") == 0 && g % 2 != 0) || (strcmp(sex, "female") == 0 && g % 2 != 1))
        return "Số CCCD không khớp giới tính / the CCCD's sex digit does not match the sex.";
    return NULL;
}

int yx_bhyt_parse(const char *in, char code[16], char bhxh[11])
{
    char s[24];
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ' ')
            continue;
        if (n + 1 >= sizeof s)
            return YX_EINVAL;
        s[n++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : *p;
    }
    s[n] = '\0';
    if (n == 10 && all_digits(s, 10)) {
        memcpy(code, s, 11);
        memcpy(bhxh, s, 11);
        return 0;
    }
    if (n != 15 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' || s[2] < '1' || s[2] > '5' ||
        !all_digits(s + 3, 12))
        return YX_EINVAL;
    memcpy(code, s, 16);
    memcpy(bhxh, s + 5, 11);
    return 0;
}

int yx_phone_normalize(const char *in, char out[16])
{
    char d[24];
    size_t n = 0;
    const char *p = in;
    int plus = *p == '+';
    for (p += plus; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n + 1 >= sizeof d)
                return YX_EINVAL;
            d[n++] = *p;
        } else if (!strchr(" .-()", *p)) {
            return YX_EINVAL;
        }
    }
    d[n] = '\0';
    const char *digits = d;
    if ((plus || n >= 11) && strncmp(d, "84", 2) == 0 && d[2] != '0') {
        out[0] = '0';
        digits = d + 2;
        n -= 2;
        memcpy(out + 1, digits, n + 1);
        n += 1;
    } else if (plus) {
        return YX_EINVAL; /* a foreign number: not one a station can text */
    } else {
        memcpy(out, d, n + 1);
    }
    return (out[0] == '0' && n >= 10 && n <= 11) ? 0 : YX_EINVAL;
}

int yx_date_parse(const char *s, int *year, int *month, int *day)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return YX_EINVAL;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return YX_EINVAL;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
        return YX_EINVAL;
    *year = y;
    *month = m;
    *day = d;
    return 0;
}

int yx_age_years(const char *birth_date, int64_t birth_year)
{
    char today[11];
    int ty, tm, td, y = (int)birth_year, m = 7, d = 1;
    yx_today(today);
    if (yx_date_parse(today, &ty, &tm, &td) != 0)
        return 0;
    if (birth_date)
        yx_date_parse(birth_date, &y, &m, &d);
    int age = ty - y - ((tm < m || (tm == m && td < d)) ? 1 : 0);
    return age < 0 ? 0 : age;
}

void yx_age_band(int64_t at_ms, int64_t birth_year, char out[16])
{
    char year[32];
    yx_time_format(at_ms, year);
    year[4] = '\0';
    int64_t age = atoi(year) - birth_year;
    age = age < 0 ? 0 : age;
    if (age >= 90)
        snprintf(out, 16, "90+");
    else
        snprintf(out, 16, "%lld-%lld", (long long)(age / 5 * 5), (long long)(age / 5 * 5 + 4));
}

char *yx_name_keys(const char *full_name)
{
    char *f = yx_fold(full_name, strlen(full_name));
    if (!f || !*f) {
        free(f);
        return NULL;
    }
    struct yx_buf b;
    yx_buf_init(&b, 4096);
    int rc = 0;
    for (const char *w = f; w && rc == 0; w = strchr(w, ' ')) {
        if (*w == ' ')
            w++;
        rc = yx_buf_printf(&b, "%s%s", b.len ? "\n" : "", w);
    }
    free(f);
    char *out = rc == 0 ? yx_buf_detach(&b, NULL) : NULL;
    yx_buf_release(&b);
    return out;
}
