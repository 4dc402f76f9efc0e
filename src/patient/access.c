/* Who may act on a patient, consent in force, and sharing: what visits and consultations ask of
 * the registry (include/ytexa/patient.h). */
#include <string.h>

#include "ytexa/patient.h"

int yx_patient_resource(struct yx_req *r, int64_t patient_id, struct yx_resource *res)
{
    struct yx_rows *rows = NULL;
    /* The share is looked up only for the caller's own facility: a patient shared with another
     * facility is no business of this one. */
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT p.facility_id, f.province_id, (SELECT COUNT(*) FROM patient_shares s "
                     "WHERE s.patient_id = p.id AND s.facility_id = ?) "
                     "FROM patients p JOIN facilities f ON f.id = p.facility_id WHERE p.id = ?",
                     YX_PI(r->who.facility_id), YX_PI(patient_id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_fail(r, YX_ENOTFOUND, "Không tìm thấy người bệnh / no such patient.");
    if (rc == 0)
        *res = (struct yx_resource){YX_RES_PATIENT, yx_rows_int(rows, 0, 0), yx_rows_int(rows, 0, 1),
                                    yx_rows_int(rows, 0, 2) != 0, patient_id};
    yx_rows_free(rows);
    return rc;
}

int yx_patient_access(struct yx_req *r, int64_t patient_id, enum yx_action act)
{
    struct yx_resource res;
    int rc = yx_patient_resource(r, patient_id, &res);
    /* The audit event names the patient even when the caller is refused: who tried to read whom
     * is what an investigation asks. */
    if (rc == 0)
        r->audit_patient_id = patient_id;
    if (rc == 0 && (rc = yx_authorize(&r->who, act, &res)) != 0)
        return yx_deny(r, rc);
    return rc;
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
                     int64_t ref_id)
{
    return YX_DB_Q(db, NULL,
                   "INSERT INTO patient_shares (patient_id, facility_id, reason, ref_id, created_at) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                   YX_PI(patient_id), YX_PI(facility_id), YX_PT(reason), YX_PI(ref_id), YX_PI(yx_now_ms()));
}

json_t *yx_patient_brief(struct yx_db *db, int64_t patient_id)
{
    struct yx_rows *rows = NULL;
    json_t *out = NULL;
    if (YX_DB_Q(db, &rows, "SELECT id, full_name, birth_year, sex, facility_id FROM patients WHERE id = ?",
                YX_PI(patient_id)) == 0 &&
        rows->nrows == 1)
        out = json_pack("{s:I,s:s,s:I,s:s,s:I}", "id", (json_int_t)yx_rows_int(rows, 0, 0), "full_name",
                        yx_rows_get(rows, 0, 1), "birth_year", (json_int_t)yx_rows_int(rows, 0, 2), "sex",
                        yx_rows_get(rows, 0, 3), "facility_id", (json_int_t)yx_rows_int(rows, 0, 4));
    yx_rows_free(rows);
    return out;
}
