/* Paced writeback of the SQLite database file: a VFS ("ytexa") over the default one that changes
 * one thing. A checkpoint copies the WAL's pages into the database file and then syncs that file,
 * which hands the disk every page at once: under a stream of audited reads that is hundreds of
 * scattered 4 KiB writes every quarter second, and the audit writer's own small WAL sync queues
 * behind all of them (23–25 ms in folio_wait_writeback, measured with perf; bench/README.md).
 * Here the checkpoint's writes are sent to the disk PACE_PAGES at a time as they are made, each
 * group waited for before the next (sync_file_range), so a commit's sync waits behind one group at
 * most. The final sync is still the default VFS's fsync, so durability is unchanged; a writeback
 * error fails the write, and so the checkpoint, which leaves the WAL as it was (the error must be
 * reported here: the kernel reports a writeback error once, and the fsync after would not see it).
 *
 * The file descriptor is read from the default VFS's file object (its fourth field, as it has
 * been since SQLite 3.7) and only used when fstat() shows it is the database file just opened;
 * otherwise that file is not paced. A descriptor of our own on the file would not do: closing it
 * would drop every POSIX lock SQLite holds on the file in this process. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sqlite_pace.h"
#include "ytexa/store.h"

#define PACE_PAGES 64

struct paced_file {
    sqlite3_file base;
    sqlite3_file *real; /* the default VFS's file, allocated right after this struct */
    int fd;             /* -1: not paced */
    sqlite3_int64 lo, hi;
    int pending; /* writes since the last writeback */
};

static sqlite3_vfs *default_vfs;
static atomic_long writebacks;
static sqlite3_vfs paced_vfs;

#define REAL(f) (((struct paced_file *)(f))->real)

/* Writes back the pages written since the last call and waits for them. A failed write (EIO,
 * ENOSPC, EDQUOT) is an error; a file system that cannot do this (another errno) is left to the
 * final fsync, and this file is not paced again. */
static int writeback(struct paced_file *p)
{
    if (p->pending == 0)
        return 0;
    unsigned flags = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
    int rc = sync_file_range(p->fd, p->lo, p->hi - p->lo, flags);
    p->pending = 0;
    if (rc == 0) {
        atomic_fetch_add_explicit(&writebacks, 1, memory_order_relaxed);
        return 0;
    }
    if (errno == EIO || errno == ENOSPC || errno == EDQUOT)
        return -1;
    p->fd = -1;
    return 0;
}

static int pf_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods->xClose(REAL(f));
    f->pMethods = NULL;
    return rc;
}

static int pf_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int pf_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    struct paced_file *p = (struct paced_file *)f;
    int rc = p->real->pMethods->xWrite(p->real, buf, n, off);
    if (rc != SQLITE_OK || p->fd < 0)
        return rc;
    if (p->pending == 0 || off < p->lo)
        p->lo = off;
    if (p->pending == 0 || off + n > p->hi)
        p->hi = off + n;
    if (++p->pending >= PACE_PAGES && writeback(p) != 0)
        return SQLITE_IOERR_WRITE;
    return SQLITE_OK;
}

static int pf_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int pf_sync(sqlite3_file *f, int flags)
{
    struct paced_file *p = (struct paced_file *)f;
    if (p->fd >= 0 && writeback(p) != 0)
        return SQLITE_IOERR_FSYNC;
    return p->real->pMethods->xSync(p->real, flags);
}

static int pf_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int pf_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int pf_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int pf_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int pf_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int pf_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int pf_characteristics(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int pf_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, out);
}

static int pf_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void pf_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int pf_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int pf_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, out);
}

static int pf_unfetch(sqlite3_file *f, sqlite3_int64 off, void *page)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, page);
}

static const sqlite3_io_methods paced_methods = {
    3,
    pf_close,
    pf_read,
    pf_write,
    pf_truncate,
    pf_sync,
    pf_size,
    pf_lock,
    pf_unlock,
    pf_reserved,
    pf_control,
    pf_sector,
    pf_characteristics,
    pf_shm_map,
    pf_shm_lock,
    pf_shm_barrier,
    pf_shm_unmap,
    pf_fetch,
    pf_unfetch,
};

/* The descriptor of the default VFS's file, if fstat() shows it is the file at path. */
static int file_fd(sqlite3_file *real, const char *path)
{
    struct {
        const void *methods, *vfs, *inode;
        int h;
    } const *head = (const void *)real;
    struct stat a, b;
    if (!path || head->h < 0 || fstat(head->h, &a) != 0 || stat(path, &b) != 0)
        return -1;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino ? head->h : -1;
}

static int pv_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    struct paced_file *p = (struct paced_file *)f;
    memset(p, 0, sizeof *p);
    p->real = (sqlite3_file *)(p + 1);
    p->fd = -1;
    int rc = default_vfs->xOpen(default_vfs, name, p->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        if (p->real->pMethods)
            p->real->pMethods->xClose(p->real);
        f->pMethods = NULL;
        return rc;
    }
    /* The methods below call version-3 methods (shared memory, fetch) of the default VFS's. */
    if (p->real->pMethods->iVersion < 3) {
        p->real->pMethods->xClose(p->real);
        f->pMethods = NULL;
        return SQLITE_CANTOPEN;
    }
    if (flags & SQLITE_OPEN_MAIN_DB)
        p->fd = file_fd(p->real, name);
    f->pMethods = &paced_methods;
    return SQLITE_OK;
}

static void register_vfs(void)
{
    default_vfs = sqlite3_vfs_find(NULL);
    if (!default_vfs)
        return;
    paced_vfs = *default_vfs;
    paced_vfs.zName = "ytexa";
    paced_vfs.szOsFile = (int)sizeof(struct paced_file) + default_vfs->szOsFile;
    paced_vfs.xOpen = pv_open;
    paced_vfs.pNext = NULL;
    if (sqlite3_vfs_register(&paced_vfs, 0) != SQLITE_OK)
        default_vfs = NULL;
}

const char *yx_sqlite_vfs(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_vfs);
    return default_vfs ? "ytexa" : NULL;
}

long yx_db_paced_writebacks(void)
{
    return atomic_load_explicit(&writebacks, memory_order_relaxed);
}
