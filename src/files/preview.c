/* Smaller copies of an image for slow links: a thumbnail for lists and a preview a phone on 2G/3G
 * can open, made with libvips the first time they are asked for and kept on disk by the image's
 * SHA-256 (<data>/files/derived/). Both are JPEG without metadata (EXIF can hold where a photo was
 * taken). The original stays as it came and is one click further. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

#include "files_internal.h"
#include "ytexa/http.h"

/* libvips is loaded the first time an image is scaled, not when the server starts: linked, it
 * and the libraries it brings (image codecs, librsvg, ICU and more: 114 libraries in the process
 * instead of 40) held most of an idle server's memory. The soname is libvips 8's. */
_Static_assert(VIPS_MAJOR_VERSION == 8, "libvips 8 (soname libvips.so.42) is the one loaded");
#define VIPS_SONAME "libvips.so.42"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int vips_ready;
static struct {
    int (*version)(int flag);
    int (*init)(const char *argv0);
    void (*concurrency_set)(int concurrency);
    void (*cache_set_max)(int max);
    int (*thumbnail)(const char *filename, VipsImage **out, int width, ...);
    int (*jpegsave_buffer)(VipsImage *in, void **buf, size_t *len, ...);
    void (*error_clear)(void);
    void (*shutdown)(void);
} V;

static void vips_start(void)
{
    void *h = dlopen(VIPS_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        yx_log(YX_LOG_ERROR, "previews: cannot load %s: %s", VIPS_SONAME, dlerror());
        return;
    }
    *(void **)&V.version = dlsym(h, "vips_version");
    *(void **)&V.init = dlsym(h, "vips_init");
    *(void **)&V.concurrency_set = dlsym(h, "vips_concurrency_set");
    *(void **)&V.cache_set_max = dlsym(h, "vips_cache_set_max");
    *(void **)&V.thumbnail = dlsym(h, "vips_thumbnail");
    *(void **)&V.jpegsave_buffer = dlsym(h, "vips_jpegsave_buffer");
    *(void **)&V.error_clear = dlsym(h, "vips_error_clear");
    *(void **)&V.shutdown = dlsym(h, "vips_shutdown");
    vips_ready = V.version && V.init && V.concurrency_set && V.cache_set_max && V.thumbnail &&
                 V.jpegsave_buffer && V.error_clear && V.shutdown && V.version(0) == VIPS_MAJOR_VERSION &&
                 V.init("ytexa") == 0;
    if (!vips_ready) {
        yx_log(YX_LOG_ERROR, "previews: %s is not the libvips %d this server was built for", VIPS_SONAME,
               VIPS_MAJOR_VERSION);
        return;
    }
    /* The server's workers are the concurrency; libvips keeps no cache of its own. */
    V.concurrency_set(1);
    V.cache_set_max(0);
}

/* Images scaled since the server started (each derived image should be made once). */
static uint64_t renders;

static double renders_total(void)
{
    return (double)__atomic_load_n(&renders, __ATOMIC_RELAXED);
}

const struct yx_metric *yx_files_metrics(void)
{
    static const struct yx_metric table[] = {
        {"ytexa_image_renders_total", "counter",
         "Thumbnails and previews made with libvips (each image's once, however many ask at a time).",
         renders_total},
        {NULL, NULL, NULL, NULL},
    };
    return table;
}

/* The copy at most px pixels on its longer side, JPEG quality q, written to dest (atomically).
 * YX_EMEDIA when libvips cannot decode the image, YX_EINTERNAL when something else failed. */
static int make_copy(const char *src, const char *dest, int px, int q)
{
    VipsImage *img = NULL;
    void *buf = NULL;
    size_t len = 0;
    int rc = YX_EINTERNAL;
    pthread_once(&once, vips_start);
    if (!vips_ready)
        return rc;
    __atomic_add_fetch(&renders, 1, __ATOMIC_RELAXED);
    if (V.thumbnail(src, &img, px, "height", px, "size", VIPS_SIZE_DOWN, NULL) != 0 ||
        V.jpegsave_buffer(img, &buf, &len, "Q", q, "strip", TRUE, NULL) != 0) {
        rc = YX_EMEDIA;
    } else {
        /* Written under a name of its own, then renamed: a reader never sees half a copy. */
        static unsigned long seq;
        char tmp[800];
        unsigned long n = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
        int fd = yx_snprintf(tmp, sizeof tmp, "%s.%lu.tmp", dest, n) == 0
                     ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)
                     : -1;
        int ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len;
        if (fd >= 0)
            close(fd);
        rc = ok && rename(tmp, dest) == 0 ? 0 : YX_EINTERNAL;
        if (rc)
            unlink(tmp);
    }
    V.error_clear();
    g_free(buf);
    if (img)
        g_object_unref(img);
    return rc;
}

/* Takes the lock of dest's making (dest.lock, flock): one request makes a derived image, on any
 * instance sharing the folder, and those asking meanwhile wait and find it made. Its holder removes
 * the lock file before letting go; a waiter that then holds the removed file's lock (its inode is
 * no longer the path's) tries again on the new one. */
static int lock_making(const char *lock, int *fd)
{
    for (int tries = 0; tries < 100; tries++) {
        struct stat held, now;
        int f = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
        if (f < 0)
            return YX_EINTERNAL;
        if (flock(f, LOCK_EX) == 0 && fstat(f, &held) == 0 && stat(lock, &now) == 0 &&
            held.st_ino == now.st_ino && held.st_dev == now.st_dev) {
            *fd = f;
            return 0;
        }
        close(f);
    }
    return YX_EINTERNAL;
}

/* The copy at dest if it was made, YX_EMEDIA if it was tried and the image could not be decoded
 * (dest.bad remembers it, so an undecodable image is tried once, not at every request), and 1 if
 * neither. */
static int made(const char *dest, const char *bad)
{
    return access(dest, R_OK) == 0 ? 0 : access(bad, F_OK) == 0 ? YX_EMEDIA : 1;
}

int yx_files_scaled(const char *blob, const char *derived_dir, const char *sha, int px, int q, char **out,
                    size_t *len)
{
    char dest[760], lock[780], bad[780];
    int fd = -1, rc;
    if (mkdir(derived_dir, 0750) != 0 && errno != EEXIST)
        return YX_EINTERNAL;
    snprintf(dest, sizeof dest, "%s/%s-%d.jpg", derived_dir, sha, px);
    snprintf(lock, sizeof lock, "%s.lock", dest);
    snprintf(bad, sizeof bad, "%s.bad", dest);
    if ((rc = made(dest, bad)) == 1 && (rc = lock_making(lock, &fd)) == 0) {
        /* Made (or tried) by the one that held the lock before? */
        if ((rc = made(dest, bad)) == 1)
            rc = make_copy(blob, dest, px, q);
        int mark = rc == YX_EMEDIA ? open(bad, O_WRONLY | O_CREAT | O_CLOEXEC, 0640) : -1;
        if (mark >= 0)
            close(mark);
        unlink(lock);
        close(fd);
    }
    if (rc)
        return rc;
    *out = yx_files_read_all(dest, len);
    return *out ? 0 : YX_EINTERNAL;
}

void yx_files_previews_stop(void)
{
    /* libvips's worker threads end here, before the process does (its leak check walks every
     * thread, and one of a library loaded later than the process started crashed it). */
    if (vips_ready) {
        V.shutdown();
        vips_ready = 0;
    }
}
