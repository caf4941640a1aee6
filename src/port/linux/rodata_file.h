/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linux port, read-only program data as a range of the program's file
 * (rodata_file.c): the POSIX port's sends take such spans from the file with
 * sendfile() instead of copying them from memory. Built where CMake sets
 * HTTPD_RODATA_SENDFILE (Linux host builds, HTTPD_RODATA_SENDFILE=ON).
 */
#ifndef HTTPD_PORT_RODATA_FILE_H
#define HTTPD_PORT_RODATA_FILE_H

#include <stddef.h>
#include <sys/types.h>

/** Spans shorter than this are copied: below it, the extra system call
 *  (the bytes before the span leave in a send of their own) costs about
 *  what the copy saves. */
#define HTTPD_RODATA_SENDFILE_MIN (32 * 1024)   /* a power of two (sock.c tests an OR of lengths) */

/** When all len bytes at p lie in one read-only, file-backed segment of the
 *  main program whose bytes were found equal to the file's, and a server holds
 *  the program's file open (httpd__port_server_hold(), port.h): its
 *  descriptor, with *off set to where p is in it. Otherwise -1. The checks are
 *  made once, when a server first holds the file (thread-safe). */
int httpd__port_rodata_file(const void *p, size_t len, off_t *off);

/** From now on httpd__port_rodata_file() answers -1 (sendfile() failed on
 *  the program's file: the file system does not support it). */
void httpd__port_rodata_file_off(void);

#endif
