/* SPDX-License-Identifier: Apache-2.0 */
/* For the host-environment tests: catches what is written to stderr (where
 * ESP_LOGx lines go) between capture_begin() and capture_end(). */
#ifndef IDF_HOST_TEST_CAPTURE_H
#define IDF_HOST_TEST_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int capture_saved_ = -1;
static FILE *capture_file_;

static inline void capture_begin(void)
{
    fflush(stderr);
    capture_file_ = tmpfile();
    if (!capture_file_) {
        return;
    }
    capture_saved_ = dup(2);
    dup2(fileno(capture_file_), 2);
}

/* What was written, NUL-terminated, at most size - 1 bytes, into buf. */
static inline char *capture_end(char *buf, size_t size)
{
    buf[0] = '\0';
    fflush(stderr);
    if (capture_saved_ < 0 || !capture_file_) {
        return buf;
    }
    dup2(capture_saved_, 2);
    close(capture_saved_);
    capture_saved_ = -1;
    rewind(capture_file_);
    size_t n = fread(buf, 1, size - 1, capture_file_);
    buf[n] = '\0';
    fclose(capture_file_);
    capture_file_ = NULL;
    fputs(buf, stderr); /* still shown in the test's output */
    return buf;
}

#endif /* IDF_HOST_TEST_CAPTURE_H */
