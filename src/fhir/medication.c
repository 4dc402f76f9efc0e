/* FHIR MedicationRequest (docs/fhir.md, "MedicationRequest"): the medicines of signed
 * prescriptions, one MedicationRequest an item (R4's medication[x] is one medicine), the items of
 * one prescription tied by groupIdentifier. An item's id is the prescription's id × 32 + its place
 * in the list (a prescription has at most 30), so ids stay whole numbers and the search keeps the
 * one cursor of search.c. A draft is not shown (it is work in progress, as for a patient's own
 * account in the REST API); a signed one replaced by a signed revision is "stopped". Read-only;
 * reading asks yx_visit_access() like the REST reads of a visit's record. */
#include <stdlib.h>
#include <string.h>

#include "fhir.h"
#include "ytexa/patient.h"
#include "ytexa/visit.h"

#define PER_RX 32
#define SUPERSEDED "EXISTS (SELECT 1 FROM prescriptions n WHERE n.replaces_id = p.id AND n.status = 'signed')"
#define RX_BASE                                                                                              \
    "SELECT p.id AS rx_id, p.visit_id, p.items, p.note, p.signed_by, p.signer_name, p.signed_at, "           \
    "v.patient_id, pa.full_name AS patient_name, CASE WHEN " SUPERSEDED " THEN 1 ELSE 0 END AS superseded "  \
    "FROM prescriptions p JOIN visits v ON v.id = p.visit_id JOIN patients pa ON pa.id = v.patient_id "
#define RX_FROM RX_BASE "WHERE p.status = 'signed' "

const struct yx_fhir_param yx_fhir_medication_request_params[] = {
    {"_id", "token", "The MedicationRequest's id."},
    {"patient", "reference", "Patient/<id>."},
    {"encounter", "reference", "Encounter/<id>: the visit."},
    {"status", "token", "active (signed), stopped (replaced by a signed revision)."},
    {"authoredon", "date",
     "eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or YYYY-MM-DD (Vietnam time): when it was signed."},
    {"_include", "include", "MedicationRequest:patient"},
    {NULL, NULL, NULL},
};

static const char *item_str(const json_t *it, const char *key)
{
    const char *s = json_string_value(json_object_get(it, key));
    return s ? s : "";
}

/* Item k of row i's prescription as a MedicationRequest; NULL when there is no such item. */
static json_t *medication_request(const struct yx_rows *rows, int i, const json_t *item, size_t k)
{
    char id[24], group[24], at[32];
    int64_t rx = yx_rows_i64(rows, i, "rx_id");
    yx_snprintf(id, sizeof id, "%lld", (long long)(rx * PER_RX + (int64_t)k));
    yx_snprintf(group, sizeof group, "%lld", (long long)rx);
    yx_time_format(yx_rows_i64(rows, i, "signed_at"), at);
    struct yx_buf med, dose;
    yx_buf_init(&med, 1024);
    yx_buf_init(&dose, 2048);
    yx_buf_printf(&med, "%s %s", item_str(item, "medicine"), item_str(item, "strength"));
    int64_t days = json_integer_value(json_object_get(item, "duration_days"));
    yx_buf_printf(&dose, "%s, %s, %lld ngày", item_str(item, "dose"), item_str(item, "frequency"),
                  (long long)days);
    if (*item_str(item, "instructions"))
        yx_buf_printf(&dose, ". %s", item_str(item, "instructions"));
    json_t *qty =
        json_pack("{s:I}", "value", (json_int_t)json_integer_value(json_object_get(item, "quantity")));
    if (*item_str(item, "unit"))
        json_object_set_new(qty, "unit", json_string(item_str(item, "unit")));
    json_t *m = json_pack(
        "{s:s,s:s,s:o,s:{s:s,s:s},s:s,s:s,s:{s:s%},s:o,s:o,s:s,s:o,s:[{s:s%,s:I}],s:{s:o,s:{s:I,s:s,s:s,s:s}}"
        "}",
        "resourceType", "MedicationRequest", "id", id, "meta",
        yx_fhir_meta_updated(yx_rows_i64(rows, i, "signed_at")), "groupIdentifier", "system",
        YX_FHIR_SID_PRESCRIPTION, "value", group, "status",
        yx_rows_i64(rows, i, "superseded") ? "stopped" : "active", "intent", "order",
        "medicationCodeableConcept", "text", med.data ? med.data : "", med.len, "subject",
        yx_fhir_ref("Patient", yx_rows_i64(rows, i, "patient_id"), yx_rows_str(rows, i, "patient_name")),
        "encounter", yx_fhir_ref("Encounter", yx_rows_i64(rows, i, "visit_id"), NULL), "authoredOn", at,
        "requester",
        yx_fhir_ref("Practitioner", yx_rows_i64(rows, i, "signed_by"), yx_rows_str(rows, i, "signer_name")),
        "dosageInstruction", "text", dose.data ? dose.data : "", dose.len, "sequence", (json_int_t)1,
        "dispenseRequest", "quantity", qty, "expectedSupplyDuration", "value", (json_int_t)days, "unit",
        "ngày", "system", YX_FHIR_UCUM, "code", "d");
    yx_buf_release(&med);
    yx_buf_release(&dose);
    const char *note = yx_rows_str(rows, i, "note");
    if (m && note && *note)
        json_object_set_new(m, "note", json_pack("[{s:s}]", "text", note));
    return m;
}

/* GET /fhir/MedicationRequest/:id */
static int medication_read(struct yx_req *r)
{
    int64_t id;
    struct yx_rows *rows = NULL;
    json_t *items = NULL, *m = NULL;
    int rc;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_param_id(r, 0, &id)) != 0 ||
        (rc = YX_DB_Q(r->db, &rows, RX_FROM "AND p.id = ?", YX_PI(id / PER_RX))) != 0)
        return rc;
    if (rows->nrows == 1)
        items = json_loads(yx_rows_str(rows, 0, "items"), 0, NULL);
    if (!json_array_get(items, (size_t)(id % PER_RX)))
        rc = yx_not_found(r);
    /* The audit names the prescription (as the REST read does), not the visit. */
    if (rc == 0)
        yx_audit_target(r, id / PER_RX);
    if (rc == 0)
        rc = yx_visit_access(r, yx_rows_i64(rows, 0, "visit_id"), YX_A_READ);
    if (rc == 0)
        m = medication_request(rows, 0, json_array_get(items, (size_t)(id % PER_RX)), (size_t)(id % PER_RX));
    json_decref(items);
    yx_rows_free(rows);
    if (rc)
        return rc;
    return m ? yx_reply(r, 200, m) : YX_ENOMEM;
}

struct rx_query {
    struct yx_fhir_query q;
    int64_t item_id; /* _id: one item, or 0 */
};

static int take(struct yx_req *r, const char *name, const char *v, void *ctx)
{
    struct rx_query *x = ctx;
    struct yx_fhir_query *q = &x->q;
    if (strcmp(name, "_include") == 0)
        return yx_fhir_take_include(r, q, "MedicationRequest", v);
    if (strcmp(name, "_id") == 0) {
        int64_t id = yx_fhir_ref_id(v, "MedicationRequest");
        if (!id || (x->item_id && x->item_id != id))
            return yx_fhir_nobody(q);
        x->item_id = id;
        return yx_fhir_where(r, q, "p.id = ?", 1, YX_PI(id / PER_RX));
    }
    static const struct yx_fhir_ref refs[] = {
        {"patient", "Patient", "v.patient_id = ?"},
        {"encounter", "Encounter", "p.visit_id = ?"},
        {NULL, NULL, NULL},
    };
    const struct yx_fhir_ref *ref = yx_fhir_ref_of(refs, name);
    if (ref)
        return yx_fhir_ref_where(r, q, ref, v);
    if (strcmp(name, "status") == 0) {
        static const char *const others[] = {"on-hold", "cancelled", "completed", "entered-in-error",
                                             "draft",   "unknown",   NULL};
        if (strcmp(v, "active") == 0)
            return yx_fhir_where(r, q, "NOT " SUPERSEDED, 0);
        if (strcmp(v, "stopped") == 0)
            return yx_fhir_where(r, q, SUPERSEDED, 0);
        if (yx_one_of(v, others))
            return yx_fhir_nobody(q);
        return yx_fail_field(
            r, YX_EINVAL, name,
            "status là một trạng thái MedicationRequest của R4 (active, stopped …) / status is "
            "an R4 MedicationRequest status (active, stopped …).");
    }
    return yx_fhir_instant_cond(r, q, name, v, "p.signed_at"); /* authoredon */
}

/* GET /fhir/MedicationRequest: prescriptions are read in id order from the one holding the cursor,
 * each expanded into its items; the items at or before the cursor are skipped. count + 2
 * prescriptions always hold count + 1 items past the cursor when there are that many (the first may
 * hold none past it), which says whether there is a next page. */
static int medication_search(struct yx_req *r)
{
    struct rx_query x = {.item_id = 0};
    struct yx_fhir_search s;
    struct yx_rows *rows = NULL;
    struct yx_param p[48];
    const char *select;
    int rc, n = 0;
    if ((rc = yx_fhir_begin(r)) != 0 || (rc = yx_fhir_visit_select(r, RX_BASE, &select, p, &n)) != 0)
        return rc;
    yx_fhir_query_init(&x.q);
    if ((rc = yx_fhir_search_parse(r, yx_fhir_medication_request_params, &s, take, &x)) != 0) {
        yx_buf_release(&x.q.sql);
        return rc;
    }
    p[n++] = YX_PI(s.after / PER_RX);
    for (int i = 0; i < x.q.n; i++)
        p[n++] = x.q.p[i];
    p[n++] = YX_PI(s.count + 2);
    size_t cap = x.q.sql.len + strlen(select) + 512;
    char *sql = yx_arena_alloc(&r->arena, cap);
    if (!sql || yx_snprintf(sql, cap, "%s AND p.status = 'signed' AND p.id >= ?%.*s ORDER BY p.id LIMIT ?",
                            select, (int)x.q.sql.len, x.q.sql.data ? x.q.sql.data : "") != 0)
        rc = YX_ENOMEM;
    yx_buf_release(&x.q.sql);
    if (rc == 0)
        rc = yx_db_exec(r->db, sql, p, n, &rows);
    if (rc) {
        yx_buf_release(&s.link);
        return rc;
    }
    json_t *entries = json_array();
    int64_t last = 0, patients[128];
    int more = 0, np = 0;
    for (int i = 0; i < rows->nrows && !more; i++) {
        json_t *items = json_loads(yx_rows_str(rows, i, "items"), 0, NULL), *it;
        size_t k;
        json_array_foreach(items, k, it)
        {
            int64_t id = yx_rows_i64(rows, i, "rx_id") * PER_RX + (int64_t)k;
            if (id <= s.after || (x.item_id && id != x.item_id))
                continue;
            if ((int64_t)json_array_size(entries) == s.count) {
                more = 1;
                break;
            }
            last = id;
            if (x.q.include_patient && np < (int)(sizeof patients / sizeof patients[0]))
                patients[np++] = yx_rows_i64(rows, i, "patient_id");
            json_array_append_new(
                entries, yx_fhir_entry(r, "MedicationRequest", id, medication_request(rows, i, it, k)));
        }
        json_decref(items);
    }
    yx_rows_free(rows);
    if (np && (rc = yx_fhir_include_patients(r, entries, patients, np)) != 0) {
        json_decref(entries);
        yx_buf_release(&s.link);
        return rc;
    }
    return yx_fhir_reply_bundle(r, "MedicationRequest", &s, entries, more, last);
}

const struct yx_route yx_fhir_medication_routes[] = {
    {"GET", "/fhir/MedicationRequest/:id", medication_read, 0, "prescription.read", "prescription",
     YX_CLINICIANS | YX_ROLE_SYSTEM, NULL},
    {"GET", "/fhir/MedicationRequest", medication_search, 0, "visit.list", "visit",
     YX_CLINICIANS | YX_ROLE_SYSTEM, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};

/* $export's MedicationRequest: signed prescriptions a page, each written as its items with the
 * search's mapping. */
static int emit_items(struct yx_req *r, const struct yx_rows *rows, int i, json_t *out)
{
    (void)r;
    json_t *items = json_loads(yx_rows_str(rows, i, "items"), 0, NULL), *it;
    size_t k;
    int rc = 0;
    json_array_foreach(items, k, it)
    {
        json_t *m = medication_request(rows, i, it, k);
        if (!m || json_array_append_new(out, m) != 0) {
            rc = YX_ENOMEM;
            break;
        }
    }
    json_decref(items);
    return rc;
}

const struct yx_fhir_export yx_fhir_medication_request_export = {
    "MedicationRequest",
    RX_FROM,
    "p.id",
    "prescriptions p",
    "(SELECT pa.facility_id FROM visits v JOIN patients pa ON pa.id = v.patient_id WHERE v.id = p.visit_id)",
    "+p.signed_at",
    1,
    NULL,
    emit_items};
