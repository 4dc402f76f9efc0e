/* Every route the server answers, gathered from the workflows' tables, and that table as JSON for
 * `ytexa routes --json` (what the route matrix and the bad-input tests call). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "ytexa/auth.h"
#include "ytexa/fhir.h"

extern const struct yx_route yx_health_routes[];
extern const struct yx_route yx_metrics_routes[];
extern const struct yx_route yx_auth_routes[];
extern const struct yx_route yx_user_routes[];
extern const struct yx_route yx_system_routes[];
extern const struct yx_route yx_smart_routes[];
extern const struct yx_route yx_facility_routes[];
extern const struct yx_route yx_unit_routes[];
extern const struct yx_route yx_network_routes[];
extern const struct yx_route yx_audit_routes[];
extern const struct yx_route yx_patient_routes[];
extern const struct yx_route yx_patient_search_routes[];
extern const struct yx_route yx_consent_routes[];
extern const struct yx_route yx_patient_account_routes[];
extern const struct yx_route yx_visit_routes[];
extern const struct yx_route yx_visit_record_routes[];
extern const struct yx_route yx_code_routes[];
extern const struct yx_route yx_prescription_routes[];
extern const struct yx_route yx_schedule_routes[];
extern const struct yx_route yx_appointment_routes[];
extern const struct yx_route yx_queue_routes[];
extern const struct yx_route yx_notification_routes[];
extern const struct yx_route yx_upload_routes[];
extern const struct yx_route yx_file_routes[];
extern const struct yx_route yx_consult_request_routes[];
extern const struct yx_route yx_consult_routing_routes[];
extern const struct yx_route yx_consult_discussion_routes[];
extern const struct yx_route yx_consult_minutes_routes[];
extern const struct yx_route yx_consult_export_routes[];
extern const struct yx_route yx_consult_room_routes[];
extern const struct yx_route yx_consult_guest_routes[];
extern const struct yx_route yx_rtc_routes[];
extern const struct yx_route yx_course_routes[];
extern const struct yx_route yx_enrolment_routes[];
extern const struct yx_route yx_session_routes[];
extern const struct yx_route yx_attendance_routes[];
extern const struct yx_route yx_verify_routes[];
extern const struct yx_route yx_training_quiz_routes[];
extern const struct yx_route yx_training_credit_routes[];
extern const struct yx_route yx_training_record_routes[];
extern const struct yx_route yx_training_certificate_routes[];
extern const struct yx_route yx_report_routes[];
extern const struct yx_route yx_today_routes[];
extern const struct yx_route yx_report_monthly_routes[];
extern const struct yx_route yx_report_hub_routes[];

const struct yx_route *yx_app_routes(void)
{
    static const struct yx_route *tables[] = {yx_health_routes,
                                              yx_metrics_routes,
                                              yx_auth_routes,
                                              yx_user_routes,
                                              yx_system_routes,
                                              yx_smart_routes,
                                              yx_facility_routes,
                                              yx_unit_routes,
                                              yx_network_routes,
                                              yx_audit_routes,
                                              yx_patient_routes,
                                              yx_patient_search_routes,
                                              yx_consent_routes,
                                              yx_patient_account_routes,
                                              yx_visit_routes,
                                              yx_visit_record_routes,
                                              yx_code_routes,
                                              yx_prescription_routes,
                                              yx_schedule_routes,
                                              yx_appointment_routes,
                                              yx_queue_routes,
                                              yx_notification_routes,
                                              yx_upload_routes,
                                              yx_file_routes,
                                              yx_consult_request_routes,
                                              yx_consult_routing_routes,
                                              yx_consult_discussion_routes,
                                              yx_consult_minutes_routes,
                                              yx_consult_export_routes,
                                              yx_consult_room_routes,
                                              yx_consult_guest_routes,
                                              yx_rtc_routes,
                                              yx_course_routes,
                                              yx_enrolment_routes,
                                              yx_session_routes,
                                              yx_attendance_routes,
                                              yx_verify_routes,
                                              yx_training_quiz_routes,
                                              yx_training_credit_routes,
                                              yx_training_record_routes,
                                              yx_training_certificate_routes,
                                              yx_report_routes,
                                              yx_today_routes,
                                              yx_report_monthly_routes,
                                              yx_report_hub_routes,
                                              NULL};
    /* The workflows' tables, then FHIR's as its one list. */
    static const struct yx_route *const *const lists[] = {tables, yx_fhir_route_tables, NULL};
    static struct yx_route *all;
    if (all)
        return all;
    size_t n = 0;
    for (int l = 0; lists[l]; l++)
        for (int t = 0; lists[l][t]; t++)
            for (const struct yx_route *r = lists[l][t]; r->pattern; r++)
                n++;
    all = calloc(n + 1, sizeof *all);
    if (!all)
        abort();
    n = 0;
    for (int l = 0; lists[l]; l++)
        for (int t = 0; lists[l][t]; t++)
            for (const struct yx_route *r = lists[l][t]; r->pattern; r++)
                all[n++] = *r;
    YX_ASSERT(yx_routes_valid(all, NULL));
    return all;
}

/* One route as JSON: method, path, flags, audit action, who may call it, the body's fields. */
static json_t *route_json(const struct yx_route *r)
{
    static const char *const flag_names[] = {"public", "heavy", "loop",   "notx",  "raw",
                                             "batch",  "image", "report", "writes"};
    static const char *const role_names[] = {YX_ROLES};
    static const char *const types[] = {"string", "int", "bool", "array", "object", "any", "number"};
    json_t *flags = json_array(), *roles = json_array(), *fields = json_null();
    for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
        if (r->flags & (1 << i))
            json_array_append_new(flags, json_string(flag_names[i]));
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
        if (!(r->flags & YX_R_PUBLIC) && (r->roles & yx_role_bit(role_names[i])))
            json_array_append_new(roles, json_string(role_names[i]));
    /* Registered systems are no role of an account, but the route admits them (YX_ROLE_SYSTEM). */
    if (!(r->flags & YX_R_PUBLIC) && (r->roles & YX_ROLE_SYSTEM))
        json_array_append_new(roles, json_string("system"));
    if (r->fields) {
        fields = json_array();
        for (const struct yx_field *f = r->fields; f->name; f++)
            json_array_append_new(fields, json_pack("{s:s,s:s,s:b,s:I,s:I}", "name", f->name, "type",
                                                    types[f->type], "required", f->required, "min",
                                                    (json_int_t)f->min, "max", (json_int_t)f->max));
    }
    return json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "method", r->method, "path", r->pattern, "flags", flags,
                     "audit", yx_json_str_or_null(r->audit), "resource_type",
                     yx_json_str_or_null(r->resource_type), "roles", roles, "fields", fields);
}

int yx_app_routes_print(FILE *out)
{
    json_t *all = json_array();
    for (const struct yx_route *r = yx_app_routes(); r->pattern; r++)
        json_array_append_new(all, route_json(r));
    int rc = json_dumpf(all, out, JSON_INDENT(1)) == 0 && fputc('\n', out) != EOF ? 0 : YX_EINTERNAL;
    json_decref(all);
    return rc;
}
