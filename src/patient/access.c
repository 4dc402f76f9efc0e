/* Who may act on a patient, consent in force, and sharing: what visits and consultations ask of
 * the registry (include/ytexa/patient.h). The rules of sharing are stated once, in docs/api.md
 * ("Sharing"). */
#include <string.h>

#include "ytexa/patient.h"

int yx_patient_resource(struct yx_req *r, int64_t patient_id, struct yx_resource *res)
{
    struct yx_rows *rows = NULL;
    /* The share is looked up only for the caller's own facility: a patient shared with another
     * facility is no business of this one. */
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT p.facility_id, f.province_id, (SELECT COUNT(*) FROM patient_shares s "
                     "WHERE s.patient_id = p.id AND s.facility_id = ? AND " YX_SHARE_LIVE ") "
                     "FROM patients p JOIN facilities f ON f.id = p.facility_id WHERE p.id = ?",
                     YX_PI(r->who.facility_id), YX_PI(yx_now_ms()), YX_PI(patient_id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0)
        *res = (struct yx_resource){.kind = YX_RES_PATIENT,
                                    .facility_id = yx_rows_int(rows, 0, 0),
                                    .province_id = yx_rows_int(rows, 0, 1),
                                    .shared = yx_rows_int(rows, 0, 2) != 0,
                                    .patient_id = patient_id};
    yx_rows_free(rows);
    return rc;
}

int yx_patient_access_as(struct yx_req *r, int64_t patient_id, enum yx_action act, enum yx_resource_kind kind,
                         int party)
{
    struct yx_resource res;
    int rc = yx_patient_resource(r, patient_id, &res);
    if (rc)
        return rc;
    res.kind = kind;
    res.party = party;
    return yx_patient_decide(r, &res, act);
}

int yx_patient_decide(struct yx_req *r, const struct yx_resource *res, enum yx_action act)
{
    int rc = yx_authorize(&r->who, act, res);
    /* The audit event names the patient when the caller may know of it, also when refused (403):
     * who tried to change whose record is what an investigation asks. A refusal as absent names
     * none, as for an id that does not exist: otherwise the trail an administrator reads would tell
     * which ids exist at other facilities. The id asked for stays in the event's resource_id. */
    if (rc != YX_ENOTFOUND)
        r->audit_patient_id = res->patient_id;
    return rc ? yx_deny(r, rc) : 0;
}

int yx_patient_access(struct yx_req *r, int64_t patient_id, enum yx_action act)
{
    return yx_patient_access_as(r, patient_id, act, YX_RES_PATIENT, 0);
}

int yx_consent_active(struct yx_db *db, int64_t patient_id, const char *purpose, int *active)
{
    struct yx_rows *rows = NULL;
    *active = 0;
    int rc = YX_DB_Q(
        db, &rows,
        "SELECT 1 FROM consents WHERE patient_id = ? AND purpose = ? AND withdrawn_at IS NULL LIMIT 1",
        YX_PI(patient_id), YX_PT(purpose));
    if (rc == 0)
        *active = rows->nrows == 1;
    yx_rows_free(rows);
    return rc;
}

int yx_patient_share(struct yx_db *db, int64_t patient_id, int64_t facility_id, const char *reason,
                     int64_t ref_id, int64_t expires_at)
{
    return YX_DB_Q(
        db, NULL,
        "INSERT INTO patient_shares (patient_id, facility_id, reason, ref_id, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        YX_PI(patient_id), YX_PI(facility_id), YX_PT(reason), YX_PI(ref_id), YX_PI(yx_now_ms()),
        expires_at ? YX_PI(expires_at) : YX_PN);
}

int yx_patient_unshare(struct yx_db *db, const char *reason, int64_t ref_id)
{
    return YX_DB_Q(db, NULL, "DELETE FROM patient_shares WHERE reason = ? AND ref_id = ?", YX_PT(reason),
                   YX_PI(ref_id));
}

json_t *yx_patient_brief(struct yx_db *db, int64_t patient_id)
{
    struct yx_rows *rows = NULL;
    json_t *out = NULL;
    if (YX_DB_Q(db, &rows, "SELECT id, full_name, birth_year, sex, facility_id FROM patients WHERE id = ?",
                YX_PI(patient_id)) == 0 &&
        rows->nrows == 1)
        out = json_pack("{s:I,s:s,s:I,s:s,s:I}", "id", (json_int_t)yx_rows_i64(rows, 0, "id"), "full_name",
                        yx_rows_str(rows, 0, "full_name"), "birth_year",
                        (json_int_t)yx_rows_i64(rows, 0, "birth_year"), "sex", yx_rows_str(rows, 0, "sex"),
                        "facility_id", (json_int_t)yx_rows_i64(rows, 0, "facility_id"));
    yx_rows_free(rows);
    return out;
}

int yx_patient_list_start(struct yx_req *r, int64_t *patient_id, int64_t *after, int64_t *limit)
{
    int rc;
    if ((rc = yx_param_id(r, 0, patient_id)) != 0 || (rc = yx_patient_access(r, *patient_id, YX_A_READ)) != 0)
        return rc;
    return yx_page(r, after, limit);
}
