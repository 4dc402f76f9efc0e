/* The rollup tables checked against the events they count, and rebuilt from them
 * (`ytexa reports check` and `ytexa reports rebuild`, docs/operations.md "Report rollups"). */
#ifndef YTEXA_REPORTS_ROLLUPS_H
#define YTEXA_REPORTS_ROLLUPS_H

#include <stdio.h>

struct yx_db;

/* Recomputes every rollup (or only the table named only, when not NULL) from the event tables and
 * compares it with what the table holds, key by key; a key whose figures differ is printed to out
 * with the table's figures and the recomputed ones, then one line "N tables, M rows, K differ".
 * *differ is K. Each table is read in one statement, so it sees one moment of the database while
 * the server goes on writing. 0, YX_ENOTFOUND when only names no rollup (the list is printed), or
 * YX_EDB. */
int yx_report_rollups_check(struct yx_db *db, const char *only, FILE *out, long *differ);

/* Replaces each rollup's rows (or only's) with the ones recomputed from the events, one table a
 * transaction: the table's old rows are deleted and the recomputed ones written, so a reader sees
 * either. On PostgreSQL the table is locked against writers (EXCLUSIVE: reads go on, a write whose
 * trigger adds to the table waits for the commit); on SQLite the transaction holds the database's
 * one write lock. 0, YX_ENOTFOUND as above, or YX_EDB. */
int yx_report_rollups_rebuild(struct yx_db *db, const char *only, FILE *out);

#endif
