/* FHIR DocumentReference and Binary (docs/fhir.md, "DocumentReference", "Binary"): the signed
 * documents ytexa prints — consultation minutes (biên bản hội chẩn) and prescriptions — and their
 * PDFs. A document's id is the minutes' id × 2 or the prescription's id × 2 + 1
 * (YX_FHIR_DOC_KINDS), so both kinds share one id order and search.c's one cursor; its Binary has
 * the same id. Only signed documents are shown (a draft prescription is work in progress); one
 * replaced by a signed revision is "superseded". Reading asks the REST routes' own decisions:
 * yx_consult_access() for minutes, yx_visit_access() for a prescription; the PDF is drawn by the
 * same functions as the REST PDF routes, so its bytes are theirs. */
#include <stdlib.h>
#include <string.h>

#include "fhir.h"
#include "ytexa/auth.h"
#include "ytexa/consult.h"
#include "ytexa/visit.h"

/* A PDF larger than this is not sent base64 in JSON (a third more, all in memory): the client asks
 * for application/pdf instead. Signed minutes run to a few hundred kB. */
#define BINARY_JSON_MAX (4 * 1024 * 1024)

#define MIN_COLS                                                                                             \
    "SELECT m.id * 2 AS id, m.id AS doc_id, 0 AS rx, m.consult_id AS ref_id, c.patient_id, pa.full_name AS " \
    "patient_name, m.version, m.replaces_id, m.signed_by, m.signer_name, m.signed_at, m.verify_code, CASE "  \
    "WHEN EXISTS (SELECT 1 FROM consult_minutes n WHERE n.replaces_id = m.id) THEN 1 ELSE 0 END AS "         \
    "superseded FROM consult_minutes m JOIN consults c ON c.id = m.consult_id JOIN patients pa ON pa.id = "  \
    "c.patient_id "
#define RX_COLS                                                                                              \
    "SELECT p.id * 2 + 1 AS id, p.id AS doc_id, 1 AS rx, p.visit_id AS ref_id, v.patient_id, pa.full_name "  \
    "AS patient_name, p.version, p.replaces_id, p.signed_by, p.signer_name, p.signed_at, NULL AS "           \
    "verify_code, CASE WHEN EXISTS (SELECT 1 FROM prescriptions n WHERE n.replaces_id = p.id AND n.status "  \
    "= 'signed') THEN 1 ELSE 0 END AS superseded FROM prescriptions p JOIN visits v ON v.id = p.visit_id "   \
    "JOIN patients pa ON pa.id = v.patient_id WHERE p.status = 'signed' "

#define LOINC_MINUTES "11488-4"
#define LOINC_RX "57833-6"

const struct yx_fhir_param yx_fhir_document_reference_params[] = {
    {"_id", "token", "The document's id."},
    {"patient", "reference", "Patient/<id>."},
    {"type", "token",
     "LOINC (" YX_FHIR_LOINC ") " LOINC_MINUTES " consultation minutes, " LOINC_RX " a prescription."},
    {"date", "date",
     "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time): when it was signed."},
    {"status", "token", "current, superseded (replaced by a signed revision)."},
    {"related", "reference",
     "ServiceRequest/<id> (the consultation of minutes) or Encounter/<id> (the visit of a prescription)."},
    {"_include", "include", "DocumentReference:patient"},
    {NULL, NULL, NULL},
};

const struct yx_fhir_param yx_fhir_no_params[] = {{NULL, NULL, NULL}};

/* The PDF of row i's document, drawn as its REST route draws it. */
static int render(struct yx_req *r, const struct yx_rows *rows, int i, char **pdf, size_t *len)
{
    int64_t doc = yx_rows_i64(rows, i, "doc_id");
    return yx_rows_i64(rows, i, "rx") ? yx_prescription_pdf(r->db, doc, pdf, len)
                                      : yx_consult_minutes_pdf(r->db, doc, pdf, len);
}

/* Row i as a DocumentReference; with the PDF (pdf, len: read), its size and SHA-1 too. */
static json_t *document(struct yx_req *r, const struct yx_rows *rows, int i, const char *pdf, size_t len)
{
    char id[24], at[32], url[512], title[160], ref[48];
    int64_t did = yx_rows_i64(rows, i, "id"), ref_id = yx_rows_i64(rows, i, "ref_id");
    int rx = yx_rows_i64(rows, i, "rx") != 0;
    const char *base = yx_fhir_base(r);
    yx_snprintf(id, sizeof id, "%lld", (long long)did);
    yx_time_format(yx_rows_i64(rows, i, "signed_at"), at);
    if (!base || yx_snprintf(url, sizeof url, "%s/Binary/%lld", base, (long long)did) != 0)
        return NULL;
    yx_snprintf(title, sizeof title,
                rx ? "Đơn thuốc số %lld, bản %lld / prescription %lld, version %lld"
                   : "Biên bản hội chẩn ca số %lld, bản %lld / consultation %lld minutes, version %lld",
                (long long)(rx ? yx_rows_i64(rows, i, "doc_id") : ref_id),
                (long long)yx_rows_i64(rows, i, "version"),
                (long long)(rx ? yx_rows_i64(rows, i, "doc_id") : ref_id),
                (long long)yx_rows_i64(rows, i, "version"));
    json_t *attachment = json_pack("{s:s,s:s,s:s,s:s}", "contentType", "application/pdf", "url", url, "title",
                                   title, "creation", at);
    if (attachment && pdf) {
        char hash[29];
        yx_sha1_base64(pdf, len, hash);
        json_object_set_new(attachment, "size", json_integer((json_int_t)len));
        json_object_set_new(attachment, "hash", json_string(hash));
    }
    json_t *signer =
        yx_fhir_ref("Practitioner", yx_rows_i64(rows, i, "signed_by"), yx_rows_str(rows, i, "signer_name"));
    json_t *d = json_pack(
        "{s:s,s:s,s:o,s:s,s:s,s:{s:[{s:s,s:s,s:s}],s:s},s:o,s:s,s:[o],s:o,s:s,s:[{s:o}]}", "resourceType",
        "DocumentReference", "id", id, "meta", yx_fhir_meta_updated(yx_rows_i64(rows, i, "signed_at")),
        "status", yx_rows_i64(rows, i, "superseded") ? "superseded" : "current", "docStatus", "final", "type",
        "coding", "system", YX_FHIR_LOINC, "code", rx ? LOINC_RX : LOINC_MINUTES, "display",
        rx ? "Prescription for medication" : "Consult note", "text",
        rx ? "Đơn thuốc / prescription" : "Biên bản hội chẩn từ xa / teleconsultation minutes", "subject",
        yx_fhir_ref("Patient", yx_rows_i64(rows, i, "patient_id"), yx_rows_str(rows, i, "patient_name")),
        "date", at, "author", json_deep_copy(signer), "authenticator", signer, "description", title,
        "content", "attachment", attachment);
    if (!d)
        return NULL;
    /* The paper copy's verification code (GET /api/v1/verify/<code>) names the minutes. */
    if (yx_rows_str(rows, i, "verify_code"))
        json_object_set_new(d, "masterIdentifier",
                            json_pack("{s:s,s:s}", "system", YX_FHIR_SID_VERIFY_CODE, "value",
                                      yx_rows_str(rows, i, "verify_code")));
    if (!yx_rows_null(rows, i, "replaces_id")) {
        int64_t old = yx_rows_i64(rows, i, "replaces_id") * YX_FHIR_DOC_KINDS + rx;
        json_object_set_new(d, "relatesTo",
                            json_pack("[{s:s,s:o}]", "code", "replaces", "target",
                                      yx_fhir_ref("DocumentReference", old, NULL)));
    }
    yx_snprintf(ref, sizeof ref, "%s/%lld", rx ? "Encounter" : "ServiceRequest", (long long)ref_id);
    json_object_set_new(d, "context",
                        rx ? json_pack("{s:[{s:s}]}", "encounter", "reference", ref)
                           : json_pack("{s:[{s:s}]}", "related", "reference", ref));
    return d;
}

static json_t *document_entry(struct yx_req *r, const struct yx_rows *rows, int i)
{
    return document(r, rows, i, NULL, 0);
}

/* Loads document :id (path parameter 0) into *rows if the caller may read it, as the REST routes of
 * its kind decide; the same 404 for another's as for an absent one. */
static int load(struct yx_req *r, int64_t *id, struct yx_rows **rows)
{
    int rc;
    if ((rc = yx_param_id(r, 0, id)) != 0)
        return rc;
    int rx = (int)(*id % YX_FHIR_DOC_KINDS);
    int64_t doc = *id / YX_FHIR_DOC_KINDS;
    rc = rx ? YX_DB_Q(r->db, rows, RX_COLS "AND p.id = ?", YX_PI(doc))
            : YX_DB_Q(r->db, rows, MIN_COLS "WHERE m.id = ?", YX_PI(doc));
    if (rc)
        return rc;
    if ((*rows)->nrows != 1)
        return yx_not_found(r);
    int64_t ref = yx_rows_i64(*rows, 0, "ref_id");
    rc = rx ? yx_visit_access(r, ref, YX_A_READ) : yx_consult_access(r, ref);
    /* The audit names the document (its FHIR id), with the patient the access check named. */
    if (rc == 0)
        yx_audit_target(r, *id);
    return rc;
}

/* GET /fhir/DocumentReference/:id */
static int document_read(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    int64_t id;
    char *pdf = NULL;
    size_t len = 0;
    int rc;
    if ((rc = yx_fhir_begin(r)) == 0 && (rc = load(r, &id, &rows)) == 0)
        rc = render(r, rows, 0, &pdf, &len);
    json_t *d = rc == 0 ? document(r, rows, 0, pdf, len) : NULL;
    free(pdf);
    yx_rows_free(rows);
    if (rc)
        return rc;
    return d ? yx_reply(r, 200, d) : YX_ENOMEM;
}

/* Does the request ask for the PDF itself (Accept names application/pdf)? */
static int wants_pdf(struct yx_req *r)
{
    return r->accept && strstr(r->accept, "application/pdf") != NULL && !yx_query(r, "_format");
}

/* GET /fhir/Binary/:id — the PDF with Accept: application/pdf, else a Binary of it in FHIR JSON. */
static int binary_read(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    int64_t id;
    char *pdf = NULL;
    size_t len = 0;
    int rc = 0, raw = wants_pdf(r);
    if (!raw)
        rc = yx_fhir_begin(r);
    if (rc == 0 && (rc = load(r, &id, &rows)) == 0)
        rc = render(r, rows, 0, &pdf, &len);
    yx_rows_free(rows);
    if (rc)
        return rc;
    if (raw)
        return yx_reply_raw(r, 200, "application/pdf", pdf, len);
    if (len > BINARY_JSON_MAX) {
        free(pdf);
        return yx_fail(r, YX_ETOOBIG,
                       "Tệp lớn hơn %d byte, quá lớn để gửi trong JSON; hãy xin Accept: application/pdf / "
                       "the document is over %d "
                       "bytes: ask for it with Accept: application/pdf.",
                       BINARY_JSON_MAX, BINARY_JSON_MAX);
    }
    char *data = yx_base64(pdf, len), ids[24], doc[48];
    free(pdf);
    if (!data)
        return YX_ENOMEM;
    yx_snprintf(ids, sizeof ids, "%lld", (long long)id);
    yx_snprintf(doc, sizeof doc, "DocumentReference/%lld", (long long)id);
    json_t *b = json_pack("{s:s,s:s,s:s,s:{s:s},s:s}", "resourceType", "Binary", "id", ids, "contentType",
                          "application/pdf", "securityContext", "reference", doc, "data", data);
    free(data);
    return b ? yx_reply(r, 200, b) : YX_ENOMEM;
}

static int take(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct yx_fhir_query *q = ctx;
    static const struct yx_fhir_ref refs[] = {
        {"_id", "DocumentReference", "d.id = ?"},
        {"patient", "Patient", "d.patient_id = ?"},
        {NULL, NULL, NULL},
    };
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(refs, name);
    if (ref)
        return yx_fhir_ref_where(r, q, ref, v);
    if (strcmp(name, "_include") == 0)
        return yx_fhir_take_include(r, q, "DocumentReference", v);
    if (strcmp(name, "type") == 0) {
        const char *code = yx_fhir_token(r, v, YX_FHIR_LOINC);
        if (code && strcmp(code, LOINC_MINUTES) == 0)
            return yx_fhir_where(r, q, "d.rx = 0", 0);
        if (code && strcmp(code, LOINC_RX) == 0)
            return yx_fhir_where(r, q, "d.rx = 1", 0);
        return yx_fhir_nobody(q);
    }
    if (strcmp(name, "status") == 0) {
        if (strcmp(v, "current") == 0)
            return yx_fhir_where(r, q, "d.superseded = 0", 0);
        if (strcmp(v, "superseded") == 0)
            return yx_fhir_where(r, q, "d.superseded = 1", 0);
        if (strcmp(v, "entered-in-error") == 0)
            return yx_fhir_nobody(q);
        return yx_fail_field(
            r, YX_EINVAL, name,
            "status là current, superseded hoặc entered-in-error / status is current, superseded "
            "or entered-in-error.");
    }
    if (strcmp(name, "related") == 0) {
        int64_t id;
        if ((id = yx_fhir_ref_typed(v, "ServiceRequest")) != 0)
            return yx_fhir_where(r, q, "d.rx = 0 AND d.ref_id = ?", 1, YX_PI(id));
        if ((id = yx_fhir_ref_typed(v, "Encounter")) != 0)
            return yx_fhir_where(r, q, "d.rx = 1 AND d.ref_id = ?", 1, YX_PI(id));
        if (yx_fhir_ref_is(v, "ServiceRequest") || yx_fhir_ref_is(v, "Encounter"))
            return yx_fhir_nobody(q);
        return yx_fail_field(
            r, YX_EINVAL, name,
            "related là ServiceRequest/<id> hoặc Encounter/<id> / related is ServiceRequest/<id> "
            "or Encounter/<id>.");
    }
    return yx_fhir_instant_cond(r, q, name, v, "d.signed_at"); /* date */
}

/* GET /fhir/DocumentReference: minutes of the cases the caller reads (YX_CONSULT_SEEN_BY) and
 * signed prescriptions of the visits its searches cover (YX_FHIR_VISIT_SCOPE), in one id order.
 * The entries leave out the PDF's size and hash, which drawing each PDF of a page would cost;
 * reading the DocumentReference gives them. */
static int document_search(struct yx_req *r)
{
    struct yx_param p[7];
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0)
        return rc;
    p[0] = p[1] = p[3] = YX_PI(r->who.facility_id);
    p[2] = YX_PI(r->who.user_id);
    yx_fhir_visit_scope_params(r, p + 4);
    return yx_fhir_search(r, "DocumentReference", yx_fhir_document_reference_params, take,
                          "SELECT * FROM (" MIN_COLS "WHERE " YX_CONSULT_SEEN_BY " UNION ALL " RX_COLS
                          "AND " YX_FHIR_VISIT_SCOPE ") d WHERE 1 = 1",
                          p, 7, "d.id", document_entry);
}

const struct yx_route yx_fhir_document_routes[] = {
    {"GET", "/fhir/DocumentReference/:id", document_read, 0, "document.read", "document", YX_CLINICIANS,
     NULL},
    {"GET", "/fhir/DocumentReference", document_search, 0, "document.list", "document", YX_CLINICIANS, NULL},
    {"GET", "/fhir/Binary/:id", binary_read, 0, "document.pdf", "document", YX_CLINICIANS, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
