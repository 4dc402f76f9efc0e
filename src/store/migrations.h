/* The numbered schema migrations embedded in the binary: each engine's scripts, written at build time
 * from src/store/migrations/ by cmake/derive_migrations.c and embedded by cmake/embed.cmake. */
#ifndef YTEXA_MIGRATIONS_H
#define YTEXA_MIGRATIONS_H
struct yx_migration {
    int version;
    const char *name;
    const char *sql;
};
extern const struct yx_migration yx_migrations_sqlite[];
extern const struct yx_migration yx_migrations_postgres[];
#endif
