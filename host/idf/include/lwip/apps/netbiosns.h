/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: lwIP's NetBIOS name service, as firmware calls it.
 * On the host nothing answers NetBIOS queries; the calls log the name. */
#ifndef LWIP_NETBIOSNS_H_IDF_HOST
#define LWIP_NETBIOSNS_H_IDF_HOST

#ifdef __cplusplus
extern "C" {
#endif

void netbiosns_init(void);
void netbiosns_set_name(const char *hostname);
void netbiosns_stop(void);

#ifdef __cplusplus
}
#endif
#endif /* LWIP_NETBIOSNS_H_IDF_HOST */
