/* Internal to src/fhir: what its files share — the identifier systems and extensions of the
 * mapping, the request's format, answers with their headers, and the search parameters each
 * resource takes (which the CapabilityStatement is built from as well as the searches). */
#ifndef YTEXA_FHIR_INTERNAL_H
#define YTEXA_FHIR_INTERNAL_H

#include <stdint.h>

#include "ytexa/fhir.h"
#include "ytexa/http.h"
#include "ytexa/patient.h"

extern const struct yx_route yx_fhir_metadata_routes[];
extern const struct yx_route yx_fhir_patient_routes[];
extern const struct yx_route yx_fhir_organization_routes[];
extern const struct yx_route yx_fhir_practitioner_routes[];
extern const struct yx_route yx_fhir_encounter_routes[];
extern const struct yx_route yx_fhir_observation_routes[];
extern const struct yx_route yx_fhir_medication_routes[];
/* Consultations, their documents and the audit trail (consult.c, document.c, audit_event.c). */
extern const struct yx_route yx_fhir_consult_routes[];
extern const struct yx_route yx_fhir_document_routes[];
extern const struct yx_route yx_fhir_audit_event_routes[];
extern const struct yx_route yx_fhir_bundle_routes[];
/* Scheduling and consent (docs/fhir.md, "Appointment" … "Consent"). */
extern const struct yx_route yx_fhir_schedule_routes[];
extern const struct yx_route yx_fhir_appointment_routes[];
extern const struct yx_route yx_fhir_location_routes[];
extern const struct yx_route yx_fhir_consent_routes[];
extern const struct yx_route yx_fhir_export_routes[];

/* Vietnam's draft VN Core IG (fhir.hl7.org.vn, 0.x; docs/fhir.md says where each was found). */
#define YX_FHIR_SID_CCCD "http://fhir.hl7.org.vn/core/sid/cccd"
#define YX_FHIR_SID_BHYT "http://fhir.hl7.org.vn/core/sid/bhyt"
#define YX_FHIR_SID_BHXH "http://fhir.hl7.org.vn/core/sid/bhxh"
#define YX_FHIR_EXT_ETHNICITY "http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-ethnicity"
/* The 54 groups' codes of the General Statistics Office, as the Ministry's 2021 IG names them. */
#define YX_FHIR_CS_ETHNICITY "http://fhir.ehealth.gov.vn/core/CodeSystem/vn-core-race"
/* ytexa's own namespace, for what no published system names (docs/fhir.md, "Identifier systems"). */
#define YX_FHIR_NS "urn:ytexa:fhir:"
#define YX_FHIR_SID_FACILITY YX_FHIR_NS "sid:facility-code"
#define YX_FHIR_CS_LEVEL YX_FHIR_NS "CodeSystem:facility-level"
#define YX_FHIR_CS_ERROR YX_FHIR_NS "CodeSystem:error"
#define YX_FHIR_SID_LICENCE YX_FHIR_NS "sid:practising-licence"
#define YX_FHIR_SID_PRESCRIPTION YX_FHIR_NS "sid:prescription"
#define YX_FHIR_CS_ROLE YX_FHIR_NS "CodeSystem:role"
#define YX_FHIR_CS_SPECIALTY YX_FHIR_NS "CodeSystem:specialty"
#define YX_FHIR_CS_VISIT_MODE YX_FHIR_NS "CodeSystem:visit-mode"
/* Consultations and their documents (consult.c, document.c), the audit trail (audit_event.c). */
#define YX_FHIR_CS_CONSULT_KIND YX_FHIR_NS "CodeSystem:consult-kind"
#define YX_FHIR_CS_CONSULT_STATE YX_FHIR_NS "CodeSystem:consult-state"
#define YX_FHIR_CS_CONSULT_ACTION YX_FHIR_NS "CodeSystem:consult-action"
#define YX_FHIR_CS_CONSULT_RECOMMENDATION YX_FHIR_NS "CodeSystem:consult-recommendation"
#define YX_FHIR_SID_VERIFY_CODE YX_FHIR_NS "sid:verify-code"
#define YX_FHIR_CS_AUDIT_ACTION YX_FHIR_NS "CodeSystem:audit-action"
#define YX_FHIR_SID_AUDIT_RESOURCE YX_FHIR_NS "sid:audit-resource"
#define YX_FHIR_SID_USER YX_FHIR_NS "sid:user"
/* A registered system (systems.id), an AuditEvent agent that is no account. */
#define YX_FHIR_SID_SYSTEM YX_FHIR_NS "sid:system"
/* A DocumentReference (and its Binary) is signed minutes, id = the minutes' id × 2, or a signed
 * prescription, id = its id × 2 + 1. */
#define YX_FHIR_DOC_KINDS 2
/* Scheduling and consent: a site's connection, how a consent was given and who recorded it. */
#define YX_FHIR_EXT_SITE_PROFILE YX_FHIR_NS "StructureDefinition:site-profile"
#define YX_FHIR_CS_SITE_PROFILE YX_FHIR_NS "CodeSystem:site-profile"
#define YX_FHIR_EXT_SITE_BANDWIDTH YX_FHIR_NS "StructureDefinition:site-bandwidth-kbps"
#define YX_FHIR_CS_CONSENT_PURPOSE YX_FHIR_NS "CodeSystem:consent-purpose"
#define YX_FHIR_EXT_CONSENT_METHOD YX_FHIR_NS "StructureDefinition:consent-method"
#define YX_FHIR_EXT_CONSENT_WITNESS YX_FHIR_NS "StructureDefinition:consent-witness"
#define YX_FHIR_EXT_CONSENT_RECORDER YX_FHIR_NS "StructureDefinition:consent-recorder"
/* Published systems the clinical resources use. */
#define YX_FHIR_SID_ICD10 "http://hl7.org/fhir/sid/icd-10"
#define YX_FHIR_LOINC "http://loinc.org"
#define YX_FHIR_UCUM "http://unitsofmeasure.org"

/* A search parameter a resource takes: its name and FHIR type ("token", "string", "date"), and a
 * line for the CapabilityStatement. An _include the search serves is the type "include" with the
 * value it takes as its line ("Encounter:patient"), which the CapabilityStatement lists as a
 * searchInclude. */
struct yx_fhir_param {
    const char *name, *type, *doc;
};
/* A resource type the API serves and the search parameters it takes (NULL name ends them). */
struct yx_fhir_type {
    const char *name;
    const struct yx_fhir_param *params;
};
/* Every type served, ended by a NULL name: what the CapabilityStatement lists beside the routes. */
extern const struct yx_fhir_type yx_fhir_types[];
extern const struct yx_fhir_param yx_fhir_patient_params[];
extern const struct yx_fhir_param yx_fhir_organization_params[];
extern const struct yx_fhir_param yx_fhir_practitioner_params[];
extern const struct yx_fhir_param yx_fhir_practitioner_role_params[];
extern const struct yx_fhir_param yx_fhir_encounter_params[];
extern const struct yx_fhir_param yx_fhir_condition_params[];
extern const struct yx_fhir_param yx_fhir_observation_params[];
extern const struct yx_fhir_param yx_fhir_medication_request_params[];
extern const struct yx_fhir_param yx_fhir_service_request_params[];
extern const struct yx_fhir_param yx_fhir_task_params[];
extern const struct yx_fhir_param yx_fhir_document_reference_params[];
extern const struct yx_fhir_param yx_fhir_audit_event_params[];
/* R4's AuditEvent.action (C, R, U, D or E) of ytexa's audit act ("prescription.pdf"). */
const char *yx_fhir_audit_action(const char *act);
/* A type served without a search (Binary): no parameters. */
extern const struct yx_fhir_param yx_fhir_no_params[];
extern const struct yx_fhir_param yx_fhir_schedule_params[];
extern const struct yx_fhir_param yx_fhir_slot_params[];
extern const struct yx_fhir_param yx_fhir_appointment_params[];
extern const struct yx_fhir_param yx_fhir_location_params[];
extern const struct yx_fhir_param yx_fhir_consent_params[];

/* Checks what every FHIR request must: the format asked for (_format, Accept) is JSON (406
 * otherwise). 0 or the refusal. */
int yx_fhir_begin(struct yx_req *r);
/* rc, after r's error field (a REST body's field, e.g. "full_name") is renamed to where it is in the
 * resource ("Patient.name") by paths, pairs of {field, path} ended by {NULL, NULL}: a write through a
 * workflow's own function names the FHIR element in its OperationOutcome. */
int yx_fhir_field_paths(struct yx_req *r, int rc, const char *const paths[][2]);
/* The server's base, "<scheme>://<host>/fhir", in the arena (host "localhost" when none came). */
const char *yx_fhir_base(struct yx_req *r);
/* Answers resource with status, its ETag (W/"version"; none when version is 0, a resource ytexa
 * keeps no version of) and, for a creation, its Location; with
 * Prefer: return=minimal an empty body. Takes the reference. */
int yx_fhir_reply_resource(struct yx_req *r, int status, json_t *resource, const char *type, int64_t id,
                           int64_t version, int created);
/* meta {versionId, lastUpdated} for a version and a time in ms. */
json_t *yx_fhir_meta(int64_t version, int64_t updated_ms);

/* The search request: the parameters the type takes checked (an unknown one is 400, or left out
 * with Prefer: handling=lenient), _count (1..100, default 20) and the cursor (_cursor, the last
 * id of the page before). Each accepted parameter is handed to take(), which adds its condition
 * or refuses the value.
 *
 * A search whose take sets keyed pages on two keys instead (Patient's name searches: the name
 * key, then the id): its cursor is opaque, base64url of the last key, "." and the last id, read
 * into after_key and after once every parameter is taken; a cursor that is not one, or whose key
 * check_key refuses (a key outside the search's own range), is a 400 naming _cursor. The runner
 * sets next_key, the last row's key, before yx_fhir_reply_bundle. */
struct yx_fhir_search {
    int64_t count, after;
    struct yx_buf link; /* the accepted parameters, re-encoded, for the Bundle's links */
    const char *cursor; /* _cursor as given, read once the parameters are taken */
    int keyed;
    const char *after_key, *next_key;
    int (*check_key)(const char *key, void *ctx); /* keyed: 1 when the key may be this search's */
    void *check_ctx;
};
/* Each parameter of r's query handed to take, after the ceilings before any is looked at (at most
 * max_params, each value at most max_value bytes) and FHIR's handling rules: _format is
 * yx_fhir_begin's; a name take answers YX_FHIR_UNKNOWN for is refused 400 naming it, or left out
 * under Prefer: handling=lenient. A search's parameters and $export's go through it. */
#define YX_FHIR_UNKNOWN 1
int yx_fhir_params_each(struct yx_req *r, int max_params, size_t max_value,
                        int (*take)(struct yx_req *r, const char *name, const char *value, void *ctx),
                        void *ctx);
int yx_fhir_search_parse(struct yx_req *r, const struct yx_fhir_param *params, struct yx_fhir_search *s,
                         int (*take)(struct yx_req *r, const char *name, const char *value, void *ctx),
                         void *ctx);
/* Answers a searchset Bundle of entries (taken), with self and, when more, next links. */
int yx_fhir_reply_bundle(struct yx_req *r, const char *type, struct yx_fhir_search *s, json_t *entries,
                         int more, int64_t last_id);
/* An entry of a searchset: fullUrl, the resource (taken), search.mode match. */
json_t *yx_fhir_entry(struct yx_req *r, const char *type, int64_t id, json_t *resource);

/* A date search value "[prefix]YYYY[-MM[-DD]]" as its prefix ("eq" when none) and the first and
 * last day of the range it names, "YYYY-MM-DD" (the last of a month may be "-31" whatever the
 * month: it compares as text). 0 or YX_EINVAL (400 naming the parameter). */
int yx_fhir_date_range(struct yx_req *r, const char *name, const char *v, char prefix[3], char lo[11],
                       char hi[11]);

/* The conditions of a search, added as its parameters are read (src/fhir/clinical.c). */
struct yx_fhir_query {
    struct yx_buf sql; /* " AND …" each */
    struct yx_param p[48];
    int n;
    int include_patient; /* _include=<Type>:patient was asked */
};
void yx_fhir_query_init(struct yx_fhir_query *q);
/* Adds " AND sql" with its np parameters (struct yx_param each); a 400 when a search has too many. */
int yx_fhir_where(struct yx_req *r, struct yx_fhir_query *q, const char *sql, int np, ...);
/* Takes _include=<type>:patient (or <type>:patient:Patient) into q; 400 for any other value. */
int yx_fhir_take_include(struct yx_req *r, struct yx_fhir_query *q, const char *type, const char *v);
/* Appends to entries, as search.mode "include", the patients of ids (n of them, repeats allowed)
 * that the caller may read — each asked of yx_authorize() as a Patient read, from one query. */
int yx_fhir_include_patients(struct yx_req *r, json_t *entries, const int64_t *ids, int n);

/* Adds a condition that nobody matches (a value naming something ytexa does not hold). */
int yx_fhir_nobody(struct yx_fhir_query *q);
/* A reference search value, "Type/123" or "123", as the id; 0 when it cannot name one of type's
 * (the search then matches nobody). */
int64_t yx_fhir_ref_id(const char *v, const char *type);
/* Does v (may be NULL) read "Type/…", naming type? */
int yx_fhir_ref_is(const char *v, const char *type);
/* The id of v (may be NULL) when it is a reference "Type/123" of type's, else 0: a bare id or
 * another type's is none (a resource's reference, where a search value may be bare). */
int64_t yx_fhir_ref_typed(const char *v, const char *type);
/* A reference parameter of a type's search (_id, patient, encounter …): its name, the type its
 * value names and the condition on that id. A type's table ends with a NULL name. */
struct yx_fhir_ref {
    const char *name, *type, *sql;
};
/* The row of refs for the parameter name, or NULL when it is not one of them. */
const struct yx_fhir_ref *yx_fhir_ref_of(const struct yx_fhir_ref *refs, const char *name);
/* Adds ref's condition on the id v names to q; nobody matches when v names none of ref's type. */
int yx_fhir_ref_where(struct yx_req *r, struct yx_fhir_query *q, const struct yx_fhir_ref *ref,
                      const char *v);
/* A token search value "[system|]code": the code when the system is absent, empty or system;
 * NULL when it names another system. In the arena. */
const char *yx_fhir_token(struct yx_req *r, const char *v, const char *system);
/* A date search on a column of ms instants: eq, ne, gt, lt, ge, le on YYYY, YYYY-MM or
 * YYYY-MM-DD, a Vietnam (UTC+7) calendar range. 400 naming the parameter when malformed. */
int yx_fhir_instant_cond(struct yx_req *r, struct yx_fhir_query *q, const char *name, const char *v,
                         const char *column);
/* Row i of a search's rows as its resource. */
typedef json_t *(*yx_fhir_make)(struct yx_req *r, const struct yx_rows *rows, int i);
/* Runs a search and answers its page: select is "SELECT … FROM … WHERE <scope>" whose column "id"
 * is key; the query's conditions, the cursor and the page size are added, rows ordered by key.
 * With q->include_patient, the patients of the page (column "patient_id") follow as included
 * entries, from one more query. Releases q. */
int yx_fhir_run_search(struct yx_req *r, const char *type, struct yx_fhir_search *s, struct yx_fhir_query *q,
                       const char *select, const struct yx_param *scope, int nscope, const char *key,
                       yx_fhir_make make);
/* GET /fhir/<Type>/:id: access (NULL: what anyone the route lets in may read, the network's sites
 * and schedules) asked of the id first — its refusal, e.g. the 404 of an absent one, is the answer —
 * then select's one row for the id (its one parameter) as make maps it, or the 404 of an absent one. */
int yx_fhir_read_one(struct yx_req *r, int (*access)(struct yx_req *r, int64_t id), const char *select,
                     yx_fhir_make make);
/* A type's search from the request to its answer: the parameters checked and handed to take (its
 * conditions go into a query take gets as ctx), then yx_fhir_run_search with the rest. */
int yx_fhir_search(struct yx_req *r, const char *type, const struct yx_fhir_param *params,
                   int (*take)(struct yx_req *r, const char *name, const char *value, void *ctx),
                   const char *select, const struct yx_param *scope, int nscope, const char *key,
                   yx_fhir_make make);
/* The visits a clinician's searches cover, as the REST visit list (v the visits' alias): those of
 * the facility's patients, the caller's own as their doctor, and the open ones its doctors run. Three
 * parameters, from yx_fhir_visit_scope_params. */
#define YX_FHIR_VISIT_SCOPE                                                                                  \
    "(v.facility_id = ? OR v.doctor_id = ? OR (v.doctor_facility_id = ? AND v.state IN ('planned', "         \
    "'arrived', 'in_progress')))"
void yx_fhir_visit_scope_params(const struct yx_req *r, struct yx_param p[3]);
/* The visits r's principal's searches cover, as "SELECT … WHERE <scope>" made of from (which ends
 * before its WHERE and names the visit's patient pa): a clinician's YX_FHIR_VISIT_SCOPE with its
 * three parameters, a registered system's the visits of the patients of its places (the patient's
 * facility, the rule a Patient read and search of a system follow; no parameter). *np is the
 * number of parameters put in p; the 403 of yx_patient_registry_role() for anyone else. */
int yx_fhir_visit_select(struct yx_req *r, const char *from, const char **select, struct yx_param p[3],
                         int *np);
/* {reference, display} for Type/id. */
json_t *yx_fhir_ref(const char *type, int64_t id, const char *display);
/* A person's name as a HumanName: text, family the first word, given the others (Vietnamese order). */
json_t *yx_fhir_human_name(const char *full);
/* meta {lastUpdated} alone, for resources ytexa keeps no version of. */
json_t *yx_fhir_meta_updated(int64_t updated_ms);

/* Writes (Observation, Condition create; src/fhir/clinical.c). o checked against fields as
 * yx_validate() does, a refusal naming path.<field> (path itself when o is not an object). */
int yx_fhir_validate_at(struct yx_req *r, const json_t *o, const struct yx_field *fields, const char *path);
/* A Reference element {reference, display?} that must name type/<id>: *id, or a 400 naming path. */
int yx_fhir_ref_in(struct yx_req *r, const json_t *ref, const char *type, const char *path, int64_t *id);
/* A CodeableConcept {coding: [one {system, code, display?}], text?} whose one coding is of system:
 * its code, or NULL with *rc the 400 naming path (or the element within it). */
const char *yx_fhir_code_in(struct yx_req *r, const json_t *concept, const char *system, const char *path,
                            int *rc);
/* A visit's or a slot's mode (video, audio, chat, assisted) as a list of one CodeableConcept
 * (Encounter.type; Appointment, Schedule and Slot serviceType); encounter.c. */
json_t *yx_fhir_visit_mode(const char *mode);
/* A facility's address (columns address, unit_name, province_name of row i) as an Address. */
json_t *yx_fhir_facility_address(const struct yx_rows *rows, int i);

/* Is b's element a JSON text and the request's id path parameter the same id? */
int yx_fhir_same_id(const json_t *b, int64_t id);
/* An update's If-Match, W/"n" (or "n"): *want is the version the client read, 0 when it sent none;
 * another form is r's 400. */
int yx_fhir_if_match(struct yx_req *r, int64_t *want);

/* Bulk Data ($export, src/fhir/export.c): where a type's resources come from, for the exporter
 * thread, which pages them on the key as a search does and writes each as a line of NDJSON with
 * the type's own mapping (the read's and the search's). */
struct yx_fhir_export {
    const char *type;
    const char *select;   /* "SELECT … FROM … WHERE <cond>": the exporter adds " AND <key> IN (…)" */
    const char *key;      /* the key the pages follow ("p.id"), ascending */
    const char *from;     /* the key's own table and alias ("patients p"), which a page's keys are read
                             from alone: no join for a planner to start from, so a page walks the key */
    const char *facility; /* the facility a row belongs to, an expression on that table alone, which
                             the export's places filter ("+p.facility_id": the + keeps it off an index) */
    const char *updated;  /* the ms instant _since compares (the resource's meta.lastUpdated), ditto */
    int compartment;      /* in the Patient compartment: Patient- and Group-level exports take it */
    yx_fhir_make make;    /* row i as its resource; or NULL and emit */
    /* Appends row i's resources (a row that holds several) to out; 0 or YX_ENOMEM. */
    int (*emit)(struct yx_req *r, const struct yx_rows *rows, int i, json_t *out);
};
extern const struct yx_fhir_export yx_fhir_patient_export;
extern const struct yx_fhir_export yx_fhir_encounter_export;
extern const struct yx_fhir_export yx_fhir_condition_export;
extern const struct yx_fhir_export yx_fhir_observation_export;
extern const struct yx_fhir_export yx_fhir_medication_request_export;
extern const struct yx_fhir_export yx_fhir_organization_export;

/* Bulk import ($import, src/fhir/import.c): one Patient of an NDJSON line into facility's registry,
 * mapped as a create is (the same element table and checks) and matched by its CCCD or BHYT card
 * (yx_patient_import()); its managingOrganization is not read (the import names the facility).
 * Fills *what and *id; a refusal is r's error, its field the element's FHIR path. */
int yx_fhir_patient_import(struct yx_req *r, const json_t *res, int64_t facility,
                           enum yx_patient_imported *what, int64_t *id);
extern const struct yx_route yx_fhir_import_routes[];

/* The steps of reading a resource that need no database, which the creates, updates and $import
 * take one after the other with the database's between them (fuzz/fuzz_fhir.c and fuzz_import.c
 * take them alone). Each refusal is r's error, naming the element's FHIR path. */
/* The elements a Patient may carry (its create's and update's body, an $import line). */
extern const struct yx_field yx_fhir_patient_fields[];
/* A Patient's elements as the REST API's patient body into out (full: every mapped field present,
 * null when the resource has none, as an update and an import replace them; a create's is not full);
 * its managingOrganization, when given, must be Organization/<facility>. */
int yx_fhir_patient_body(struct yx_req *r, const json_t *res, json_t *out, int full, int64_t facility);
/* The elements an Observation may carry (its create, an $import line), and its measurement: status
 * final, a LOINC code ytexa records (*k, the measurement's number: 1 blood pressure … 8 glucose),
 * its category, its value into v (blood pressure: its two components). */
extern const struct yx_field yx_fhir_observation_fields[];
struct yx_vitals;
int yx_fhir_observation_in(struct yx_req *r, const json_t *b, int *k, struct yx_vitals *v);
/* A Condition's ICD-10 code (create and $import), once its category (encounter-diagnosis) and its
 * note (one at most) are checked; NULL with *rc the refusal. */
extern const struct yx_field yx_fhir_condition_import_fields[];
const char *yx_fhir_condition_in(struct yx_req *r, const json_t *b, int *rc);
/* An Encounter line's elements ($import) into p: status finished, class VR, the period's start and
 * end (each a dateTime with its zone), the mode (Encounter.type) and the reason. */
extern const struct yx_field yx_fhir_encounter_import_fields[];
struct yx_visit_past;
int yx_fhir_encounter_in(struct yx_req *r, const json_t *res, struct yx_visit_past *p);
/* The elements an Appointment may carry (its create, its update), and a booking's: status booked,
 * exactly one Slot/<id> (*slot), the participants one Patient/<id> (*patient) and at most one
 * Practitioner/<id> (*doctor, 0 when none: the create then asks the database whether it is the
 * slot's doctor). */
extern const struct yx_field yx_fhir_appointment_fields[];
int yx_fhir_appointment_in(struct yx_req *r, const json_t *b, int64_t *slot, int64_t *patient,
                           int64_t *doctor);
/* The elements a Consent may carry (its create), and the consent it records as the REST body of
 * POST /api/v1/patients/:id/consents into out: the patient (*patient, status active), the purpose
 * from category (ytexa's purpose) or scope, how it was given and the witness from ytexa's
 * extensions, who gave it from the performer (the patient, or a RelatedPerson: the guardian), the
 * signed paper from sourceAttachment's title. */
extern const struct yx_field yx_fhir_consent_fields[];
int yx_fhir_consent_body(struct yx_req *r, const json_t *b, json_t *out, int64_t *patient);
/* $import of Encounter, Observation and Condition lines (docs/fhir.md "Bulk import"): what the
 * lines of one request share — the facility written into, who sends them (the source of a line
 * without meta.source: "user:<id>") — and what a line did: created or found unchanged, the ytexa
 * id of the record, its visit and patient (for the audit event). */
struct yx_fhir_import {
    int64_t facility;
    const char *source;
};
struct yx_fhir_imported {
    enum yx_patient_imported what;
    int64_t id, visit, patient;
};
/* Is the Content-Type (may be NULL) NDJSON: application/fhir+ndjson or application/ndjson, its
 * parameters and the blanks before them left out? */
int yx_fhir_ndjson_type(const char *content_type);
/* The next line of an $import body of len bytes from *at: 1 with its bytes (*line, *n, without the
 * newline) and *at past it; 0 at the end. A last line without its newline is a line. */
int yx_fhir_import_next(const char *body, size_t len, size_t *at, const char **line, size_t *n);
/* Does the line hold only blanks (space, tab, CR)? Such a line is skipped. */
int yx_fhir_import_blank(const char *line, size_t n);
/* A line read: at most 64 KiB, a JSON object (duplicate keys refused), whose resourceType is one a
 * line may hold: *res (the caller's reference) and *type, 0 Patient, 1 Encounter, 2 Observation,
 * 3 Condition. Otherwise r's 400 (413 line_too_long) and *res NULL. */
int yx_fhir_import_read(struct yx_req *r, const char *line, size_t len, json_t **res, size_t *type);
/* The source of a line: its meta.source (1 to 200 characters) or the request's. */
const char *yx_fhir_import_source(const struct yx_fhir_import *im, const json_t *res);
/* The ytexa id *local of the record the line's source knows as type/source_id, imported into the
 * facility before (this request or an earlier one); 0 when none. */
int yx_fhir_import_find(struct yx_req *r, const struct yx_fhir_import *im, const char *source,
                        const char *type, const char *source_id, int64_t *local);
/* The start of an Encounter, Observation or Condition line without the database: its fields checked
 * against the type's table, its *source and source id *sid (required). */
int yx_fhir_import_start(struct yx_req *r, const json_t *res, const struct yx_field *fields,
                         const struct yx_fhir_import *im, const char **source, const char **sid);
/* yx_fhir_import_start(), then whether the facility has the line from before: then out->id is set
 * and out->what is YX_IMPORT_UNCHANGED, and the line is done. */
int yx_fhir_import_begin(struct yx_req *r, const json_t *res, const struct yx_field *fields,
                         const struct yx_fhir_import *im, const char *type, const char **source,
                         const char **sid, struct yx_fhir_imported *out);
/* Remembers that the source's type/source_id is ytexa's local in the facility. */
int yx_fhir_import_keep(struct yx_req *r, const struct yx_fhir_import *im, const char *source,
                        const char *type, const char *source_id, int64_t local);
/* An Encounter's primary diagnosis, by the source id of its Condition (the diagnosis ranked 1):
 * remembered with the Encounter's source id, and asked by a Condition line of its encounter
 * (Reference encounter): *condition the source id (in the request's arena), or NULL when the
 * Encounter named none. */
int yx_fhir_import_keep_primary(struct yx_req *r, const struct yx_fhir_import *im, const char *source,
                                const char *encounter, const char *condition);
int yx_fhir_import_primary(struct yx_req *r, const struct yx_fhir_import *im, const char *source,
                           const json_t *encounter, const char **condition);
/* A Reference of a line (at path, to type) as the ytexa id of what the source's file or an earlier
 * one imported: "<type>/<source id>", or for a Patient an identifier (CCCD, BHYT card) of a patient
 * of the facility. A reference nothing answers refuses the line (400 unknown_reference, naming
 * path): an import never guesses. */
int yx_fhir_import_ref(struct yx_req *r, const struct yx_fhir_import *im, const char *source,
                       const json_t *ref, const char *type, const char *path, int64_t *local);
/* The visit's patient, in *patient, must be the line's subject when it names one (at path): 400
 * otherwise. */
int yx_fhir_import_subject(struct yx_req *r, const struct yx_fhir_import *im, const char *source,
                           const json_t *subject, const char *path, int64_t visit, int64_t *patient);
/* The ytexa account a Reference to a Practitioner names by its practising licence (identifier,
 * system YX_FHIR_SID_LICENCE), an active doctor or specialist: *user, or 0 when it names none ytexa
 * knows (the importing account then stands for it). */
int yx_fhir_import_practitioner(struct yx_req *r, const json_t *ref, int64_t *user);
/* A dateTime of a line (at path) with its time and zone, as ms; absent: 0. */
int yx_fhir_import_time(struct yx_req *r, const char *v, const char *path, int64_t *at);
/* One line of each type, through yx_visit_record_past(): a finished past visit, a measurement on
 * it, a diagnosis of it. A line whose source id was imported before is found, not written again. */
int yx_fhir_encounter_import(struct yx_req *r, const json_t *res, const struct yx_fhir_import *im,
                             struct yx_fhir_imported *out);
int yx_fhir_observation_import(struct yx_req *r, const json_t *res, const struct yx_fhir_import *im,
                               struct yx_fhir_imported *out);
int yx_fhir_condition_import(struct yx_req *r, const json_t *res, const struct yx_fhir_import *im,
                             struct yx_fhir_imported *out);

#endif
