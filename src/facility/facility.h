/* Internal to src/facility: what its files share. */
#ifndef YTEXA_FACILITY_H
#define YTEXA_FACILITY_H

#include "ytexa/auth.h"
#include "ytexa/http.h"

/* The facility as the API shows it, or NULL when there is none with that id. */
json_t *yx_facility_json(struct yx_db *db, int64_t id);
/* May the caller change the network (facilities, links) anywhere at all? Asked before the body is
 * read, so a role without the right learns nothing from validation. 403 otherwise. */
int yx_network_admin_any(struct yx_req *r);
/* Fills a resource for the authorization decision; 404 when the facility does not exist. */
int yx_facility_resource(struct yx_req *r, int64_t id, enum yx_resource_kind kind, struct yx_resource *res,
                         char level[16]);

#endif
