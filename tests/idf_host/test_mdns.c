/* SPDX-License-Identifier: Apache-2.0 */
/* mdns.h and lwip/apps/netbiosns.h on the host: the calls firmware makes
 * succeed after mdns_init(), are refused before it, and check their arguments. */
#include "mdns.h"
#include "lwip/apps/netbiosns.h"

#include "../unit/check.h"

int main(void)
{
    CHECK_EQ_INT(mdns_hostname_set("dev"), ESP_ERR_INVALID_STATE);
    CHECK_EQ_INT(mdns_init(), ESP_OK);
    CHECK_EQ_INT(mdns_hostname_set("esp-home"), ESP_OK);
    CHECK_EQ_INT(mdns_hostname_set(NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(mdns_hostname_set("a-name-far-longer-than-sixty-three-bytes-which-mdns-cannot-hold-x"),
                 ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(mdns_instance_name_set("Web server"), ESP_OK);
    mdns_txt_item_t txt[] = { { "board", "esp32" }, { "path", "/" } };
    CHECK_EQ_INT(mdns_service_add("Web", "_http", "_tcp", 80, txt, 2), ESP_OK);
    CHECK_EQ_INT(mdns_service_add("Web", NULL, "_tcp", 80, txt, 2), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(mdns_service_remove("_http", "_tcp"), ESP_OK);
    netbiosns_init();
    netbiosns_set_name("esp-home");
    netbiosns_stop();
    mdns_free();
    CHECK_EQ_INT(mdns_instance_name_set("x"), ESP_ERR_INVALID_STATE);
    return check_summary();
}
