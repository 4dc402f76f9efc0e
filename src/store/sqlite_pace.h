/* The SQLite VFS that paces a checkpoint's writeback (src/store/sqlite_pace.c). */
#ifndef YTEXA_SQLITE_PACE_H
#define YTEXA_SQLITE_PACE_H

/* The name of the paced VFS, registered on the first call; NULL (SQLite's default) if it could
 * not be. Safe from any thread. */
const char *yx_sqlite_vfs(void);

#endif
