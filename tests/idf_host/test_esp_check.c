/* SPDX-License-Identifier: Apache-2.0 */
/* esp_check.h's macros behave as ESP-IDF's: they evaluate their expression
 * once, return or jump only on an error, log "<function>(<line>): <message>"
 * with ESP_LOGE under the given tag, and the goto forms set `ret`. */
#include "esp_check.h"
#include "capture.h"

#include "../unit/check.h"

static const char *TAG = "chk";
static int evaluations;
static int reached_end;

static esp_err_t count_and_return(esp_err_t e)
{
    evaluations++;
    return e;
}

static esp_err_t return_on_error(esp_err_t e)
{
    ESP_RETURN_ON_ERROR(count_and_return(e), TAG, "failed with %d", 7);
    reached_end++;
    return ESP_OK;
}

static esp_err_t return_on_false(int ok)
{
    ESP_RETURN_ON_FALSE(ok, ESP_ERR_INVALID_SIZE, TAG, "no good");
    reached_end++;
    return ESP_OK;
}

static void void_on_error(esp_err_t e)
{
    ESP_RETURN_VOID_ON_ERROR(e, TAG, "void");
    reached_end++;
}

static void void_on_false(int ok)
{
    ESP_RETURN_VOID_ON_FALSE(ok, TAG, "void false");
    reached_end++;
}

static esp_err_t goto_on_error(esp_err_t e, int *cleaned)
{
    esp_err_t ret = ESP_OK;
    ESP_GOTO_ON_ERROR(count_and_return(e), out, TAG, "goto %s", "err");
    reached_end++;
out:
    (*cleaned)++;
    return ret;
}

static esp_err_t goto_on_false(int ok, int *cleaned)
{
    esp_err_t ret = ESP_OK;
    ESP_GOTO_ON_FALSE(ok, ESP_ERR_NOT_FOUND, out, TAG, "goto false");
    reached_end++;
out:
    (*cleaned)++;
    return ret;
}

static int cleanup_ran;

static esp_err_t cleanup_on_error(esp_err_t e)
{
    ESP_RETURN_ON_ERROR_CLEANUP(e, cleanup_ran++, cleanup_ran += (err_rc_ == ESP_ERR_TIMEOUT) ? 10 : 0);
    return ESP_OK;
}

static esp_err_t isr_forms(esp_err_t e)
{
    ESP_RETURN_ON_ERROR_ISR(e, TAG, "isr");
    ESP_RETURN_ON_FALSE_ISR(e == ESP_OK, ESP_FAIL, TAG, "isr false");
    return ESP_OK;
}

int main(void)
{
    char log[2048];
    capture_begin();
    CHECK_EQ_INT(return_on_error(ESP_OK), ESP_OK);
    CHECK_EQ_INT(reached_end, 1);
    CHECK_EQ_INT(return_on_error(ESP_ERR_NO_MEM), ESP_ERR_NO_MEM);
    capture_end(log, sizeof log);
    CHECK_EQ_INT(reached_end, 1);
    CHECK_EQ_INT(evaluations, 2);
    CHECK(strstr(log, "E (") != NULL);
    CHECK(strstr(log, "chk: return_on_error(") != NULL);
    CHECK(strstr(log, "): failed with 7") != NULL);

    capture_begin();
    CHECK_EQ_INT(return_on_false(1), ESP_OK);
    CHECK_EQ_INT(return_on_false(0), ESP_ERR_INVALID_SIZE);
    capture_end(log, sizeof log);
    CHECK_EQ_INT(reached_end, 2);
    CHECK(strstr(log, "return_on_false(") != NULL && strstr(log, "no good") != NULL);

    reached_end = 0;
    void_on_error(ESP_OK);
    void_on_error(ESP_FAIL);
    void_on_false(1);
    void_on_false(0);
    CHECK_EQ_INT(reached_end, 2);

    int cleaned = 0;
    reached_end = 0;
    evaluations = 0;
    CHECK_EQ_INT(goto_on_error(ESP_OK, &cleaned), ESP_OK);
    CHECK_EQ_INT(goto_on_error(ESP_ERR_TIMEOUT, &cleaned), ESP_ERR_TIMEOUT);
    CHECK_EQ_INT(cleaned, 2);
    CHECK_EQ_INT(reached_end, 1);
    CHECK_EQ_INT(evaluations, 2);
    CHECK_EQ_INT(goto_on_false(1, &cleaned), ESP_OK);
    CHECK_EQ_INT(goto_on_false(0, &cleaned), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(cleaned, 4);
    CHECK_EQ_INT(reached_end, 2);

    CHECK_EQ_INT(cleanup_on_error(ESP_OK), ESP_OK);
    CHECK_EQ_INT(cleanup_ran, 0);
    CHECK_EQ_INT(cleanup_on_error(ESP_ERR_TIMEOUT), ESP_ERR_TIMEOUT);
    CHECK_EQ_INT(cleanup_ran, 11);

    CHECK_EQ_INT(isr_forms(ESP_OK), ESP_OK);
    CHECK_EQ_INT(isr_forms(ESP_ERR_INVALID_ARG), ESP_ERR_INVALID_ARG);
    CHECK(likely(1) && !unlikely(0));
    return check_summary();
}
