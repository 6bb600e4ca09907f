
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_lago_webhook_cluster.h"


static ngx_int_t ngx_http_lago_webhook_cluster_slot(u_char *p, size_t len,
    ngx_uint_t *slot);


/* "MOVED 3999 127.0.0.1:6381", "ASK 3999 :6381", "TRYAGAIN ..." */

ngx_http_lago_webhook_cluster_redirect_e
ngx_http_lago_webhook_cluster_redirect(redisReply *reply, ngx_uint_t *slot,
    ngx_http_lago_webhook_cluster_node_t *node)
{
    u_char                                   *p, *last, *sp, *colon;
    ngx_int_t                                 port;
    ngx_http_lago_webhook_cluster_redirect_e  kind;

    if (reply->type != REDIS_REPLY_ERROR) {
        return NGX_HTTP_LAGO_WEBHOOK_CLUSTER_ANSWER;
    }

    p = (u_char *) reply->str;
    last = p + reply->len;

    if (reply->len >= 8 && ngx_strncmp(p, "TRYAGAIN", 8) == 0) {
        return NGX_HTTP_LAGO_WEBHOOK_CLUSTER_TRYAGAIN;
    }

    if (reply->len >= 11 && ngx_strncmp(p, "CLUSTERDOWN", 11) == 0) {
        return NGX_HTTP_LAGO_WEBHOOK_CLUSTER_DOWN;
    }

    if (reply->len > 6 && ngx_strncmp(p, "MOVED ", 6) == 0) {
        kind = NGX_HTTP_LAGO_WEBHOOK_CLUSTER_MOVED;
        p += 6;

    } else if (reply->len > 4 && ngx_strncmp(p, "ASK ", 4) == 0) {
        kind = NGX_HTTP_LAGO_WEBHOOK_CLUSTER_ASK;
        p += 4;

    } else {
        return NGX_HTTP_LAGO_WEBHOOK_CLUSTER_ANSWER;
    }

    sp = ngx_strlchr(p, last, ' ');
    if (sp == NULL
        || ngx_http_lago_webhook_cluster_slot(p, sp - p, slot) != NGX_OK)
    {
        return NGX_HTTP_LAGO_WEBHOOK_CLUSTER_ANSWER;
    }

    p = sp + 1;

    /* the port follows the last ':', an IPv6 address has its own */

    for (colon = last - 1; colon >= p && *colon != ':'; colon--) {
        /* void */
    }

    if (colon < p) {
        return NGX_HTTP_LAGO_WEBHOOK_CLUSTER_ANSWER;
    }

    port = ngx_atoi(colon + 1, last - colon - 1);
    if (port < 1 || port > 65535) {
        return NGX_HTTP_LAGO_WEBHOOK_CLUSTER_ANSWER;
    }

    node->host.data = p;
    node->host.len = colon - p;
    node->port = (in_port_t) port;

    return kind;
}


/*
 * CLUSTER SLOTS: [[start, end, [ip, port, id, ...], replicas...], ...];
 * the master comes first after the range.
 */

ngx_int_t
ngx_http_lago_webhook_cluster_range(redisReply *reply, ngx_uint_t i,
    ngx_uint_t *start, ngx_uint_t *end,
    ngx_http_lago_webhook_cluster_node_t *master)
{
    redisReply  *range, *node, *ip, *port;

    if (reply->type != REDIS_REPLY_ARRAY) {
        return NGX_ERROR;
    }

    if (i >= reply->elements) {
        return NGX_DECLINED;
    }

    range = reply->element[i];

    if (range->type != REDIS_REPLY_ARRAY || range->elements < 3
        || range->element[0]->type != REDIS_REPLY_INTEGER
        || range->element[1]->type != REDIS_REPLY_INTEGER
        || range->element[2]->type != REDIS_REPLY_ARRAY)
    {
        return NGX_ERROR;
    }

    if (range->element[0]->integer < 0
        || range->element[1]->integer < range->element[0]->integer
        || range->element[1]->integer >= LAGO_WEBHOOK_SLOTS)
    {
        return NGX_ERROR;
    }

    node = range->element[2];

    if (node->elements < 2) {
        return NGX_ERROR;
    }

    ip = node->element[0];
    port = node->element[1];

    if ((ip->type != REDIS_REPLY_STRING && ip->type != REDIS_REPLY_NIL)
        || port->type != REDIS_REPLY_INTEGER
        || port->integer < 1 || port->integer > 65535)
    {
        return NGX_ERROR;
    }

    *start = (ngx_uint_t) range->element[0]->integer;
    *end = (ngx_uint_t) range->element[1]->integer;

    /* NULL or "?": the node does not know its address; "" is ours too */

    if (ip->type == REDIS_REPLY_NIL || (ip->len == 1 && ip->str[0] == '?')) {
        master->host.len = 0;
        master->host.data = NULL;

    } else {
        master->host.data = (u_char *) ip->str;
        master->host.len = ip->len;
    }

    master->port = (in_port_t) port->integer;

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


static ngx_int_t
ngx_http_lago_webhook_cluster_slot(u_char *p, size_t len, ngx_uint_t *slot)
{
    ngx_int_t  n;

    n = ngx_atoi(p, len);

    if (n < 0 || n >= LAGO_WEBHOOK_SLOTS) {
        return NGX_ERROR;
    }

    *slot = (ngx_uint_t) n;

    return NGX_OK;
}
