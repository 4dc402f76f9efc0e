/* ICD-10 codes with Vietnamese names, and the value set of conditions that may be treated remotely
 * (Circular 30/2023/TT-BYT), which the ministry replaces with its official list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "visit.h"

int yx_icd10_wellformed(const char *code, char out[8])
{
    size_t n = code ? strlen(code) : 0;
    if (n < 3 || n > 7 || (n > 3 && (code[3] != '.' || n == 4)))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = code[i] >= 'a' && code[i] <= 'z' ? (char)(code[i] - 32) : code[i];
        int digit = c >= '0' && c <= '9', letter = c >= 'A' && c <= 'Z';
        if ((i == 0 && !letter) || ((i == 1 || i == 2) && !digit) || (i > 3 && !digit && !letter) ||
            (i == 3 && c != '.'))
            return 0;
        out[i] = c;
    }
    out[n] = '\0';
    return n <= 6; /* at most two characters after the point */
}

const char *yx_icd10_name(struct yx_req *r, const char *code)
{
    struct yx_rows *rows = NULL;
    const char *name = NULL;
    if (YX_DB_Q(
            r->db, &rows,
            "SELECT name_vi FROM icd10 WHERE code = ? OR code = substr(?, 1, 3) ORDER BY length(code) DESC",
            YX_PT(code), YX_PT(code)) == 0 &&
        rows->nrows > 0)
        name = yx_arena_strdup(&r->arena, yx_rows_get(rows, 0, 0));
    yx_rows_free(rows);
    return name;
}

int yx_remote_treatable(struct yx_db *db, const char *code, int *yes)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(db, &rows,
                     "SELECT 1 FROM remote_care_conditions WHERE code = ? OR code = substr(?, 1, 3) LIMIT 1",
                     YX_PT(code), YX_PT(code));
    *yes = rc == 0 && rows->nrows == 1;
    yx_rows_free(rows);
    return rc;
}

/* GET /api/v1/icd10?q&limit: the primary-care list, searched by code or name, diacritics folded. */
static int icd10_search(struct yx_req *r)
{
    int64_t limit;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_page_limit(r, &limit)) != 0)
        return rc;
    const char *like;
    if ((rc = yx_query_like(r, &like)) != 0)
        return rc;
    like = like ? like : "%";
    rc = YX_DB_Q(r->db, &rows,
                 "SELECT i.code, i.name_vi, i.name_en, (SELECT COUNT(*) FROM remote_care_conditions c "
                 "WHERE c.code = i.code OR c.code = substr(i.code, 1, 3)) AS remote_treatable FROM icd10 i "
                 "WHERE i.name_folded LIKE ? ESCAPE '\\' ORDER BY i.code LIMIT ?",
                 YX_PT(like), YX_PI(limit));
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:b}", "code", yx_rows_str(rows, i, "code"),
                                               "name_vi", yx_rows_str(rows, i, "name_vi"), "name_en",
                                               yx_rows_str(rows, i, "name_en"), "remote_treatable",
                                               yx_rows_i64(rows, i, "remote_treatable") > 0));
    yx_rows_free(rows);
    return yx_reply(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /api/v1/value-sets/remote-care */
static int remote_set_get(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q0(
        r->db, &rows,
        "SELECT c.code, i.name_vi FROM remote_care_conditions c LEFT JOIN icd10 i ON i.code = c.code "
        "ORDER BY c.code");
    if (rc)
        return rc;
    json_t *codes = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(
            codes, json_pack("{s:s,s:o}", "code", yx_rows_get(rows, i, 0), "name_vi",
                             yx_rows_get(rows, i, 1) ? json_string(yx_rows_get(rows, i, 1)) : json_null()));
    yx_rows_free(rows);
    return yx_reply(r, 200, json_pack("{s:s,s:o}", "source", "Circular 30/2023/TT-BYT", "codes", codes));
}

static const struct yx_field set_fields[] = {
    {"codes", YX_F_ARRAY, 1, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* PUT /api/v1/value-sets/remote-care {codes: [...]} — the ministry replaces the whole list. */
static int remote_set_put(struct yx_req *r)
{
    json_t *codes, *c;
    size_t i;
    int rc;
    if ((rc = yx_body(r, set_fields)) != 0)
        return rc;
    codes = json_object_get(r->json, "codes");
    if (json_array_size(codes) < 1 || json_array_size(codes) > 5000)
        return yx_fail_field(
            r, YX_EINVAL, "codes",
            "codes là danh sách từ 1 đến 5000 mã ICD-10 / codes lists 1 to 5000 ICD-10 codes.");
    json_array_foreach(codes, i, c)
    {
        char code[8];
        if (!yx_icd10_wellformed(json_string_value(c), code))
            return yx_fail_field(r, YX_EINVAL, "codes",
                                 "'%.20s' không phải mã ICD-10 / '%.20s' is not an ICD-10 code.",
                                 json_string_value(c) ? json_string_value(c) : "?",
                                 json_string_value(c) ? json_string_value(c) : "?");
    }
    rc = YX_DB_Q0(r->db, NULL, "DELETE FROM remote_care_conditions");
    json_array_foreach(codes, i, c)
    {
        char code[8];
        yx_icd10_wellformed(json_string_value(c), code);
        if (rc == 0)
            rc = YX_DB_Q(r->db, NULL,
                         "INSERT INTO remote_care_conditions (code, updated_by, updated_at) VALUES (?, ?, ?) "
                         "ON CONFLICT DO NOTHING",
                         YX_PT(code), YX_PI(r->who.user_id), YX_PI(yx_now_ms()));
    }
    return rc ? rc : remote_set_get(r);
}

const struct yx_route yx_code_routes[] = {
    {"GET", "/api/v1/icd10", icd10_search, 0, NULL, NULL, YX_ANYONE, NULL},
    {"GET", "/api/v1/value-sets/remote-care", remote_set_get, 0, NULL, NULL, YX_ANYONE, NULL},
    {"PUT", "/api/v1/value-sets/remote-care", remote_set_put, 0, "valueset.update", "value_set",
     YX_ROLE_MINISTRY_ADMIN, set_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
