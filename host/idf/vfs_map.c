/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: the mount table and the path mapping that the
 * wrapped C library calls (vfs_wrap.c) use: "/data/x" under a mount at
 * "/data" becomes "<host folder>/x". The mount calls are in vfs.c. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "vfs_priv.h"

pthread_rwlock_t idf_host__vfs_lock = PTHREAD_RWLOCK_INITIALIZER;
vfs_mount_t idf_host__vfs_mounts[VFS_MAX_MOUNTS];
atomic_int idf_host__vfs_count;

static bool vfs_has_dotdot(const char *rest)
{
    for (const char *p = rest; *p;) {
        while (*p == '/') {
            p++;
        }
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            return true;
        }
        p += n;
    }
    return false;
}

int idf_host__vfs_mkdirs(const char *dir)
{
    char buf[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdirat(AT_FDCWD, buf, 0775) != 0 && errno != EEXIST) {
                return -1;
            }
            buf[i] = c;
        }
    }
    struct stat st;
    if (fstatat(AT_FDCWD, dir, &st, 0) != 0) {
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int idf_host__vfs_map(const char *path, unsigned how, char *out, size_t cap)
{
    if (atomic_load(&idf_host__vfs_count) == 0 || !path || path[0] != '/') {
        return 0;
    }
    pthread_rwlock_rdlock(&idf_host__vfs_lock);
    const vfs_mount_t *best = NULL;
    for (size_t i = 0; i < VFS_MAX_MOUNTS; i++) {
        const vfs_mount_t *m = &idf_host__vfs_mounts[i];
        if (m->used && strncmp(path, m->base, m->base_len) == 0
                && (path[m->base_len] == '\0' || path[m->base_len] == '/')
                && (!best || m->base_len > best->base_len)) {
            best = m;
        }
    }
    int rc = 0;
    bool make_parent = false;
    if (best) {
        const char *rest = path + best->base_len;
        size_t rest_len = strlen(rest);
        if (vfs_has_dotdot(rest)) {
            errno = ENOENT;
            rc = -1;
        } else if ((how & IDF_HOST_VFS_DIR) && best->flat) {
            errno = ENOSYS;
            rc = -1;
        } else if ((how & IDF_HOST_VFS_WRITE) && best->readonly) {
            errno = EROFS;
            rc = -1;
        } else if (best->host_len + rest_len + 1 > cap) {
            errno = ENAMETOOLONG;
            rc = -1;
        } else {
            memcpy(out, best->host, best->host_len);
            memcpy(out + best->host_len, rest, rest_len + 1);
            make_parent = best->flat && (how & IDF_HOST_VFS_CREATE);
            rc = 1;
        }
    }
    pthread_rwlock_unlock(&idf_host__vfs_lock);
    if (make_parent) {
        /* SPIFFS has no directories: "a/b.txt" is a name. Its host folder is made. */
        char *slash = strrchr(out, '/');
        if (slash && slash != out) {
            *slash = '\0';
            int saved = errno;
            (void)idf_host__vfs_mkdirs(out);
            errno = saved;
            *slash = '/';
        }
    }
    return rc;
}
