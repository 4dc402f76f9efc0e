/* The SQLite VFS that paces a checkpoint's writeback (src/store/sqlite_pace.c). */
#ifndef YTEXA_SQLITE_PACE_H
#define YTEXA_SQLITE_PACE_H

/* The name of the paced VFS, registered on the first call; NULL (SQLite's default) if it could
 * not be. Safe from any thread. */
const char *yx_sqlite_vfs(void);

/* How many groups of pages the paced VFS has written back since the process started: more than
 * zero once a checkpoint has copied PACE_PAGES pages, unless the database file could not be paced. */
long yx_sqlite_paced_writebacks(void);

#endif
