/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linux port, read-only program data as a range of the program's file.
 *
 * A web UI's assets usually live in the program itself, as const arrays (an
 * embedded index.html, a bundled script). Those bytes sit in the program's
 * read-only segments, which the kernel maps straight from the executable's
 * page cache; sendfile() from the executable sends them without the copy into
 * the socket buffer that sendmsg() makes. This file tells, for a span of
 * memory, whether it lies wholly in such a segment and where in the file.
 *
 * What makes the answer safe, checked once, as the first server starts:
 * - only the main program's PT_LOAD segments without PF_W, and only their
 *   file-backed part (p_filesz), outside PT_GNU_RELRO;
 * - no text relocations (DT_TEXTREL, DF_TEXTREL), which would make the
 *   segments differ from the file;
 * - /proc/self/exe (the file the kernel executed, even if renamed or removed
 *   since) is read back and compared byte for byte with every such segment:
 *   anything that maps the program some other way (a loader, a debugger's
 *   patch, an emulator) fails the comparison, and the answer is then always no.
 * The one thing assumed afterwards: nobody makes the program's read-only data
 * writable and changes it (mprotect). The file is held open (close-on-exec)
 * while any server runs: httpd_start() takes it, the last httpd_stop() closes
 * it, so a stopped server leaves no descriptor behind.
 */
#include "port/linux/rodata_file.h"
#include "port/port.h"

#include <elf.h>
#include <stdbool.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RODATA_MAX_SPANS 4

struct rodata_span {
    uintptr_t start, end;   /* [start, end): file-backed, read-only, compared */
    off_t file_off;         /* offset of start in the program's file */
};

static struct {
    atomic_int fd;                           /* the program's file while a server runs, else -1 */
    unsigned holders;                        /* servers running (under s_ro_lock) */
    atomic_int nspans;                       /* set to 0 for good when sendfile() fails */
    struct rodata_span span[RODATA_MAX_SPANS];
} s_ro = { .fd = -1 };
static pthread_once_t s_ro_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t s_ro_lock = PTHREAD_MUTEX_INITIALIZER;

/* True when the dynamic section asks for relocations in read-only segments. */
static bool has_textrel(const struct dl_phdr_info *info)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_DYNAMIC) {
            continue;
        }
        for (const ElfW(Dyn) *d = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr); d->d_tag != DT_NULL; d++) {
            if (d->d_tag == DT_TEXTREL || (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_TEXTREL))) {
                return true;
            }
        }
    }
    return false;
}

/* dl_iterate_phdr() visits the main program first: its read-only spans. */
static int rodata_collect(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    (void)arg;
    if (has_textrel(info)) {
        return 1;
    }
    uintptr_t relro_lo = 0, relro_hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_GNU_RELRO) {
            relro_lo = info->dlpi_addr + ph->p_vaddr;
            relro_hi = relro_lo + ph->p_memsz;
        }
    }
    for (int i = 0; i < info->dlpi_phnum && s_ro.nspans < RODATA_MAX_SPANS; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || !(ph->p_flags & PF_R) || ph->p_filesz == 0) {
            continue;
        }
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_filesz;
        if (lo < relro_hi && relro_lo < hi) {
            continue;
        }
        s_ro.span[s_ro.nspans++] = (struct rodata_span){ lo, hi, (off_t)ph->p_offset };
    }
    return 1;   /* the main program only */
}

/* Compares with the program's memory as it is, not as a sanitizer sees it: a
 * segment holds many objects, and AddressSanitizer poisons the gaps between
 * them. Eight bytes a turn. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((no_sanitize("address")))
#endif
static bool rodata_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y) {
            return false;
        }
    }
    for (; i < n; i++) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

/* The file's bytes at off equal the n bytes at mem. */
static bool rodata_same_bytes(int fd, off_t off, const unsigned char *mem, size_t n, unsigned char *buf, size_t cap)
{
    while (n > 0) {
        size_t want = n < cap ? n : cap;
        ssize_t got = pread(fd, buf, want, off);
        if (got <= 0 || !rodata_equal(buf, mem, (size_t)got)) {
            return false;
        }
        off += got;
        mem += got;
        n -= (size_t)got;
    }
    return true;
}

/* Run once, by the first httpd__port_server_hold(), under s_ro_lock with the
 * program's file just opened (s_ro.fd; -1 if that failed). */
static void ro_init(void)
{
    dl_iterate_phdr(rodata_collect, NULL);
    if (s_ro.nspans == 0) {
        return;
    }
    int fd = atomic_load_explicit(&s_ro.fd, memory_order_relaxed);
    enum { CMP_BUF = 64 * 1024 };
    unsigned char *buf = fd >= 0 ? malloc(CMP_BUF) : NULL;
    bool same = buf != NULL;
    for (int i = 0; same && i < s_ro.nspans; i++) {
        const struct rodata_span *sp = &s_ro.span[i];
        same = rodata_same_bytes(fd, sp->file_off, (const unsigned char *)sp->start, sp->end - sp->start, buf, CMP_BUF);
    }
    free(buf);
    if (!same) {
        s_ro.nspans = 0;
    }
}

int httpd__port_rodata_file(const void *p, size_t len, off_t *off)
{
    int fd = atomic_load_explicit(&s_ro.fd, memory_order_acquire);
    if (fd < 0) {
        return -1;   /* no server holds the file open */
    }
    (void)pthread_once(&s_ro_once, ro_init);
    uintptr_t a = (uintptr_t)p;
    int n = atomic_load_explicit(&s_ro.nspans, memory_order_relaxed);
    for (int i = 0; i < n; i++) {
        const struct rodata_span *sp = &s_ro.span[i];
        if (a >= sp->start && a < sp->end && len <= sp->end - a) {
            *off = sp->file_off + (off_t)(a - sp->start);
            return fd;
        }
    }
    return -1;
}

void httpd__port_rodata_file_off(void)
{
    (void)pthread_once(&s_ro_once, ro_init);
    atomic_store_explicit(&s_ro.nspans, 0, memory_order_relaxed);
}

void httpd__port_server_hold(void)
{
    pthread_mutex_lock(&s_ro_lock);
    if (s_ro.holders++ == 0) {
        atomic_store_explicit(&s_ro.fd, open("/proc/self/exe", O_RDONLY | O_CLOEXEC), memory_order_release);
        /* The checks (they read the program's read-only segments once, from
         * the descriptor just opened) are done here, as the first server
         * starts, rather than in the middle of its first long send. */
        (void)pthread_once(&s_ro_once, ro_init);
    }
    pthread_mutex_unlock(&s_ro_lock);
}

void httpd__port_server_release(void)
{
    pthread_mutex_lock(&s_ro_lock);
    if (s_ro.holders > 0 && --s_ro.holders == 0) {
        int fd = atomic_exchange_explicit(&s_ro.fd, -1, memory_order_acq_rel);
        if (fd >= 0) {
            close(fd);
        }
    }
    pthread_mutex_unlock(&s_ro_lock);
}
