/* Unit tests of src/app: the route table every workflow contributes to (src/app/routes.c) holds
 * what the router and the dispatcher rely on, and `ytexa routes --json` prints all of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ytexa/auth.h"

const struct yx_route *yx_app_routes(void);
int yx_app_routes_print(FILE *out);
const char *yx_fhir_audit_action(const char *act);

static void no_route_shadows_another_and_each_names_its_callers(void **state)
{
    const struct yx_route *bad = NULL;
    int valid = yx_routes_valid(yx_app_routes(), &bad);
    if (!valid)
        fprintf(stderr, "route at fault: %s %s\n", bad->method, bad->pattern);
    assert_true(valid);
}

/* What the dispatcher does with a route's flags and audit action holds together. */
static void flags_and_audit_agree(void **state)
{
    size_t n = 0;
    for (const struct yx_route *r = yx_app_routes(); r->pattern; r++, n++) {
        /* An audited route says what kind of record its event names. */
        assert_true(!r->audit || r->resource_type);
        /* Only the cheap, database-free routes run on the loop, and no one needs a session there. */
        assert_true(!(r->flags & YX_R_LOOP) || !(r->flags & (YX_R_HEAVY | YX_R_IMAGE | YX_R_BATCH)));
        /* Bytes, not JSON: a raw route declares no body fields. */
        assert_true(!(r->flags & YX_R_RAW) || !r->fields);
        /* No role outside the list of roles, and registered systems. */
        assert_int_equal(r->roles & ~(unsigned)(YX_ANYONE | YX_ROLE_SYSTEM), 0);
        /* A system calls the FHIR API only. */
        assert_true(!(r->roles & YX_ROLE_SYSTEM) || strncmp(r->pattern, "/fhir/", 6) == 0);
    }
    assert_true(n > 100);
}

/* Every audited read is an R in FHIR's AuditEvent.action (src/fhir/audit_event.c's verbs[]), so a
 * new read's verb cannot fall to E, execute, unnoticed. */
static void each_audited_read_is_an_r(void **state)
{
    size_t n = 0;
    for (const struct yx_route *r = yx_app_routes(); r->pattern; r++) {
        if (!r->audit || strcmp(r->method, "GET") != 0)
            continue;
        if (strcmp(yx_fhir_audit_action(r->audit), "R") != 0)
            fprintf(stderr, "GET %s: %s is %s\n", r->pattern, r->audit, yx_fhir_audit_action(r->audit));
        assert_string_equal(yx_fhir_audit_action(r->audit), "R");
        n++;
    }
    assert_true(n > 50);
}

static void the_table_prints_as_json(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(yx_app_routes_print(f), 0);
    fclose(f);
    json_t *all = json_loads(text, 0, NULL);
    assert_true(json_is_array(all));
    size_t n = 0;
    for (const struct yx_route *r = yx_app_routes(); r->pattern; r++)
        n++;
    assert_int_equal(json_array_size(all), n);
    json_decref(all);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_route_shadows_another_and_each_names_its_callers),
        cmocka_unit_test(flags_and_audit_agree),
        cmocka_unit_test(each_audited_read_is_an_r),
        cmocka_unit_test(the_table_prints_as_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
