/* Internal to src/app: what the command's files share. */
#ifndef YTEXA_APP_H
#define YTEXA_APP_H

#include <stdio.h>

struct yx_config;
struct yx_db;
struct yx_route;

/* Every route the server answers, gathered from the workflows' tables (routes.c). */
const struct yx_route *yx_app_routes(void);
/* That table as JSON, for `ytexa routes --json`. 0, or YX_EINTERNAL. */
int yx_app_routes_print(FILE *out);
/* Registers what the workflows lend each other, starts every background job, serves until the
 * server is told to stop, then stops them (serve.c). 0, or a YX_E… code with the cause on
 * stderr. */
int yx_app_serve(const struct yx_config *cfg);
/* `ytexa demo` (demo.c) and `ytexa user add` (cli_user.c). */
int yx_demo_load(struct yx_db *db, const char *password, FILE *report);
int yx_user_add_cli(struct yx_db *db, int argc, char **argv);
/* `ytexa backup --to FOLDER` and `ytexa restore --from FOLDER` (backup.c): 0 done, 1 failed (the
 * cause on stderr; a failed restore removes what it wrote), 2 refused before starting (a backup
 * into a folder that is not empty, a restore over a database or of the other engine's backup). */
int yx_backup_cli(const struct yx_config *cfg, const char *to);
int yx_restore_cli(const struct yx_config *cfg, const char *from);

#endif
