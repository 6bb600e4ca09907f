
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


#include <string.h>

#include "lago_webhook_cluster.h"
#include "lago_webhook_digits.h"
#include "lago_webhook_slot.h"




/* "MOVED 3999 127.0.0.1:6381", "ASK 3999 :6381", "TRYAGAIN ..." */

lago_webhook_cluster_redirect_e
lago_webhook_cluster_redirect(const redisReply *reply, unsigned int *slot,
    lago_webhook_cluster_node_t *node)
{
    long                             n, port;
    const unsigned char             *p, *last, *sp, *colon;
    lago_webhook_cluster_redirect_e  kind;

    if (reply->type != REDIS_REPLY_ERROR) {
        return LAGO_WEBHOOK_CLUSTER_ANSWER;
    }

    p = (const unsigned char *) reply->str;
    last = p + reply->len;

    if (reply->len >= 8 && memcmp(p, "TRYAGAIN", 8) == 0) {
        return LAGO_WEBHOOK_CLUSTER_TRYAGAIN;
    }

    if (reply->len >= 11 && memcmp(p, "CLUSTERDOWN", 11) == 0) {
        return LAGO_WEBHOOK_CLUSTER_DOWN;
    }

    if (reply->len > 6 && memcmp(p, "MOVED ", 6) == 0) {
        kind = LAGO_WEBHOOK_CLUSTER_MOVED;
        p += 6;

    } else if (reply->len > 4 && memcmp(p, "ASK ", 4) == 0) {
        kind = LAGO_WEBHOOK_CLUSTER_ASK;
        p += 4;

    } else {
        return LAGO_WEBHOOK_CLUSTER_ANSWER;
    }

    sp = memchr(p, ' ', last - p);
    if (sp == NULL) {
        return LAGO_WEBHOOK_CLUSTER_ANSWER;
    }

    n = lago_webhook_digits(p, sp - p, LAGO_WEBHOOK_SLOTS - 1);
    if (n < 0) {
        return LAGO_WEBHOOK_CLUSTER_ANSWER;
    }

    p = sp + 1;

    /* the port follows the last ':', an IPv6 address has its own */

    for (colon = last; colon > p && colon[-1] != ':'; colon--) {
        /* void */
    }

    if (colon == p) {
        return LAGO_WEBHOOK_CLUSTER_ANSWER;
    }

    colon--;

    port = lago_webhook_digits(colon + 1, last - colon - 1, 65535);
    if (port < 1) {
        return LAGO_WEBHOOK_CLUSTER_ANSWER;
    }

    *slot = (unsigned int) n;
    node->host = p;
    node->host_len = colon - p;
    node->port = (unsigned int) port;

    return kind;
}


int
lago_webhook_cluster_range(const redisReply *reply, size_t i,
    unsigned int *start, unsigned int *end,
    lago_webhook_cluster_node_t *master)
{
    const redisReply  *range, *node, *ip, *port;

    if (reply->type != REDIS_REPLY_ARRAY) {
        return -1;
    }

    if (i >= reply->elements) {
        return 1;
    }

    range = reply->element[i];

    if (range->type != REDIS_REPLY_ARRAY || range->elements < 3
        || range->element[0]->type != REDIS_REPLY_INTEGER
        || range->element[1]->type != REDIS_REPLY_INTEGER
        || range->element[2]->type != REDIS_REPLY_ARRAY)
    {
        return -1;
    }

    if (range->element[0]->integer < 0
        || range->element[1]->integer < range->element[0]->integer
        || range->element[1]->integer >= LAGO_WEBHOOK_SLOTS)
    {
        return -1;
    }

    node = range->element[2];

    if (node->elements < 2) {
        return -1;
    }

    ip = node->element[0];
    port = node->element[1];

    if ((ip->type != REDIS_REPLY_STRING && ip->type != REDIS_REPLY_NIL)
        || port->type != REDIS_REPLY_INTEGER
        || port->integer < 1 || port->integer > 65535)
    {
        return -1;
    }

    *start = (unsigned int) range->element[0]->integer;
    *end = (unsigned int) range->element[1]->integer;

    /* NULL or "?": the node does not know its address; "" is ours too */

    if (ip->type == REDIS_REPLY_NIL || (ip->len == 1 && ip->str[0] == '?')) {
        master->host = NULL;
        master->host_len = 0;

    } else {
        master->host = (const unsigned char *) ip->str;
        master->host_len = ip->len;
    }

    master->port = (unsigned int) port->integer;

    return 0;
}


