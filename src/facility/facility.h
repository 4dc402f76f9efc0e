/* Internal to src/facility: what its files share. */
#ifndef YTEXA_FACILITY_H
#define YTEXA_FACILITY_H

#include "ytexa/auth.h"
#include "ytexa/http.h"

/* Today's date as an ISO date (validity of administrative units). */
void yx_today(char out[11]);
/* A LIKE pattern "%folded text%" for a search query, with % _ \ escaped; NULL if q is not text. */
char *yx_like_folded(struct yx_req *r, const char *q);
/* Reads query parameter name as a positive id into *out (0 when absent); 400 naming it otherwise. */
int yx_query_id(struct yx_req *r, const char *name, int64_t *out);
/* Reads limit (1..200, default 50) and cursor (an id) from the query. */
int yx_page(struct yx_req *r, int64_t *after, int64_t *limit);
/* {"items": items, "next_cursor": …} from the id of the last item shown. */
json_t *yx_page_json(json_t *items, int more, int64_t last_id);
/* The facility as the API shows it, or NULL when there is none with that id. */
json_t *yx_facility_json(struct yx_db *db, int64_t id);
/* May the caller change the network (facilities, links) anywhere at all? Asked before the body is
 * read, so a role without the right learns nothing from validation. 403 otherwise. */
int yx_network_admin_any(struct yx_req *r);
/* Fills a resource for the authorization decision; 404 when the facility does not exist. */
int yx_facility_resource(struct yx_req *r, int64_t id, enum yx_resource_kind kind, struct yx_resource *res,
                         char level[16]);

#endif
