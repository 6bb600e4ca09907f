
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Reading what Redis Sentinel answers, from hiredis's reply objects: the
 * master's address (SENTINEL get-master-addr-by-name), and what comes on
 * a connection subscribed to +switch-master.
 */


#ifndef _LAGO_WEBHOOK_SENTINEL_H_INCLUDED_
#define _LAGO_WEBHOOK_SENTINEL_H_INCLUDED_


#include <stddef.h>
#include <hiredis/hiredis.h>


typedef enum {
    LAGO_WEBHOOK_SENTINEL_BROKEN = 0,     /* not what the protocol gives */
    LAGO_WEBHOOK_SENTINEL_ERROR,          /* an error reply */
    LAGO_WEBHOOK_SENTINEL_NO_MASTER,      /* nil: the master is unknown */
    LAGO_WEBHOOK_SENTINEL_MASTER,         /* the master's address */
    LAGO_WEBHOOK_SENTINEL_SUBSCRIBED,     /* SUBSCRIBE's confirmation */
    LAGO_WEBHOOK_SENTINEL_MESSAGE         /* a +switch-master message */
} lago_webhook_sentinel_reply_e;


/* an address as a sentinel writes it: the IP's text, and a port */

typedef struct {
    const unsigned char  *ip;
    size_t                ip_len;
    unsigned int          port;           /* 1 to 65535 */
} lago_webhook_sentinel_addr_t;


/* 1 if the reply is a string of exactly the bytes of str, else 0 */
int lago_webhook_sentinel_is(const redisReply *reply, const char *str);

/*
 * The reply to SENTINEL get-master-addr-by-name: ERROR, NO_MASTER,
 * MASTER for [ip, port] (two strings, the port's digits 1 to 65535; the
 * ip, pointing into the reply, is not checked), or BROKEN.
 */
lago_webhook_sentinel_reply_e lago_webhook_sentinel_master(
    const redisReply *reply, lago_webhook_sentinel_addr_t *master);

/*
 * A reply on the +switch-master subscription: ERROR; before subscribed,
 * SUBSCRIBED for ["subscribe", "+switch-master", ...]; after it, MESSAGE
 * for ["message", "+switch-master", <string>], whose payload is then
 * reply->element[2]; anything else is BROKEN.
 */
lago_webhook_sentinel_reply_e lago_webhook_sentinel_watch(
    const redisReply *reply, int subscribed);

/*
 * A +switch-master payload, "<name> <old ip> <old port> <new ip> <new
 * port>" (five fields, one space between each): -1 when it is not one;
 * 0 when it names another master than name (compared as strncmp() does,
 * up to a NUL in both); 1 and the new address, pointing into payload,
 * when it names ours, or -1 when then its new port is not 1 to 65535.
 */
int lago_webhook_sentinel_switch(const unsigned char *payload, size_t len,
    const unsigned char *name, size_t name_len,
    lago_webhook_sentinel_addr_t *to);


#endif /* _LAGO_WEBHOOK_SENTINEL_H_INCLUDED_ */
