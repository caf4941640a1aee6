/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of esp_err_to_name(), esp_err_to_name_r() and the esp_log shim. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esp_err.h"
#include "esp_log.h"
#include "esp_http_server.h"
#include "check.h"

/* ---- esp_err_to_name ------------------------------------------------------------ */

#define CHECK_NAME(code) CHECK_EQ_STR(esp_err_to_name(code), #code)

static void test_err_names(void)
{
    CHECK_NAME(ESP_OK);
    CHECK_NAME(ESP_FAIL);
    CHECK_NAME(ESP_ERR_NO_MEM);
    CHECK_NAME(ESP_ERR_INVALID_ARG);
    CHECK_NAME(ESP_ERR_INVALID_STATE);
    CHECK_NAME(ESP_ERR_INVALID_SIZE);
    CHECK_NAME(ESP_ERR_NOT_FOUND);
    CHECK_NAME(ESP_ERR_NOT_SUPPORTED);
    CHECK_NAME(ESP_ERR_TIMEOUT);
    CHECK_NAME(ESP_ERR_INVALID_RESPONSE);
    CHECK_NAME(ESP_ERR_INVALID_CRC);
    CHECK_NAME(ESP_ERR_INVALID_VERSION);
    CHECK_NAME(ESP_ERR_INVALID_MAC);
    CHECK_NAME(ESP_ERR_NOT_FINISHED);
    CHECK_NAME(ESP_ERR_NOT_ALLOWED);
    CHECK_NAME(ESP_ERR_WIFI_BASE);
    CHECK_NAME(ESP_ERR_MESH_BASE);
    CHECK_NAME(ESP_ERR_FLASH_BASE);
    CHECK_NAME(ESP_ERR_HW_CRYPTO_BASE);
    CHECK_NAME(ESP_ERR_MEMPROT_BASE);

    CHECK_NAME(ESP_ERR_HTTPD_BASE);
    CHECK_NAME(ESP_ERR_HTTPD_HANDLERS_FULL);
    CHECK_NAME(ESP_ERR_HTTPD_HANDLER_EXISTS);
    CHECK_NAME(ESP_ERR_HTTPD_INVALID_REQ);
    CHECK_NAME(ESP_ERR_HTTPD_RESULT_TRUNC);
    CHECK_NAME(ESP_ERR_HTTPD_RESP_HDR);
    CHECK_NAME(ESP_ERR_HTTPD_RESP_SEND);
    CHECK_NAME(ESP_ERR_HTTPD_ALLOC_MEM);
    CHECK_NAME(ESP_ERR_HTTPD_TASK);

    /* Literal spellings, independent of the macro trick */
    CHECK_EQ_STR(esp_err_to_name(0xb001), "ESP_ERR_HTTPD_HANDLERS_FULL");
    CHECK_EQ_STR(esp_err_to_name(0xb004), "ESP_ERR_HTTPD_RESULT_TRUNC");
    CHECK_EQ_STR(esp_err_to_name(0x102), "ESP_ERR_INVALID_ARG");

    /* Unknown codes */
    CHECK_EQ_STR(esp_err_to_name(0x7777), "UNKNOWN ERROR");
    CHECK_EQ_STR(esp_err_to_name(-12345), "UNKNOWN ERROR");
    CHECK_EQ_STR(esp_err_to_name(0xb009), "UNKNOWN ERROR");
}

static void test_err_names_r(void)
{
    char buf[64];

    CHECK(esp_err_to_name_r(ESP_ERR_HTTPD_TASK, buf, sizeof buf) == buf);
    CHECK_EQ_STR(buf, "ESP_ERR_HTTPD_TASK");
    CHECK(esp_err_to_name_r(ESP_OK, buf, sizeof buf) == buf);
    CHECK_EQ_STR(buf, "ESP_OK");

    CHECK(esp_err_to_name_r(0x7777, buf, sizeof buf) == buf);
    CHECK(strncmp(buf, "UNKNOWN ERROR 0x7777", 20) == 0);
    esp_err_to_name_r(-2, buf, sizeof buf);
    CHECK(strncmp(buf, "UNKNOWN ERROR 0x", 16) == 0);

    /* Bounded and always NUL-terminated */
    memset(buf, 'X', sizeof buf);
    CHECK(esp_err_to_name_r(ESP_ERR_HTTPD_HANDLERS_FULL, buf, 8) == buf);
    CHECK_EQ_STR(buf, "ESP_ERR");
    CHECK_EQ_INT(buf[8], 'X');
    memset(buf, 'X', sizeof buf);
    esp_err_to_name_r(0x7777, buf, 5);
    CHECK_EQ_STR(buf, "UNKN");
    CHECK_EQ_INT(buf[5], 'X');
    memset(buf, 'X', sizeof buf);
    esp_err_to_name_r(ESP_OK, buf, 1);
    CHECK_EQ_STR(buf, "");

    /* No buffer: nothing written, buf returned */
    memset(buf, 'X', sizeof buf);
    CHECK(esp_err_to_name_r(ESP_OK, buf, 0) == buf);
    CHECK_EQ_INT(buf[0], 'X');
    CHECK(esp_err_to_name_r(ESP_OK, NULL, 10) == NULL);
}

/* ---- esp_log -------------------------------------------------------------------- */

/* capture_begin() sends stderr to a temporary file; capture_end() restores
 * it and returns what was written (malloc'd, NUL-terminated) or NULL. */
static FILE *s_capture;
static int s_saved_stderr = -1;

static void capture_begin(void)
{
    fflush(stderr);
    s_capture = tmpfile();
    if (s_capture == NULL) {
        return;
    }
    s_saved_stderr = dup(STDERR_FILENO);
    dup2(fileno(s_capture), STDERR_FILENO);
}

static char *capture_end(void)
{
    fflush(stderr);
    if (s_capture == NULL) {
        return NULL;
    }
    dup2(s_saved_stderr, STDERR_FILENO);
    close(s_saved_stderr);
    s_saved_stderr = -1;

    off_t end = lseek(fileno(s_capture), 0, SEEK_END);
    char *text = malloc((size_t)(end > 0 ? end : 0) + 1);
    if (text != NULL) {
        ssize_t got = pread(fileno(s_capture), text, (size_t)(end > 0 ? end : 0), 0);
        text[got > 0 ? got : 0] = '\0';
    }
    fclose(s_capture);
    s_capture = NULL;
    return text;
}

/* Checks that text is one line "<letter> (<digits>) <tag>: <msg>\n". */
static int line_matches(const char *text, char letter, const char *tag, const char *msg)
{
    if (text == NULL || text[0] != letter || text[1] != ' ' || text[2] != '(') {
        return 0;
    }
    const char *p = text + 3;
    if (*p < '0' || *p > '9') {
        return 0;
    }
    while (*p >= '0' && *p <= '9') {
        p++;
    }
    if (p[0] != ')' || p[1] != ' ') {
        return 0;
    }
    p += 2;
    size_t tl = strlen(tag);
    if (strncmp(p, tag, tl) != 0 || p[tl] != ':' || p[tl + 1] != ' ') {
        return 0;
    }
    p += tl + 2;
    size_t ml = strlen(msg);
    return strncmp(p, msg, ml) == 0 && p[ml] == '\n' && p[ml + 1] == '\0';
}

static void test_env_level(void)
{
    /* First use of the log module: the environment variable gives the level. */
    CHECK_EQ_INT(esp_log_level_get("anything"), ESP_LOG_WARN);
    CHECK_EQ_INT(esp_log_level_get(NULL), ESP_LOG_WARN);
    /* It is read once: later changes do not matter. */
    setenv("ESP_LOG_LEVEL", "VERBOSE", 1);
    CHECK_EQ_INT(esp_log_level_get("anything"), ESP_LOG_WARN);
}

static void test_level_set_get(void)
{
    esp_log_level_set("*", ESP_LOG_INFO);
    CHECK_EQ_INT(esp_log_level_get("x"), ESP_LOG_INFO);

    esp_log_level_set("httpd", ESP_LOG_DEBUG);
    CHECK_EQ_INT(esp_log_level_get("httpd"), ESP_LOG_DEBUG);
    CHECK_EQ_INT(esp_log_level_get("httpd_uri"), ESP_LOG_INFO);   /* strcmp, not prefix */
    CHECK_EQ_INT(esp_log_level_get("http"), ESP_LOG_INFO);
    esp_log_level_set("httpd", ESP_LOG_ERROR);                    /* update in place */
    CHECK_EQ_INT(esp_log_level_get("httpd"), ESP_LOG_ERROR);

    /* The tag is copied */
    char tagbuf[16];
    strcpy(tagbuf, "tmp_tag");
    esp_log_level_set(tagbuf, ESP_LOG_VERBOSE);
    strcpy(tagbuf, "other");
    CHECK_EQ_INT(esp_log_level_get("tmp_tag"), ESP_LOG_VERBOSE);
    CHECK_EQ_INT(esp_log_level_get("other"), ESP_LOG_INFO);

    /* Default changes apply to tags without their own level */
    esp_log_level_set("*", ESP_LOG_WARN);
    CHECK_EQ_INT(esp_log_level_get("x"), ESP_LOG_WARN);
    /* "*" resets every tag, as on the target */
    CHECK_EQ_INT(esp_log_level_get("httpd"), ESP_LOG_WARN);
    CHECK_EQ_INT(esp_log_level_get("tmp_tag"), ESP_LOG_WARN);

    /* Invalid arguments are ignored */
    esp_log_level_set(NULL, ESP_LOG_ERROR);
    esp_log_level_set("bad", (esp_log_level_t)42);
    esp_log_level_set("bad", ESP_LOG_MAX);
    CHECK_EQ_INT(esp_log_level_get("bad"), ESP_LOG_WARN);
    CHECK_EQ_INT(esp_log_level_get(NULL), ESP_LOG_WARN);

    /* Table of at most 32 overrides: extra tags are ignored safely */
    char name[32];
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "tag%d", i);
        esp_log_level_set(name, ESP_LOG_NONE);
    }
    CHECK_EQ_INT(esp_log_level_get("tag0"), ESP_LOG_NONE);
    CHECK_EQ_INT(esp_log_level_get("tag31"), ESP_LOG_NONE);
    CHECK_EQ_INT(esp_log_level_get("tag32"), ESP_LOG_WARN);
    CHECK_EQ_INT(esp_log_level_get("tag39"), ESP_LOG_WARN);
    esp_log_level_set("tag5", ESP_LOG_DEBUG);                     /* existing ones still update */
    CHECK_EQ_INT(esp_log_level_get("tag5"), ESP_LOG_DEBUG);
    esp_log_level_set("*", ESP_LOG_INFO);                         /* and "*" frees the table */
    CHECK_EQ_INT(esp_log_level_get("tag5"), ESP_LOG_INFO);
    esp_log_level_set("tag39", ESP_LOG_ERROR);
    CHECK_EQ_INT(esp_log_level_get("tag39"), ESP_LOG_ERROR);
    esp_log_level_set("*", ESP_LOG_INFO);
}

/* Calls esp_log_writev() with a NULL format (needs a real va_list). */
static void writev_null_format(esp_log_level_t level, const char *tag, ...)
{
    va_list ap;
    va_start(ap, tag);
    esp_log_writev(level, tag, NULL, ap);
    va_end(ap);
}

static void test_log_output(void)
{
    char *out;

    esp_log_level_set("*", ESP_LOG_INFO);

    /* Enabled: one line in the documented format */
    capture_begin();
    ESP_LOGI("tst", "hello %d %s", 42, "world");
    out = capture_end();
    CHECK(line_matches(out, 'I', "tst", "hello 42 world"));
    free(out);

    capture_begin();
    ESP_LOGE("tst", "boom");
    ESP_LOGW("tst", "careful");
    out = capture_end();
    CHECK(out != NULL && out[0] == 'E' && strstr(out, "tst: boom\nW (") != NULL);
    CHECK(out != NULL && strstr(out, ") tst: careful\n") != NULL);
    free(out);

    /* Disabled levels write nothing */
    capture_begin();
    ESP_LOGD("tst", "debug hidden");
    ESP_LOGV("tst", "verbose hidden");
    esp_log_write(ESP_LOG_NONE, "tst", "none is never written");
    out = capture_end();
    CHECK_EQ_STR(out, "");
    free(out);

    /* Per-tag level */
    esp_log_level_set("quiet", ESP_LOG_ERROR);
    esp_log_level_set("loud", ESP_LOG_VERBOSE);
    capture_begin();
    ESP_LOGW("quiet", "not shown");
    ESP_LOGV("loud", "shown %u", 7u);
    out = capture_end();
    CHECK(line_matches(out, 'V', "loud", "shown 7"));
    free(out);

    capture_begin();
    ESP_LOGD("loud", "dbg");
    out = capture_end();
    CHECK(line_matches(out, 'D', "loud", "dbg"));
    free(out);

    /* NONE silences a tag completely */
    esp_log_level_set("loud", ESP_LOG_NONE);
    capture_begin();
    ESP_LOGE("loud", "no");
    out = capture_end();
    CHECK_EQ_STR(out, "");
    free(out);

    /* Global NONE */
    esp_log_level_set("*", ESP_LOG_NONE);
    capture_begin();
    ESP_LOGE("tst", "no");
    out = capture_end();
    CHECK_EQ_STR(out, "");
    free(out);
    esp_log_level_set("*", ESP_LOG_INFO);

    /* Long lines are truncated with "..." and still end in a newline */
    char big[2000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    capture_begin();
    ESP_LOGI("long", "%s", big);
    out = capture_end();
    CHECK(out != NULL);
    if (out != NULL) {
        size_t len = strlen(out);
        CHECK(len <= 512 && len >= 500);
        CHECK(len >= 4 && strcmp(out + len - 4, "...\n") == 0);
        CHECK(strchr(out, '\n') == out + len - 1);
        CHECK(strncmp(out, "I (", 3) == 0);
    }
    free(out);

    /* Long tag */
    char bigtag[600];
    memset(bigtag, 't', sizeof bigtag - 1);
    bigtag[sizeof bigtag - 1] = '\0';
    capture_begin();
    ESP_LOGI(bigtag, "m");
    out = capture_end();
    CHECK(out != NULL && strlen(out) <= 512 && strlen(out) >= 4
          && strcmp(out + strlen(out) - 4, "...\n") == 0);
    free(out);

    /* errno is preserved */
    errno = EAGAIN;
    capture_begin();
    errno = EAGAIN;
    ESP_LOGI("tst", "keeps errno");
    int e = errno;
    out = capture_end();
    CHECK_EQ_INT(e, EAGAIN);
    free(out);

    /* NULL tag / format do not crash */
    capture_begin();
    esp_log_write(ESP_LOG_ERROR, NULL, "null tag");
    writev_null_format(ESP_LOG_ERROR, "tst");
    out = capture_end();
    CHECK(line_matches(out, 'E', "", "null tag"));
    free(out);
}

static void test_timestamp(void)
{
    uint32_t t1 = esp_log_timestamp();
    usleep(20 * 1000);
    uint32_t t2 = esp_log_timestamp();
    CHECK(t2 >= t1 + 15);
    CHECK(t2 - t1 < 5000);
}

/* Many threads logging at once: every line stays whole. */
static void *log_thread(void *arg)
{
    const char *tag = arg;
    for (int i = 0; i < 200; i++) {
        ESP_LOGI(tag, "line %d of a message that is long enough to notice interleaving", i);
        if (i % 50 == 0) {
            esp_log_level_set(tag, ESP_LOG_INFO);
        }
    }
    return NULL;
}

static void test_threads(void)
{
    static const char *const tags[4] = { "th0", "th1", "th2", "th3" };
    pthread_t th[4];
    int started = 0;

    esp_log_level_set("*", ESP_LOG_INFO);
    capture_begin();
    for (int i = 0; i < 4; i++) {
        if (pthread_create(&th[i], NULL, log_thread, (void *)tags[i]) == 0) {
            started++;
        }
    }
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
    }
    char *out = capture_end();
    CHECK_EQ_INT(started, 4);
    CHECK(out != NULL);
    if (out != NULL) {
        int lines = 0, good = 0;
        for (char *line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
            lines++;
            if (strncmp(line, "I (", 3) == 0 && strstr(line, ") th") != NULL
                && strstr(line, "interleaving") == line + strlen(line) - 12) {
                good++;
            }
        }
        CHECK_EQ_INT(lines, 800);
        CHECK_EQ_INT(good, 800);
    }
    free(out);
    esp_log_level_set("*", ESP_LOG_INFO);
}

int main(void)
{
    setenv("ESP_LOG_LEVEL", "warn", 1);     /* before the first log call */
    test_env_level();
    test_err_names();
    test_err_names_r();
    test_level_set_get();
    test_log_output();
    test_timestamp();
    test_threads();
    return check_summary();
}
