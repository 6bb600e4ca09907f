
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


#include <string.h>

#include "lago_webhook_sentinel.h"
#include "lago_webhook_digits.h"


#define LAGO_WEBHOOK_SENTINEL_SWITCH_FIELDS  5


static int lago_webhook_sentinel_port(const unsigned char *p, size_t len);


int
lago_webhook_sentinel_is(const redisReply *reply, const char *str)
{
    size_t  len;

    len = strlen(str);

    return reply->type == REDIS_REPLY_STRING && reply->len == len
           && memcmp(reply->str, str, len) == 0;
}


/*
 * [ip, port].  Sentinel gives addresses unless told to announce host
 * names, which the caller does not resolve.
 */

lago_webhook_sentinel_reply_e
lago_webhook_sentinel_master(const redisReply *reply,
    lago_webhook_sentinel_addr_t *master)
{
    int                port;
    const redisReply  *ip, *p;

    if (reply->type == REDIS_REPLY_ERROR) {
        return LAGO_WEBHOOK_SENTINEL_ERROR;
    }

    if (reply->type == REDIS_REPLY_NIL) {
        return LAGO_WEBHOOK_SENTINEL_NO_MASTER;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
        return LAGO_WEBHOOK_SENTINEL_BROKEN;
    }

    ip = reply->element[0];
    p = reply->element[1];

    if (ip->type != REDIS_REPLY_STRING || p->type != REDIS_REPLY_STRING) {
        return LAGO_WEBHOOK_SENTINEL_BROKEN;
    }

    port = lago_webhook_sentinel_port((const unsigned char *) p->str, p->len);
    if (port < 0) {
        return LAGO_WEBHOOK_SENTINEL_BROKEN;
    }

    master->ip = (const unsigned char *) ip->str;
    master->ip_len = ip->len;
    master->port = (unsigned int) port;

    return LAGO_WEBHOOK_SENTINEL_MASTER;
}


lago_webhook_sentinel_reply_e
lago_webhook_sentinel_watch(const redisReply *reply, int subscribed)
{
    if (reply->type == REDIS_REPLY_ERROR) {
        return LAGO_WEBHOOK_SENTINEL_ERROR;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3
        || !lago_webhook_sentinel_is(reply->element[1], "+switch-master"))
    {
        return LAGO_WEBHOOK_SENTINEL_BROKEN;
    }

    if (!subscribed) {
        return lago_webhook_sentinel_is(reply->element[0], "subscribe")
               ? LAGO_WEBHOOK_SENTINEL_SUBSCRIBED
               : LAGO_WEBHOOK_SENTINEL_BROKEN;
    }

    if (!lago_webhook_sentinel_is(reply->element[0], "message")
        || reply->element[2]->type != REDIS_REPLY_STRING)
    {
        return LAGO_WEBHOOK_SENTINEL_BROKEN;
    }

    return LAGO_WEBHOOK_SENTINEL_MESSAGE;
}


int
lago_webhook_sentinel_switch(const unsigned char *payload, size_t len,
    const unsigned char *name, size_t name_len,
    lago_webhook_sentinel_addr_t *to)
{
    int                   port;
    size_t                i, n, flen[LAGO_WEBHOOK_SENTINEL_SWITCH_FIELDS];
    const unsigned char  *p, *last, *field[LAGO_WEBHOOK_SENTINEL_SWITCH_FIELDS];

    p = payload;
    last = p + len;

    for (n = 0; n < LAGO_WEBHOOK_SENTINEL_SWITCH_FIELDS; n++) {
        field[n] = p;

        while (p < last && *p != ' ') {
            p++;
        }

        if (p == field[n]) {
            return -1;
        }

        flen[n] = p - field[n];

        if (n < LAGO_WEBHOOK_SENTINEL_SWITCH_FIELDS - 1) {
            if (p == last) {
                return -1;
            }

            p++;
        }
    }

    if (p != last) {
        return -1;
    }

    /* another master's switch is none of ours */

    if (flen[0] != name_len) {
        return 0;
    }

    for (i = 0; i < name_len; i++) {
        if (field[0][i] != name[i]) {
            return 0;
        }

        if (name[i] == '\0') {
            break;
        }
    }

    port = lago_webhook_sentinel_port(field[4], flen[4]);
    if (port < 0) {
        return -1;
    }

    to->ip = field[3];
    to->ip_len = flen[3];
    to->port = (unsigned int) port;

    return 1;
}


/* a port's digits, 1 to 65535, or -1 */

static int
lago_webhook_sentinel_port(const unsigned char *p, size_t len)
{
    long  n;

    n = lago_webhook_digits(p, len, 65535);

    return n < 1 ? -1 : (int) n;
}
