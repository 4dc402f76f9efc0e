/* FHIR Consent (docs/fhir.md, "Consent"): the consents src/patient records (to remote care, to
 * processing health data), read, searched and recorded. Reading asks yx_patient_access() as GET
 * /api/v1/patients/:id/consents does (a share lets another facility read); searching covers the
 * caller's facility's patients and those a live share lets it read; recording goes through
 * yx_consent_record(), the function the REST route calls, so no rule is written twice. */
#include <string.h>

#include "fhir.h"
#include "ytexa/patient.h"

#define CS_SCOPE "http://terminology.hl7.org/CodeSystem/consentscope"
/* LOINC 59284-0 "Patient Consent": the category R4's examples give every consent. */
#define LOINC_CONSENT "59284-0"
#define CONSENT_FROM                                                                                         \
    "SELECT c.id, c.patient_id, pa.full_name AS patient_name, pa.guardian_name, c.purpose, c.method, "       \
    "c.given_by, c.witness_name, c.document_ref, c.recorded_by, u.full_name AS recorder_name, u.role AS "    \
    "recorder_role, c.facility_id, f.name AS facility_name, c.granted_at, c.withdrawn_at FROM consents c "   \
    "JOIN patients pa ON pa.id = c.patient_id JOIN users u ON u.id = c.recorded_by LEFT JOIN facilities f "  \
    "ON f.id = c.facility_id "
/* The patients a clinician's facility reads: its own, and those a live share lets it read. */
#define CONSENT_SCOPE                                                                                        \
    "(pa.facility_id = ? OR EXISTS (SELECT 1 FROM patient_shares s WHERE s.patient_id = c.patient_id AND "   \
    "s.facility_id = ? AND " YX_SHARE_LIVE "))"

const struct yx_fhir_param yx_fhir_consent_params[] = {
    {"_id", "token", "The consent's id."},
    {"patient", "reference", "Patient/<id>."},
    {"status", "token", "active (in force) or inactive (withdrawn); other R4 statuses match nobody."},
    {"category", "token",
     "remote_care or data_processing (system " YX_FHIR_CS_CONSENT_PURPOSE "), or " LOINC_CONSENT
     " (system http://loinc.org: every consent)."},
    {"date", "date", "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time): when given."},
    {"_include", "include", "Consent:patient"},
    {NULL, NULL, NULL},
};

/* The elements a Consent sent may carry: those the mapping reads or writes itself. */
const struct yx_field yx_fhir_consent_fields[] = {
    {"resourceType", YX_F_STRING, 1, 1, 40},
    {"id", YX_F_STRING, 0, 1, 64},
    {"meta", YX_F_OBJECT, 0, 0, 0},
    {"text", YX_F_OBJECT, 0, 0, 0},
    {"extension", YX_F_ARRAY, 0, 0, 0},
    {"status", YX_F_STRING, 1, 1, 32},
    {"scope", YX_F_OBJECT, 1, 0, 0},
    {"category", YX_F_ARRAY, 1, 0, 0},
    {"patient", YX_F_OBJECT, 1, 0, 0},
    {"dateTime", YX_F_STRING, 0, 1, 40},
    {"performer", YX_F_ARRAY, 0, 0, 0},
    {"organization", YX_F_ARRAY, 0, 0, 0},
    {"sourceAttachment", YX_F_OBJECT, 0, 0, 0},
    {"policyRule", YX_F_OBJECT, 0, 0, 0},
    {"provision", YX_F_OBJECT, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* Each purpose: its R4 scope (consent to care is "treatment", to processing data "patient-privacy")
 * and its name. */
static const char *const purposes[][4] = {
    {"remote_care", "treatment", "Treatment", "Đồng ý khám chữa bệnh từ xa / consent to remote care"},
    {"data_processing", "patient-privacy", "Privacy Consent",
     "Đồng ý xử lý dữ liệu sức khỏe / consent to processing health data"},
};
#define POLICY                                                                                                                               \
    "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15; Nghị định 356/2025/NĐ-CP: dữ liệu sức khỏe là dữ liệu nhạy " \
    "cảm, im lặng không phải là đồng ý / Law 91/2025/QH15 on personal data, Decree 356/2025/ND-CP."

static int purpose_of(const char *code)
{
    for (int k = 0; k < 2; k++)
        if (strcmp(purposes[k][0], code) == 0)
            return k;
    return 0;
}

/* A consent changes once in its life, when withdrawn: its ETag is W/"1", then W/"2". ytexa takes
 * no update of a Consent (it is withdrawn through the REST API), so the CapabilityStatement says
 * no-version and meta carries no versionId. */
static int64_t version_of(const struct yx_rows *rows, int i)
{
    return yx_rows_null(rows, i, "withdrawn_at") ? 1 : 2;
}

static json_t *consent(struct yx_req *r, const struct yx_rows *rows, int i)
{
    (void)r;
    char id[24], given[32], ended[32];
    int active = yx_rows_null(rows, i, "withdrawn_at");
    int k = purpose_of(yx_rows_str(rows, i, "purpose"));
    int64_t patient = yx_rows_i64(rows, i, "patient_id");
    yx_snprintf(id, sizeof id, "%lld", (long long)yx_rows_i64(rows, i, "id"));
    yx_time_format(yx_rows_i64(rows, i, "granted_at"), given);
    if (!active)
        yx_time_format(yx_rows_i64(rows, i, "withdrawn_at"), ended);
    const char *by = yx_rows_str(rows, i, "given_by");
    const char *guardian = yx_rows_str(rows, i, "guardian_name");
    json_t *performer = strcmp(by, "guardian") == 0
                            ? json_pack("{s:s,s:s}", "type", "RelatedPerson", "display",
                                        guardian && *guardian ? guardian : "Người giám hộ / guardian")
                            : yx_fhir_ref("Patient", patient, yx_rows_str(rows, i, "patient_name"));
    /* Who recorded it: a member of staff, or the patient in the app. */
    int self = strcmp(yx_rows_str(rows, i, "recorder_role"), "patient") == 0;
    json_t *recorder = self ? yx_fhir_ref("Patient", patient, yx_rows_str(rows, i, "patient_name"))
                            : yx_fhir_ref("Practitioner", yx_rows_i64(rows, i, "recorded_by"),
                                          yx_rows_str(rows, i, "recorder_name"));
    const char *method = yx_rows_str(rows, i, "method");
    json_t *ext = json_pack("[{s:s,s:s},{s:s,s:o}]", "url", YX_FHIR_EXT_CONSENT_METHOD, "valueCode", method,
                            "url", YX_FHIR_EXT_CONSENT_RECORDER, "valueReference", recorder);
    const char *witness = yx_rows_str(rows, i, "witness_name");
    if (ext && witness && *witness)
        json_array_append_new(
            ext, json_pack("{s:s,s:s}", "url", YX_FHIR_EXT_CONSENT_WITNESS, "valueString", witness));
    json_t *provision = json_pack("{s:s,s:{s:s}}", "type", "permit", "period", "start", given);
    if (provision && !active)
        json_object_set_new(json_object_get(provision, "period"), "end", json_string(ended));
    json_t *c = json_pack(
        "{s:s,s:s,s:o,s:o,s:s,s:{s:[{s:s,s:s,s:s}]},s:[{s:[{s:s,s:s,s:s}]},{s:[{s:s,s:s,s:s}],s:s}],s:o,s:s,"
        "s:[o],s:{s:s},s:o}",
        "resourceType", "Consent", "id", id, "meta",
        yx_fhir_meta_updated(yx_rows_i64(rows, i, active ? "granted_at" : "withdrawn_at")), "extension", ext,
        "status", active ? "active" : "inactive", "scope", "coding", "system", CS_SCOPE, "code",
        purposes[k][1], "display", purposes[k][2], "category", "coding", "system", YX_FHIR_LOINC, "code",
        LOINC_CONSENT, "display", "Patient Consent", "coding", "system", YX_FHIR_CS_CONSENT_PURPOSE, "code",
        purposes[k][0], "display", purposes[k][3], "text", purposes[k][3], "patient",
        yx_fhir_ref("Patient", patient, yx_rows_str(rows, i, "patient_name")), "dateTime", given, "performer",
        performer, "policyRule", "text", POLICY, "provision", provision);
    if (c && !yx_rows_null(rows, i, "facility_id"))
        json_object_set_new(c, "organization",
                            json_pack("[o]", yx_fhir_ref("Organization", yx_rows_i64(rows, i, "facility_id"),
                                                         yx_rows_str(rows, i, "facility_name"))));
    const char *doc = yx_rows_str(rows, i, "document_ref");
    if (c && doc && *doc)
        json_object_set_new(c, "sourceAttachment", json_pack("{s:s}", "title", doc));
    return c;
}

/* Answers consent id, read by a caller who may (status 200 or 201). */
static int answer(struct yx_req *r, int status, int64_t id, int check)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, CONSENT_FROM "WHERE c.id = ?", YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_not_found(r);
    if (rc == 0 && check)
        rc = yx_patient_access(r, yx_rows_i64(rows, 0, "patient_id"), YX_A_READ);
    if (rc == 0) {
        yx_audit_target(r, id);
        rc = yx_fhir_reply_resource(r, status, consent(r, rows, 0), "Consent", id, version_of(rows, 0),
                                    status == 201);
    }
    yx_rows_free(rows);
    return rc;
}

/* GET /fhir/Consent/:id */
static int consent_read(struct yx_req *r)
{
    int64_t id;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_param_id(r, 0, &id)) != 0)
        return rc;
    return answer(r, 200, id, 1);
}

static const struct yx_fhir_ref consent_refs[] = {
    {"_id", "Consent", "c.id = ?"},
    {"patient", "Patient", "c.patient_id = ?"},
    {NULL, NULL, NULL},
};

static int take_param(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    static const char *const others[] = {"draft", "proposed", "rejected", "entered-in-error", NULL};
    struct yx_fhir_query *q = ctx;
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(consent_refs, name);
    if (ref)
        return yx_fhir_ref_where(r, q, ref, v);
    if (strcmp(name, "_include") == 0)
        return yx_fhir_take_include(r, q, "Consent", v);
    if (strcmp(name, "status") == 0) {
        if (strcmp(v, "active") == 0 || strcmp(v, "inactive") == 0)
            return yx_fhir_where(r, q, v[0] == 'a' ? "c.withdrawn_at IS NULL" : "c.withdrawn_at IS NOT NULL",
                                 0);
        if (yx_one_of(v, others))
            return yx_fhir_nobody(q);
        return yx_fail_field(r, YX_EINVAL, name,
                             "status là active hoặc inactive / status is a Consent status of R4 (active, "
                             "inactive, draft, proposed, rejected, entered-in-error).");
    }
    if (strcmp(name, "category") == 0) {
        const char *loinc = yx_fhir_token(r, v, YX_FHIR_LOINC);
        if (loinc && strcmp(loinc, LOINC_CONSENT) == 0)
            return 0; /* every consent is one */
        const char *code = yx_fhir_token(r, v, YX_FHIR_CS_CONSENT_PURPOSE);
        return code && *code ? yx_fhir_where(r, q, "c.purpose = ?", 1, YX_PT(code)) : yx_fhir_nobody(q);
    }
    return yx_fhir_instant_cond(r, q, name, v, "c.granted_at"); /* date */
}

/* GET /fhir/Consent */
static int consent_search(struct yx_req *r)
{
    struct yx_param scope[3] = {YX_PI(r->who.facility_id), YX_PI(r->who.facility_id), YX_PI(yx_now_ms())};
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_patient_registry_role(r)) != 0)
        return rc;
    return yx_fhir_search(r, "Consent", yx_fhir_consent_params, take_param,
                          CONSENT_FROM "WHERE " CONSENT_SCOPE, scope, 3, "c.id", consent);
}

/* The code of the first coding of concept in system, or NULL. */
static const char *code_in(const json_t *concept, const char *system)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(concept, "coding"), i, c)
    {
        const char *s = json_string_value(json_object_get(c, "system"));
        if (s && strcmp(s, system) == 0)
            return json_string_value(json_object_get(c, "code"));
    }
    return NULL;
}

int yx_fhir_consent_body(struct yx_req *r, const json_t *b, json_t *out, int64_t *patient)
{
    const char *rt = json_string_value(json_object_get(b, "resourceType"));
    if (!rt || strcmp(rt, "Consent") != 0)
        return yx_fail_field(r, YX_EINVAL, "resourceType",
                             "Tài nguyên phải là Consent / the resource must be a Consent.");
    const char *status = json_string_value(json_object_get(b, "status"));
    if (!status || strcmp(status, "active") != 0)
        return yx_fail_field(r, YX_EINVAL, "Consent.status",
                             "Ghi nhận đồng ý với status active / a consent is recorded with status active.");
    const char *pref = json_string_value(json_object_get(json_object_get(b, "patient"), "reference"));
    *patient = yx_fhir_ref_typed(pref, "Patient");
    if (!*patient)
        return yx_fail_field(r, YX_EINVAL, "Consent.patient", "Cần Patient/<id> / patient is Patient/<id>.");
    const char *purpose = NULL;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(b, "category"), i, it) if (!purpose) purpose =
        code_in(it, YX_FHIR_CS_CONSENT_PURPOSE);
    const char *scope = code_in(json_object_get(b, "scope"), CS_SCOPE);
    for (int k = 0; !purpose && scope && k < 2; k++)
        if (strcmp(scope, purposes[k][1]) == 0)
            purpose = purposes[k][0];
    if (purpose)
        json_object_set_new(out, "purpose", json_string(purpose));
    json_array_foreach(json_object_get(b, "extension"), i, it)
    {
        const char *url = json_string_value(json_object_get(it, "url"));
        const char *code = json_string_value(json_object_get(it, "valueCode"));
        const char *text = json_string_value(json_object_get(it, "valueString"));
        if (url && strcmp(url, YX_FHIR_EXT_CONSENT_METHOD) == 0 && code)
            json_object_set_new(out, "method", json_string(code));
        else if (url && strcmp(url, YX_FHIR_EXT_CONSENT_WITNESS) == 0 && text)
            json_object_set_new(out, "witness_name", json_string(text));
        else if (!url || strcmp(url, YX_FHIR_EXT_CONSENT_RECORDER) != 0)
            return yx_fail_field(r, YX_EINVAL, "Consent.extension",
                                 "ytexa nhận phần mở rộng consent-method, consent-witness / ytexa takes its "
                                 "consent-method (valueCode) and consent-witness (valueString) extensions.");
    }
    const json_t *p = json_array_get(json_object_get(b, "performer"), 0);
    const char *who = json_string_value(json_object_get(p, "reference"));
    const char *type = json_string_value(json_object_get(p, "type"));
    if (json_array_size(json_object_get(b, "performer")) > 1)
        return yx_fail_field(r, YX_EINVAL, "Consent.performer", "Một người đồng ý / one performer.");
    if (yx_fhir_ref_is(who, "RelatedPerson") || (type && strcmp(type, "RelatedPerson") == 0))
        json_object_set_new(out, "given_by", json_string("guardian"));
    else if (yx_fhir_ref_typed(who, "Patient") == *patient)
        json_object_set_new(out, "given_by", json_string("patient"));
    else if (p)
        return yx_fail_field(r, YX_EINVAL, "Consent.performer",
                             "Người đồng ý là người bệnh (Patient/<id>) hoặc người giám hộ (RelatedPerson) / "
                             "the performer is the patient or a RelatedPerson (the guardian).");
    const char *doc = json_string_value(json_object_get(json_object_get(b, "sourceAttachment"), "title"));
    if (doc)
        json_object_set_new(out, "document_ref", json_string(doc));
    return 0;
}

/* Where each field of the REST body is in the resource, for an error's expression. */
static const char *const field_paths[][2] = {{"purpose", "Consent.category"},
                                             {"method", "Consent.extension"},
                                             {"witness_name", "Consent.extension"},
                                             {"given_by", "Consent.performer"},
                                             {"document_ref", "Consent.sourceAttachment"},
                                             {NULL, NULL}};

/* POST /fhir/Consent */
static int consent_create(struct yx_req *r)
{
    int64_t id = 0, patient = 0;
    json_t *body = json_object();
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0)
        goto out;
    if (!r->json) {
        rc = yx_fail(r, YX_EINVAL, "Cần một Consent / send a Consent resource.");
        goto out;
    }
    if ((rc = yx_fhir_consent_body(r, r->json, body, &patient)) != 0 ||
        (rc = yx_fhir_field_paths(r, yx_consent_record(r, patient, body, &id), field_paths)) != 0)
        goto out;
    rc = answer(r, 201, id, 0);
out:
    json_decref(body);
    return rc;
}

const struct yx_route yx_fhir_consent_routes[] = {
    {"GET", "/fhir/Consent/:id", consent_read, 0, "consent.read", "consent", YX_CLINICIANS, NULL},
    {"GET", "/fhir/Consent", consent_search, 0, "consent.list", "consent", YX_CLINICIANS, NULL},
    {"POST", "/fhir/Consent", consent_create, 0, "consent.create", "consent", YX_CLINICIANS,
     yx_fhir_consent_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
