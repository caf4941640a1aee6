/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: the C library calls of the application, wrapped
 * at link time (ld --wrap=<name>, the options cmake/idf_host_storage.cmake
 * lists), so that a path under a mounted base path ("/data/x") reaches the
 * mount's host folder. __wrap_<name> rewrites the path and calls
 * __real_<name>, the C library's function; paths outside every mount pass
 * unchanged.
 *
 * The wrapped names are the symbols glibc's headers (2.33 and later, 64-bit)
 * make of the calls: plain, with _FILE_OFFSET_BITS=64 (fopen64, stat64, ...)
 * and with _FORTIFY_SOURCE (__open_2, __open64_2). Calls made inside shared
 * libraries (libstdc++'s streams, ...) are not wrapped. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <dirent.h>
#include <unistd.h>
#include <utime.h>

#include "vfs_priv.h"

const int idf_host__vfs_wrapped = 1;

/* Declares __real_<name>, the C library's function (ld resolves it to <name>),
 * and __wrap_<name>, its replacement here. */
#define DECLARE_WRAP(ret, name, params) \
    ret __real_##name params;           \
    ret __wrap_##name params

/* Maps path into buf; evaluates to the path to use, or NULL (errno set). */
static const char *map(const char *path, unsigned how, char *buf)
{
    int rc = idf_host__vfs_map(path, how, buf, PATH_MAX);
    return rc < 0 ? NULL : rc > 0 ? buf : path;
}

static unsigned fopen_how(const char *mode)
{
    unsigned how = 0;
    for (const char *m = mode ? mode : ""; *m; m++) {
        if (*m == 'w' || *m == 'a') {
            how |= IDF_HOST_VFS_WRITE | IDF_HOST_VFS_CREATE;
        } else if (*m == '+') {
            how |= IDF_HOST_VFS_WRITE;
        }
    }
    return how;
}

static unsigned open_how(int flags)
{
    unsigned how = 0;
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT))) {
        how |= IDF_HOST_VFS_WRITE;
    }
    if (flags & O_CREAT) {
        how |= IDF_HOST_VFS_CREATE;
    }
    return how;
}

static int open_needs_mode(int flags)
{
#ifdef O_TMPFILE
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
#else
    return flags & O_CREAT;
#endif
}

/* Functions of one path whose failure value is fail: __wrap_<name> maps the
 * path (access how) and calls __real_<name> with args, p the mapped path. */
#define WRAP_PATH(ret, name, how, fail, params, args)                                      \
    DECLARE_WRAP(ret, name, params);                                                       \
    ret __wrap_##name params                                                               \
    {                                                                                      \
        char buf[PATH_MAX];                                                                \
        const char *p = map(path, how, buf);                                               \
        if (!p) {                                                                          \
            return fail;                                                                   \
        }                                                                                  \
        return __real_##name args;                                                         \
    }

WRAP_PATH(FILE *, fopen, fopen_how(mode), NULL, (const char *path, const char *mode), (p, mode))
WRAP_PATH(FILE *, fopen64, fopen_how(mode), NULL, (const char *path, const char *mode), (p, mode))
WRAP_PATH(int, __open_2, open_how(flags), -1, (const char *path, int flags), (p, flags))
WRAP_PATH(int, __open64_2, open_how(flags), -1, (const char *path, int flags), (p, flags))
WRAP_PATH(int, creat, IDF_HOST_VFS_WRITE | IDF_HOST_VFS_CREATE, -1, (const char *path, mode_t mode), (p, mode))
WRAP_PATH(int, creat64, IDF_HOST_VFS_WRITE | IDF_HOST_VFS_CREATE, -1, (const char *path, mode_t mode), (p, mode))
WRAP_PATH(int, stat, 0, -1, (const char *path, struct stat *st), (p, st))
WRAP_PATH(int, stat64, 0, -1, (const char *path, struct stat64 *st), (p, st))
WRAP_PATH(int, lstat, 0, -1, (const char *path, struct stat *st), (p, st))
WRAP_PATH(int, lstat64, 0, -1, (const char *path, struct stat64 *st), (p, st))
WRAP_PATH(int, access, 0, -1, (const char *path, int amode), (p, amode))
WRAP_PATH(int, unlink, IDF_HOST_VFS_WRITE, -1, (const char *path), (p))
WRAP_PATH(int, remove, IDF_HOST_VFS_WRITE, -1, (const char *path), (p))
WRAP_PATH(int, mkdir, IDF_HOST_VFS_WRITE | IDF_HOST_VFS_DIR, -1, (const char *path, mode_t mode), (p, mode))
WRAP_PATH(int, rmdir, IDF_HOST_VFS_WRITE | IDF_HOST_VFS_DIR, -1, (const char *path), (p))
WRAP_PATH(int, truncate, IDF_HOST_VFS_WRITE, -1, (const char *path, off_t len), (p, len))
WRAP_PATH(int, truncate64, IDF_HOST_VFS_WRITE, -1, (const char *path, off64_t len), (p, len))
WRAP_PATH(int, utime, IDF_HOST_VFS_WRITE, -1, (const char *path, const struct utimbuf *times), (p, times))
WRAP_PATH(int, chmod, IDF_HOST_VFS_WRITE, -1, (const char *path, mode_t mode), (p, mode))

/* freopen(NULL, mode, f) changes the mode of f: no path to map. */
#define WRAP_FREOPEN(name)                                                                 \
    DECLARE_WRAP(FILE *, name, (const char *path, const char *mode, FILE *f));             \
    FILE *__wrap_##name(const char *path, const char *mode, FILE *f)                       \
    {                                                                                      \
        char buf[PATH_MAX];                                                                \
        const char *p = path ? map(path, fopen_how(mode), buf) : NULL;                     \
        if (path && !p) {                                                                  \
            return NULL;                                                                   \
        }                                                                                  \
        return __real_##name(p, mode, f);                                                  \
    }

WRAP_FREOPEN(freopen)
WRAP_FREOPEN(freopen64)

/* open(path, flags, ...): the mode argument is there only when flags ask for it. */
#define WRAP_OPEN(name)                                                                    \
    DECLARE_WRAP(int, name, (const char *path, int flags, ...));                           \
    int __wrap_##name(const char *path, int flags, ...)                                    \
    {                                                                                      \
        mode_t mode = 0;                                                                   \
        if (open_needs_mode(flags)) {                                                      \
            va_list ap;                                                                    \
            va_start(ap, flags);                                                           \
            mode = (mode_t)va_arg(ap, unsigned int);                                       \
            va_end(ap);                                                                    \
        }                                                                                  \
        char buf[PATH_MAX];                                                                \
        const char *p = map(path, open_how(flags), buf);                                   \
        return p ? __real_##name(p, flags, mode) : -1;                                     \
    }

WRAP_OPEN(open)
WRAP_OPEN(open64)

/* Both names under mounts, or neither: a rename between a mount and the
 * rest (or another mount) fails with EXDEV, as between two file systems. */
DECLARE_WRAP(int, rename, (const char *from, const char *to));
int __wrap_rename(const char *from, const char *to)
{
    char bf[PATH_MAX], bt[PATH_MAX];
    int rf = idf_host__vfs_map(from, IDF_HOST_VFS_WRITE, bf, sizeof bf);
    int rt = idf_host__vfs_map(to, IDF_HOST_VFS_WRITE | IDF_HOST_VFS_CREATE, bt, sizeof bt);
    if (rf < 0 || rt < 0) {
        return -1;
    }
    if (rf != rt) {
        errno = EXDEV;
        return -1;
    }
    return __real_rename(rf ? bf : from, rt ? bt : to);
}

/* Directories opened under a mount: their readdir() skips "." and "..",
 * which the chip's file systems do not list. */
#define MOUNT_DIRS 64
static pthread_mutex_t dirs_lock = PTHREAD_MUTEX_INITIALIZER;
static DIR *mount_dirs[MOUNT_DIRS];

static bool dirs_find(DIR *d, bool remove_it)
{
    bool found = false;
    pthread_mutex_lock(&dirs_lock);
    for (size_t i = 0; i < MOUNT_DIRS && !found; i++) {
        if (mount_dirs[i] == d) {
            found = true;
            if (remove_it) {
                mount_dirs[i] = NULL;
            }
        }
    }
    pthread_mutex_unlock(&dirs_lock);
    return found;
}

DECLARE_WRAP(DIR *, opendir, (const char *path));
DIR *__wrap_opendir(const char *path)
{
    char buf[PATH_MAX];
    int rc = idf_host__vfs_map(path, 0, buf, sizeof buf);
    if (rc < 0) {
        return NULL;
    }
    DIR *d = __real_opendir(rc ? buf : path);
    if (d && rc) {
        pthread_mutex_lock(&dirs_lock);
        for (size_t i = 0; i < MOUNT_DIRS; i++) {
            if (!mount_dirs[i]) {
                mount_dirs[i] = d;
                break;
            }
        }
        pthread_mutex_unlock(&dirs_lock);
    }
    return d;
}

static bool is_dot(const char *name)
{
    return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

/* readdir() and readdir64(), which differ in their entry type. */
#define WRAP_READDIR(entry, name)                                                          \
    DECLARE_WRAP(entry *, name, (DIR *d));                                                 \
    entry *__wrap_##name(DIR *d)                                                           \
    {                                                                                      \
        entry *e = __real_##name(d);                                                       \
        if (e && is_dot(e->d_name) && dirs_find(d, false)) {                               \
            while (e && is_dot(e->d_name)) {                                               \
                e = __real_##name(d);                                                      \
            }                                                                              \
        }                                                                                  \
        return e;                                                                          \
    }

WRAP_READDIR(struct dirent, readdir)
WRAP_READDIR(struct dirent64, readdir64)

DECLARE_WRAP(int, closedir, (DIR *d));
int __wrap_closedir(DIR *d)
{
    if (d) {
        (void)dirs_find(d, true);
    }
    return __real_closedir(d);
}
