/* Finding a patient in the caller's facility's registry: by name (diacritics, case and Unicode
 * form ignored, prefix of any word on), by CCCD, by BHYT number, or by phone (the patient's or the
 * guardian's). Every search is audited, without the text searched for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

/* The largest code point, UTF-8: every key that starts with the folded text sorts below text+this. */
#define KEY_CEILING "\xf4\x8f\xbf\xbf"

/* A name-search cursor is "<hex of the last key>.<last patient id>": keys repeat across patients. */
static int parse_key_cursor(struct yx_req *r, const char *c, char **key, int64_t *id)
{
    const char *dot = strchr(c, '.');
    size_t n = dot ? (size_t)(dot - c) : 0;
    char *k = dot && n % 2 == 0 && n >= 2 && n <= 800 ? yx_arena_alloc(&r->arena, n / 2 + 1) : NULL;
    char *end;
    for (size_t i = 0; k && i < n; i += 2) {
        unsigned v;
        if (sscanf(c + i, "%2x", &v) != 1 || !strchr("0123456789abcdef", c[i]) ||
            !strchr("0123456789abcdef", c[i + 1]))
            k = NULL;
        else
            k[i / 2] = (char)v;
    }
    if (k) {
        k[n / 2] = '\0';
        *id = strtoll(dot + 1, &end, 10);
    }
    if (!k || !dot[1] || *end || *id <= 0 || !yx_utf8_valid(k, n / 2))
        return yx_fail_field(
            r, YX_EINVAL, "cursor",
            "Con trỏ phân trang không do máy chủ này cấp / The cursor is not one this server gave.");
    *key = k;
    return 0;
}

static char *key_cursor(struct yx_req *r, const char *key, int64_t id)
{
    size_t n = strlen(key);
    char *c = yx_arena_alloc(&r->arena, n * 2 + 24);
    if (!c)
        return NULL;
    for (size_t i = 0; i < n; i++)
        snprintf(c + i * 2, 3, "%02x", (unsigned char)key[i]);
    snprintf(c + n * 2, 24, ".%lld", (long long)id);
    return c;
}

/* Answers a page: the rows, each patient once (a name can match a patient on two of its keys),
 * and the cursor of the next page or null. Written as text: building twenty records as jansson
 * objects and printing them was most of a search's time. */
static int reply_page(struct yx_req *r, const struct yx_rows *rows, int64_t limit, const char *next)
{
    struct yx_buf b;
    yx_buf_init(&b, 16 << 20);
    int rc = yx_buf_puts(&b, "{\"items\":[");
    for (int i = 0; rc == 0 && i < rows->nrows && i < limit; i++) {
        int64_t id = yx_rows_i64(rows, i, "id"), seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = yx_rows_i64(rows, j, "id") == id;
        if (!seen)
            rc = yx_buf_puts(&b, b.data[b.len - 1] == '[' ? "" : ",") || yx_patient_row_text(&b, rows, i) ||
                 yx_buf_puts(&b, "}");
    }
    rc |= yx_buf_puts(&b, "],\"next_cursor\":") || yx_buf_json_str(&b, next) || yx_buf_puts(&b, "}");
    if (rc) {
        yx_buf_release(&b);
        return YX_ENOMEM;
    }
    return yx_reply_text(r, 200, &b);
}

static int search_name(struct yx_req *r, const char *q, int64_t limit)
{
    const char *c = yx_query(r, "cursor");
    char *after_key = "", *folded = yx_fold(q, strlen(q)), *upper = NULL;
    int64_t after_id = 0;
    struct yx_rows *rows = NULL;
    int rc = 0;
    if (!folded || !*folded)
        rc = yx_fail_field(r, YX_EINVAL, "q",
                           "Nhập ít nhất một chữ của tên / type at least one letter of the name.");
    if (rc == 0 && c)
        rc = parse_key_cursor(r, c, &after_key, &after_id);
    if (rc == 0 && !(upper = yx_arena_alloc(&r->arena, strlen(folded) + sizeof KEY_CEILING)))
        rc = YX_ENOMEM;
    if (rc == 0) {
        memcpy(upper, folded, strlen(folded));
        memcpy(upper + strlen(folded), KEY_CEILING, sizeof KEY_CEILING);
        rc = YX_DB_Q(r->db, &rows,
                     "SELECT " YX_PATIENT_COLUMNS ", k.name_key FROM patient_name_keys k "
                     "JOIN patients p ON p.id = k.patient_id" YX_PATIENT_JOINS
                     "WHERE k.facility_id = ? AND k.name_key >= ? AND k.name_key < ? "
                     "AND (k.name_key > ? OR (k.name_key = ? AND k.patient_id > ?)) "
                     "ORDER BY k.name_key, k.patient_id LIMIT ?",
                     YX_PI(r->who.facility_id), YX_PT(folded), YX_PT(upper), YX_PT(after_key),
                     YX_PT(after_key), YX_PI(after_id), YX_PI(limit + 1));
    }
    free(folded);
    if (rc)
        goto out;
    const char *next = NULL;
    if (rows->nrows > limit && !(next = key_cursor(r, yx_rows_str(rows, (int)limit - 1, "name_key"),
                                                   yx_rows_i64(rows, (int)limit - 1, "id"))))
        rc = YX_ENOMEM;
    if (rc == 0)
        rc = reply_page(r, rows, limit, next);
out:
    yx_rows_free(rows);
    return rc;
}

/* One exact-match search (CCCD, BHYT number, phone: where names value nvalues times) or the whole
 * registry (nvalues 0), in id order. */
static int search_exact(struct yx_req *r, const char *where, const char *value, int nvalues)
{
    int64_t after, limit;
    struct yx_rows *rows = NULL;
    struct yx_param p[5];
    char sql[2048];
    int n = 0, rc;
    if ((rc = yx_page(r, &after, &limit)) != 0)
        return rc;
    if (yx_snprintf(sql, sizeof sql,
                    YX_PATIENT_SELECT "WHERE p.facility_id = ? AND p.id > ? %s ORDER BY p.id LIMIT ?",
                    where) != 0)
        return YX_EINTERNAL;
    p[n++] = YX_PI(r->who.facility_id);
    p[n++] = YX_PI(after);
    for (int i = 0; i < nvalues; i++)
        p[n++] = YX_PT(value);
    p[n++] = YX_PI(limit + 1);
    if ((rc = yx_db_exec(r->db, sql, p, n, &rows)) != 0)
        return rc;
    char next[24];
    if (rows->nrows > limit)
        snprintf(next, sizeof next, "%lld", (long long)yx_rows_i64(rows, (int)limit - 1, "id"));
    rc = reply_page(r, rows, limit, rows->nrows > limit ? next : NULL);
    yx_rows_free(rows);
    return rc;
}

/* GET /api/v1/patients?q=|cccd=|bhyt=|phone=&cursor&limit */
static int patient_search(struct yx_req *r)
{
    const char *q = yx_query(r, "q"), *cccd = yx_query(r, "cccd"), *bhyt = yx_query(r, "bhyt"),
               *phone = yx_query(r, "phone");
    char code[16], bhxh[11], tel[16];
    int64_t limit;
    int rc;
    if ((rc = yx_patient_registry_role(r)) != 0 || (rc = yx_page_limit(r, &limit)) != 0)
        return rc;
    if (!!q + !!cccd + !!bhyt + !!phone > 1)
        return yx_fail(r, YX_EINVAL,
                       "Tìm theo một trong q, cccd, bhyt, phone / search by one of q, cccd, bhyt, phone.");
    if (q && strlen(q) > 200)
        return yx_fail_field(
            r, YX_EINVAL, "q",
            "Nội dung tìm kiếm dài quá 200 byte / The search text is longer than 200 bytes.");
    if (q)
        return search_name(r, q, limit);
    if (cccd && (strlen(cccd) != 12 || strspn(cccd, "0123456789") != 12))
        return yx_fail_field(r, YX_EINVAL, "cccd",
                             "Số CCCD gồm đúng 12 chữ số / a CCCD number has 12 digits.");
    if (cccd)
        return search_exact(r, "AND p.cccd = ?", cccd, 1);
    if (bhyt && yx_bhyt_parse(bhyt, code, bhxh) != 0)
        return yx_fail_field(r, YX_EINVAL, "bhyt",
                             "Mã BHYT 15 ký tự hoặc mã số 10 chữ số / a BHYT code or number.");
    if (bhyt)
        return search_exact(r, "AND p.bhxh_no = ?", bhxh, 1);
    if (phone && yx_phone_normalize(phone, tel) != 0)
        return yx_fail_field(r, YX_EINVAL, "phone",
                             "Số điện thoại không hợp lệ / not a Vietnamese phone number.");
    if (phone)
        return search_exact(r, "AND (p.phone = ? OR p.guardian_phone = ?)", tel, 2);
    return search_exact(r, "", NULL, 0);
}

const struct yx_route yx_patient_search_routes[] = {
    {"GET", "/api/v1/patients", patient_search, YX_R_BATCH, "patient.search", "patient", YX_CLINICIANS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
