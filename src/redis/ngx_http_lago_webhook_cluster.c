
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_lago_webhook_cluster.h"
#include "lago_webhook_cluster.h"


static void ngx_http_lago_webhook_cluster_node(
    lago_webhook_cluster_node_t *from,
    ngx_http_lago_webhook_cluster_node_t *to);


/* lago_webhook_cluster_redirect() in nginx's types */

ngx_http_lago_webhook_cluster_redirect_e
ngx_http_lago_webhook_cluster_redirect(redisReply *reply, ngx_uint_t *slot,
    ngx_http_lago_webhook_cluster_node_t *node)
{
    unsigned int                     n;
    lago_webhook_cluster_node_t      to;
    lago_webhook_cluster_redirect_e  kind;

    kind = lago_webhook_cluster_redirect(reply, &n, &to);

    switch (kind) {

    case LAGO_WEBHOOK_CLUSTER_MOVED:
    case LAGO_WEBHOOK_CLUSTER_ASK:
        *slot = n;
        ngx_http_lago_webhook_cluster_node(&to, node);

        return (kind == LAGO_WEBHOOK_CLUSTER_MOVED)
               ? NGX_HTTP_LAGO_WEBHOOK_CLUSTER_MOVED
               : NGX_HTTP_LAGO_WEBHOOK_CLUSTER_ASK;

    case LAGO_WEBHOOK_CLUSTER_TRYAGAIN:
        return NGX_HTTP_LAGO_WEBHOOK_CLUSTER_TRYAGAIN;

    case LAGO_WEBHOOK_CLUSTER_DOWN:
        return NGX_HTTP_LAGO_WEBHOOK_CLUSTER_DOWN;

    default: /* LAGO_WEBHOOK_CLUSTER_ANSWER */
        return NGX_HTTP_LAGO_WEBHOOK_CLUSTER_ANSWER;
    }
}


/* lago_webhook_cluster_range() in nginx's types */

ngx_int_t
ngx_http_lago_webhook_cluster_range(redisReply *reply, ngx_uint_t i,
    ngx_uint_t *start, ngx_uint_t *end,
    ngx_http_lago_webhook_cluster_node_t *master)
{
    int                          rc;
    unsigned int                 s, e;
    lago_webhook_cluster_node_t  node;

    rc = lago_webhook_cluster_range(reply, i, &s, &e, &node);

    if (rc == 1) {
        return NGX_DECLINED;
    }

    if (rc != 0) {
        return NGX_ERROR;
    }

    *start = s;
    *end = e;
    ngx_http_lago_webhook_cluster_node(&node, master);

    return NGX_OK;
}


ngx_int_t
ngx_http_lago_webhook_cluster_address(
    ngx_http_lago_webhook_cluster_node_t *node, ngx_addr_t *from,
    ngx_sockaddr_t *sockaddr, socklen_t *socklen, ngx_str_t *text)
{
    in_addr_t  inaddr;
#if (NGX_HAVE_INET6)
    u_char     inaddr6[16];
#endif

    ngx_memzero(sockaddr, sizeof(ngx_sockaddr_t));

    if (node->host.len == 0) {
        if (from == NULL || from->socklen > sizeof(ngx_sockaddr_t)
            || (from->sockaddr->sa_family != AF_INET
#if (NGX_HAVE_INET6)
                && from->sockaddr->sa_family != AF_INET6
#endif
               ))
        {
            return NGX_ERROR;
        }

        ngx_memcpy(sockaddr, from->sockaddr, from->socklen);
        *socklen = from->socklen;

    } else {
        inaddr = ngx_inet_addr(node->host.data, node->host.len);

        if (inaddr != INADDR_NONE) {
            sockaddr->sockaddr_in.sin_family = AF_INET;
            sockaddr->sockaddr_in.sin_addr.s_addr = inaddr;
            *socklen = sizeof(struct sockaddr_in);

#if (NGX_HAVE_INET6)
        } else if (ngx_inet6_addr(node->host.data, node->host.len, inaddr6)
                   == NGX_OK)
        {
            sockaddr->sockaddr_in6.sin6_family = AF_INET6;
            ngx_memcpy(sockaddr->sockaddr_in6.sin6_addr.s6_addr, inaddr6, 16);
            *socklen = sizeof(struct sockaddr_in6);
#endif

        } else {
            /* a host name: Cluster announces addresses here */
            return NGX_ERROR;
        }
    }

    ngx_inet_set_port(&sockaddr->sockaddr, node->port);

    text->len = ngx_sock_ntop(&sockaddr->sockaddr, *socklen, text->data,
                              NGX_SOCKADDR_STRLEN, 1);

    return NGX_OK;
}



static void
ngx_http_lago_webhook_cluster_node(lago_webhook_cluster_node_t *from,
    ngx_http_lago_webhook_cluster_node_t *to)
{
    to->host.data = (u_char *) from->host;
    to->host.len = from->host_len;
    to->port = (in_port_t) from->port;
}
