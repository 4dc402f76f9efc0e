/* `ytexa user add USERNAME --name NAME --role ROLE [--facility CODE] [--licence NO]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/auth.h"
#include "ytexa/store.h"

/* With db NULL: parses and returns how many arguments are its own (or -1). With a db: creates
 * the account and returns 0 (or -1). */
int yx_user_add_cli(struct yx_db *db, int argc, char **argv)
{
    const char *username = NULL, *name = NULL, *role = NULL, *facility = NULL, *licence = NULL;
    int i = 0;
    if (argc > 0 && strncmp(argv[0], "--", 2) != 0)
        username = argv[i++];
    while (i + 1 < argc) {
        const char **slot = strcmp(argv[i], "--name") == 0       ? &name
                            : strcmp(argv[i], "--role") == 0     ? &role
                            : strcmp(argv[i], "--facility") == 0 ? &facility
                            : strcmp(argv[i], "--licence") == 0  ? &licence
                                                                 : NULL;
        if (!slot)
            break;
        *slot = argv[i + 1];
        i += 2;
    }
    if (!username || !name || !role) {
        fprintf(stderr,
                "ytexa: user add USERNAME --name NAME --role ROLE [--facility CODE] [--licence NO]\n");
        return -1;
    }
    if (!yx_role_valid(role)) {
        fprintf(stderr, "ytexa: unknown role %s\n", role);
        return -1;
    }
    if (!db)
        return i;
    char line[512];
    const char *password = getenv("YTEXA_PASSWORD");
    if (!password) {
        if (!fgets(line, sizeof line, stdin)) {
            fprintf(stderr, "ytexa: give the password on stdin or in YTEXA_PASSWORD\n");
            return -1;
        }
        line[strcspn(line, "\r\n")] = '\0';
        password = line;
    }
    if (yx_password_acceptable(password) != 0) {
        fprintf(stderr, "ytexa: a password has 8 to 128 characters\n");
        return -1;
    }
    int why = yx_password_guessable(password, username, name);
    if (why) {
        fprintf(stderr, "ytexa: the password is easily guessed: %s\n", yx_password_weakness(why));
        return -1;
    }
    int64_t fid = 0, id = 0;
    if (facility) {
        struct yx_rows *r = NULL;
        int rc = YX_DB_Q(db, &r, "SELECT id FROM facilities WHERE code = ?", YX_PT(facility));
        fid = rc == 0 && r->nrows == 1 ? yx_rows_int(r, 0, 0) : 0;
        yx_rows_free(r);
        if (!fid) {
            fprintf(stderr, "ytexa: no facility with code %s\n", facility);
            return -1;
        }
    }
    struct yx_new_user u = {username, name, password, role, fid, licence, NULL, NULL, NULL, NULL, 0};
    int rc = yx_user_insert(db, &u, &id);
    if (rc) {
        fprintf(stderr, "ytexa: cannot create %s: %s\n", username,
                rc == YX_ECONFLICT ? "the username is taken" : yx_err_name(rc));
        return -1;
    }
    printf("created user %s (id %lld, %s)\n", username, (long long)id, role);
    return 0;
}
