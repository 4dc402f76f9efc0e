/* GET /fhir/metadata: the CapabilityStatement, built from the FHIR route tables themselves (each
 * route's method and path is an interaction: GET /fhir/T/:id read, GET /fhir/T search-type, POST
 * create, PUT update) and the search parameters each search checks its query against, so that it
 * lists exactly what is served and cannot drift from it. */
#include <string.h>

#include "fhir.h"
#include "ytexa/auth.h"

const struct yx_fhir_type yx_fhir_types[] = {
    {"Condition", yx_fhir_condition_params},
    {"Encounter", yx_fhir_encounter_params},
    {"MedicationRequest", yx_fhir_medication_request_params},
    {"Observation", yx_fhir_observation_params},
    {"Organization", yx_fhir_organization_params},
    {"Patient", yx_fhir_patient_params},
    {"Practitioner", yx_fhir_practitioner_params},
    {"PractitionerRole", yx_fhir_practitioner_role_params},
    /* Consultations, their documents, the audit trail. */
    {"ServiceRequest", yx_fhir_service_request_params},
    {"Task", yx_fhir_task_params},
    {"DocumentReference", yx_fhir_document_reference_params},
    {"Binary", yx_fhir_no_params},
    {"AuditEvent", yx_fhir_audit_event_params},
    {"Appointment", yx_fhir_appointment_params},
    {"Consent", yx_fhir_consent_params},
    {"Location", yx_fhir_location_params},
    {"Schedule", yx_fhir_schedule_params},
    {"Slot", yx_fhir_slot_params},
    {NULL, NULL},
};

const struct yx_route *const yx_fhir_route_tables[] = {
    yx_fhir_metadata_routes,
    /* Bulk Data's before Patient's: /fhir/Patient/$export would otherwise be a read of id $export. */
    yx_fhir_export_routes,
    /* Bulk import ($import). */
    yx_fhir_import_routes,
    yx_fhir_patient_routes,
    yx_fhir_organization_routes,
    yx_fhir_practitioner_routes,
    yx_fhir_encounter_routes,
    yx_fhir_observation_routes,
    yx_fhir_medication_routes,
    yx_fhir_bundle_routes,
    /* Consultations, their documents, the audit trail. */
    yx_fhir_consult_routes,
    yx_fhir_document_routes,
    yx_fhir_audit_event_routes,
    /* Scheduling and consent. */
    yx_fhir_schedule_routes,
    yx_fhir_appointment_routes,
    yx_fhir_location_routes,
    yx_fhir_consent_routes,
    NULL,
};

/* The Bulk Data IG's canonical URLs (src/fhir/export.c). */
#define BULK_DATA "http://hl7.org/fhir/uv/bulkdata/"

/* The interaction a route is for resource type t, or NULL when it is not one of t's. */
static const char *interaction(const struct yx_route *rt, const char *t)
{
    size_t n = strlen(t);
    if (strncmp(rt->pattern, "/fhir/", 6) != 0 || strncmp(rt->pattern + 6, t, n) != 0)
        return NULL;
    const char *rest = rt->pattern + 6 + n;
    int instance = strcmp(rest, "/:id") == 0;
    if (!instance && *rest)
        return NULL;
    if (strcmp(rt->method, "GET") == 0)
        return instance ? "read" : "search-type";
    if (strcmp(rt->method, "POST") == 0 && !instance)
        return "create";
    if (strcmp(rt->method, "PUT") == 0 && instance)
        return "update";
    return NULL;
}

static json_t *resource_entry(const struct yx_fhir_type *t)
{
    json_t *ints = json_array(), *params = json_array();
    int update = 0;
    for (int k = 0; yx_fhir_route_tables[k]; k++)
        for (const struct yx_route *rt = yx_fhir_route_tables[k]; rt->pattern; rt++) {
            const char *i = interaction(rt, t->name);
            if (i)
                json_array_append_new(ints, json_pack("{s:s}", "code", i));
            update |= i && strcmp(i, "update") == 0;
        }
    json_t *includes = json_array();
    for (const struct yx_fhir_param *p = t->params; p->name; p++)
        if (strcmp(p->type, "include") == 0)
            json_array_append_new(includes, json_string(p->doc));
        else
            json_array_append_new(params, json_pack("{s:s,s:s,s:s}", "name", p->name, "type", p->type,
                                                    "documentation", p->doc));
    json_t *e = json_pack("{s:s,s:o,s:s}", "type", t->name, "interaction", ints, "versioning",
                          update ? "versioned-update" : "no-version");
    if (update) {
        json_object_set_new(e, "readHistory", json_false());
        json_object_set_new(e, "updateCreate", json_false());
    }
    if (json_array_size(includes))
        json_object_set_new(e, "searchInclude", includes);
    else
        json_decref(includes);
    if (json_array_size(params))
        json_object_set_new(e, "searchParam", params);
    else
        json_decref(params);
    /* Bulk Data's $export at the type's level (GET /fhir/Patient/$export), from the routes too. */
    char op[96];
    if (yx_snprintf(op, sizeof op, "/fhir/%s/$export", t->name) == 0)
        for (int k = 0; yx_fhir_route_tables[k]; k++)
            for (const struct yx_route *rt = yx_fhir_route_tables[k]; rt->pattern; rt++)
                if (strcmp(rt->pattern, op) == 0)
                    json_object_set_new(e, "operation",
                                        json_pack("[{s:s,s:s}]", "name", "export", "definition",
                                                  BULK_DATA "OperationDefinition/patient-export"));
    return e;
}

#define SECURITY_SERVICE "http://terminology.hl7.org/CodeSystem/restful-security-service"

/* GET /fhir/metadata */
static int metadata(struct yx_req *r)
{
    int rc = yx_fhir_begin(r);
    if (rc)
        return rc;
    json_t *resources = json_array();
    for (const struct yx_fhir_type *t = yx_fhir_types; t->name; t++)
        json_array_append_new(resources, resource_entry(t));
    char now[32];
    yx_time_format(yx_now_ms(), now);
    /* SMART Backend Services for systems (the token endpoint in the oauth-uris extension SMART
     * defines), a user's session for people. */
    const char *base = yx_fhir_base(r), *token = yx_smart_token_url(r);
    if (!base || !token) {
        json_decref(resources);
        return YX_ENOMEM;
    }
    json_t *security = json_pack(
        "{s:[{s:s,s:[{s:s,s:s}]}],s:[{s:[{s:s,s:s}],s:s},{s:[{s:s,s:s}],s:s}],s:s}", "extension", "url",
        "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris", "extension", "url", "token",
        "valueUri", token, "service", "coding", "system", SECURITY_SERVICE, "code", "SMART-on-FHIR", "text",
        "SMART Backend Services (client_credentials, private_key_jwt)", "coding", "system", SECURITY_SERVICE,
        "code", "OAuth", "text", "Bearer session token", "description",
        "Systems: SMART Backend Services, a JWT signed RS384 or ES384 by a registered key for a token of "
        "scopes system/<Type>.rs within the places the system is registered for "
        "(/.well-known/smart-configuration). People: a session (POST /api/v1/auth/login), as "
        "Authorization: Bearer; the same roles, facility rules and audit as the REST API.");
    json_t *cs =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s},s:s,s:[s],s:[{s:s,s:o,s:o}]}", "resourceType",
                  "CapabilityStatement", "status", "active", "date", now, "kind", "instance", "name",
                  "YtexaFhirServer", "title", "ytexa FHIR R4 API", "implementation", "description",
                  "ytexa: khám chữa bệnh từ xa / telehealth (docs/fhir.md)", "fhirVersion", "4.0.1", "format",
                  "json", "rest", "mode", "server", "security", security, "resource", resources);
    if (cs)
        json_object_set_new(json_object_get(cs, "implementation"), "url", json_string(base));
    /* The system's interactions, from the routes too: a POST on the base takes transaction and
     * batch Bundles (src/fhir/bundle.c). */
    json_t *sys = json_array();
    for (int k = 0; yx_fhir_route_tables[k]; k++)
        for (const struct yx_route *rt = yx_fhir_route_tables[k]; rt->pattern; rt++)
            if (strcmp(rt->method, "POST") == 0 && strcmp(rt->pattern, "/fhir") == 0) {
                json_array_append_new(sys, json_pack("{s:s}", "code", "transaction"));
                json_array_append_new(sys, json_pack("{s:s}", "code", "batch"));
            }
    if (cs && json_array_size(sys))
        json_object_set(json_array_get(json_object_get(cs, "rest"), 0), "interaction", sys);
    json_decref(sys);
    /* The system-level $export when the route tables serve it: the IG's operation and its
     * CapabilityStatement, which this one then instantiates. $import, whose IG is still a draft
     * with no published definition, is named by ytexa's own (docs/fhir.md "Bulk import"). */
    json_t *ops = json_array();
    for (int k = 0; cs && yx_fhir_route_tables[k]; k++)
        for (const struct yx_route *rt = yx_fhir_route_tables[k]; rt->pattern; rt++)
            if (strcmp(rt->pattern, "/fhir/$export") == 0) {
                json_array_append_new(ops, json_pack("{s:s,s:s}", "name", "export", "definition",
                                                     BULK_DATA "OperationDefinition/export"));
                json_object_set_new(cs, "instantiates",
                                    json_pack("[s]", BULK_DATA "CapabilityStatement/bulk-data"));
            } else if (strcmp(rt->pattern, "/fhir/$import") == 0) {
                json_array_append_new(ops, json_pack("{s:s,s:s}", "name", "import", "definition",
                                                     YX_FHIR_NS "OperationDefinition:import"));
            }
    if (cs && json_array_size(ops))
        json_object_set(json_array_get(json_object_get(cs, "rest"), 0), "operation", ops);
    json_decref(ops);
    return cs ? yx_reply(r, 200, cs) : YX_ENOMEM;
}

const struct yx_route yx_fhir_metadata_routes[] = {
    {"GET", "/fhir/metadata", metadata, YX_R_PUBLIC, NULL, NULL, 0, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
