/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP in-process for the suite: tcpip_init(), then, on lwIP's thread, a
 * loopback netif "lo" at 127.0.0.1/8 whose output hands every packet back to
 * lwIP (netif_loop_output). Everything runs over lwIP's own TCP/IP stack in
 * this process; the host's network is never used.
 */
#include "lwip_test.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "lwip/inet_chksum.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/ip.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/udp.h"
#include "lwip/sockets.h"
#include "lwip/tcpip.h"

static struct netif lo_netif;
static pthread_mutex_t up_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t  up_cond = PTHREAD_COND_INITIALIZER;
static bool            up_done;
static bool            up_ok;

static err_t lo_output4(struct netif *n, struct pbuf *p, const ip4_addr_t *dst)
{
    (void)dst;
    return netif_loop_output(n, p);
}

#if LWIP_IPV6
static err_t lo_output6(struct netif *n, struct pbuf *p, const ip6_addr_t *dst)
{
    (void)dst;
    return netif_loop_output(n, p);
}
#endif

static err_t lo_init(struct netif *n)
{
    n->name[0] = 'l';
    n->name[1] = 'o';
    n->mtu = 1500;
    n->flags |= NETIF_FLAG_UP | NETIF_FLAG_LINK_UP;
    n->output = lo_output4;
#if LWIP_IPV6
    n->output_ip6 = lo_output6;
#endif
    return ERR_OK;
}

/* On lwIP's thread, with its core lock held. */
static void on_tcpip_up(void *arg)
{
    (void)arg;
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, 127, 0, 0, 1);
    IP4_ADDR(&mask, 255, 0, 0, 0);
    IP4_ADDR(&gw, 0, 0, 0, 0);
    bool ok = netif_add(&lo_netif, &ip, &mask, &gw, NULL, lo_init, tcpip_input) != NULL;
#if LWIP_IPV6
    if (ok) {   /* ::1 too, so IPv6 clients can reach the dual-stack listener */
        ip6_addr_t one;
        s8_t idx = -1;
        ip6_addr_set_loopback(&one);
        ok = netif_add_ip6_address(&lo_netif, &one, &idx) == ERR_OK && idx >= 0;
        if (ok) {
            netif_ip6_addr_set_state(&lo_netif, idx, IP6_ADDR_VALID);
        }
    }
#endif
    if (ok) {
        netif_set_up(&lo_netif);
        netif_set_link_up(&lo_netif);
        netif_set_default(&lo_netif);
    }
    pthread_mutex_lock(&up_lock);
    up_ok = ok;
    up_done = true;
    pthread_cond_signal(&up_cond);
    pthread_mutex_unlock(&up_lock);
}

bool lt_net_up(void)
{
    tcpip_init(on_tcpip_up, NULL);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&up_lock);
    int rc = 0;
    while (!up_done && rc == 0) {
        rc = pthread_cond_timedwait(&up_cond, &up_lock, &until);
    }
    bool ok = up_done && up_ok;
    pthread_mutex_unlock(&up_lock);
    return ok;
}

bool lt_net_inject_udp(uint32_t src_ip, uint16_t dst_port, const void *payload, size_t len)
{
    uint8_t pkt[IP_HLEN + UDP_HLEN + 64];
    if (len > 64) {
        return false;
    }
    size_t total = IP_HLEN + UDP_HLEN + len;
    memset(pkt, 0, sizeof pkt);
    struct ip_hdr iph;
    memset(&iph, 0, sizeof iph);
    IPH_VHL_SET(&iph, 4, IP_HLEN / 4);
    IPH_LEN_SET(&iph, lwip_htons((u16_t)total));
    IPH_TTL_SET(&iph, 64);
    IPH_PROTO_SET(&iph, IP_PROTO_UDP);
    iph.src.addr = lwip_htonl(src_ip);
    iph.dest.addr = PP_HTONL(0x7f000001UL);
    IPH_CHKSUM_SET(&iph, inet_chksum(&iph, IP_HLEN));
    struct udp_hdr udph = {
        .src = lwip_htons(40000),
        .dest = lwip_htons(dst_port),
        .len = lwip_htons((u16_t)(UDP_HLEN + len)),
        .chksum = 0,   /* none: allowed over IPv4 */
    };
    memcpy(pkt, &iph, IP_HLEN);
    memcpy(pkt + IP_HLEN, &udph, UDP_HLEN);
    memcpy(pkt + IP_HLEN + UDP_HLEN, payload, len);
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)total, PBUF_RAM);
    if (!p) {
        return false;
    }
    if (pbuf_take(p, pkt, (u16_t)total) != ERR_OK || tcpip_input(p, &lo_netif) != ERR_OK) {
        pbuf_free(p);
        return false;
    }
    return true;
}

int lt_net_socket_watermark(int n)
{
    int fds[64];
    int top = -1;
    if (n > 64) {
        n = 64;
    }
    for (int i = 0; i < n; i++) {
        fds[i] = lwip_socket(AF_INET, SOCK_DGRAM, 0);
        if (fds[i] > top) {
            top = fds[i];
        }
    }
    for (int i = 0; i < n; i++) {
        if (fds[i] >= 0) {
            lwip_close(fds[i]);
        }
    }
    return top;
}
