/* GET /api/v1/audit: administrators read the trail of their scope (ministry: all; province: the
 * acts of users of its facilities; facility: its own users' acts). Reading it is audited too. */
#include <stdlib.h>
#include <string.h>

#include "ytexa/audit.h"
#include "ytexa/auth.h"

static json_t *event_json(const struct yx_rows *r, int i)
{
    char at[32];
    yx_time_format(yx_rows_i64(r, i, "at"), at);
    json_t *o = json_object();
    static const char *const names[] = {"id",          "at",
                                        "request_id",  "actor_id",
                                        "actor_role",  "actor_facility_id",
                                        "action",      "resource_type",
                                        "resource_id", "patient_id",
                                        "addr",        "outcome",
                                        "detail",      "hash",
                                        "seq"};
    static const int numeric[] = {1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    for (int c = 0; c < 15; c++) {
        const char *v = yx_rows_str(r, i, names[c]);
        json_t *j = !v           ? json_null()
                    : c == 1     ? json_string(at)
                    : numeric[c] ? json_integer(strtoll(v, NULL, 10))
                                 : json_string(v);
        json_object_set_new(o, names[c], j);
    }
    return o;
}

const char *yx_audit_scope_sql(const struct yx_scope *s)
{
    return s->kind == YX_SCOPE_PROVINCE
               ? " AND actor_facility_id IN (SELECT id FROM facilities WHERE province_id = ?)"
           : s->kind == YX_SCOPE_FACILITY ? " AND actor_facility_id = ?"
                                          : " AND ? = 0";
}

static int audit_list(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    struct yx_scope s;
    if (yx_scope(&r->who, YX_RES_AUDIT, &s) != 0)
        return yx_fail(
            r, YX_EFORBIDDEN,
            "Chỉ quản trị viên được xem nhật ký truy cập / Only administrators read the audit trail.");
    const char *cursor = yx_query(r, "cursor"), *limit_s = yx_query(r, "limit"),
               *patient = yx_query(r, "patient_id"), *actor = yx_query(r, "actor_id");
    char *end = NULL;
    int64_t before = cursor ? strtoll(cursor, &end, 10) : INT64_MAX;
    if (cursor && (*end || before <= 0))
        return yx_fail_field(
            r, YX_EINVAL, "cursor",
            "Con trỏ phân trang không do máy chủ này cấp / The cursor is not one this server gave.");
    int64_t limit = limit_s ? strtoll(limit_s, &end, 10) : 100;
    if (limit_s && (*end || limit < 1 || limit > 500))
        return yx_fail_field(
            r, YX_EINVAL, "limit",
            "Số dòng mỗi trang (limit) phải từ 1 đến 500 / limit must be between 1 and 500.");
    int64_t pid = patient ? strtoll(patient, &end, 10) : 0;
    if (patient && (*end || pid <= 0))
        return yx_fail_field(
            r, YX_EINVAL, "patient_id",
            "Mã người bệnh (patient_id) phải là số dương / patient_id must be a positive id.");
    int64_t aid = actor ? strtoll(actor, &end, 10) : 0;
    if (actor && (*end || aid <= 0))
        return yx_fail_field(
            r, YX_EINVAL, "actor_id",
            "Mã người thực hiện (actor_id) phải là số dương / actor_id must be a positive id.");
    const char *scope = yx_audit_scope_sql(&s);
    /* By patient or by actor the events are found through that column's index (an OR of the two
     * filters would leave the chain read backwards to its start for a patient seen rarely). */
    const char *filter = pid   ? " AND patient_id = ? AND (? = 0 OR actor_id = ?)"
                         : aid ? " AND actor_id = ? AND (? = 0 OR patient_id = ?)"
                               : " AND ? = 0 AND (? = 0 OR ? = 0)";
    int64_t first = pid ? pid : aid, other = pid ? aid : 0;
    char sql[1024];
    yx_snprintf(sql, sizeof sql,
                "SELECT id, at, request_id, actor_id, actor_role, actor_facility_id, action, resource_type, "
                "resource_id, "
                "patient_id, addr, outcome, detail, NULLIF(hash, '') AS hash, seq FROM audit_events WHERE id "
                "< ?%s%s ORDER BY id DESC LIMIT ?",
                filter, scope);
    int rc = YX_DB_Q(r->db, &rows, sql, YX_PI(before), YX_PI(first), YX_PI(other), YX_PI(other), YX_PI(s.id),
                     YX_PI(limit + 1));
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows && i < limit; i++)
        json_array_append_new(items, event_json(rows, i));
    json_t *next = rows->nrows > limit ? json_string(yx_rows_str(rows, (int)limit - 1, "id")) : json_null();
    yx_rows_free(rows);
    return yx_reply(r, 200, json_pack("{s:o,s:o}", "items", items, "next_cursor", next));
}

const struct yx_route yx_audit_routes[] = {
    {"GET", "/api/v1/audit", audit_list, 0, "audit.read", "audit", YX_ADMINS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
