
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * One connection to a Redis on nginx's own connection: connect(2) with
 * ngx_event_connect_peer(), TLS with ngx_ssl_*, c->send and c->recv.
 * Commands go out as the RESP bytes they are given, replies come back
 * through hiredis's reader, one at a time and in order.  It knows
 * nothing of what the commands are for but AUTH, which every connection
 * of the module sends first (connect()): the rest of a handshake,
 * timeouts and reconnecting are the callers' (a node's, a sentinel
 * question's, the watch's).
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_REDIS_IO_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_REDIS_IO_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_event_connect.h>
#include <hiredis/hiredis.h>


typedef struct ngx_http_lago_webhook_redis_io_s
    ngx_http_lago_webhook_redis_io_t;


typedef struct {
    ngx_addr_t                  *addr;
    ngx_str_t                   *name;           /* for logs */
    size_t                       max_reply;      /* bytes; 0: no limit */
    ngx_str_t                   *user;           /* AUTH's, when set */
    ngx_str_t                   *password;       /* AUTH first, when set */
#if (NGX_SSL)
    ngx_ssl_t                   *ssl;            /* NULL: plaintext */
    ngx_str_t                   *ssl_name;       /* NUL-terminated */
    ngx_uint_t                   ssl_verify;
    ngx_ssl_session_t          **ssl_session;    /* NULL: no reuse */
#endif
} ngx_http_lago_webhook_redis_io_conf_t;


/*
 * What the connection tells its owner.  After failed() the connection is
 * dead: the owner closes it, and nothing else is called.
 */

typedef struct {
    void  (*connected)(void *data);
    void  (*reply)(void *data, redisReply *reply);  /* freed afterwards */
    void  (*failed)(void *data, const char *what, const char *detail);
    void   *data;
} ngx_http_lago_webhook_redis_io_handler_t;


/*
 * Starts connecting.  NULL: it could not even start (*detail says why);
 * otherwise connected() or failed() follows.  Commands may be written at
 * once: they leave when the connection is up.
 */
ngx_http_lago_webhook_redis_io_t *ngx_http_lago_webhook_redis_io_open(
    ngx_http_lago_webhook_redis_io_conf_t *conf,
    ngx_http_lago_webhook_redis_io_handler_t *handler, ngx_log_t *log,
    const char **detail);

/*
 * How every connection of the module starts, a node's, a sentinel
 * question's and the watch's: open() and, when conf has a password, AUTH
 * written first, so that its reply is the first the owner gets.  NGX_OK:
 * *io is connecting; NGX_DECLINED: it could not even start (*detail says
 * why); NGX_ERROR: no memory for AUTH, and nothing is left open.
 */
ngx_int_t ngx_http_lago_webhook_redis_io_connect(
    ngx_http_lago_webhook_redis_io_t **io,
    ngx_http_lago_webhook_redis_io_conf_t *conf,
    ngx_http_lago_webhook_redis_io_handler_t *handler, ngx_log_t *log,
    const char **detail);

/* queues a command's RESP bytes; they leave at the end of this loop turn */
ngx_int_t ngx_http_lago_webhook_redis_io_write(
    ngx_http_lago_webhook_redis_io_t *io, u_char *data, size_t len);

/*
 * A command in RESP, an array of bulk strings: how long it can be, and
 * its bytes written at p (the end returned); send() formats one and
 * queues it as write() does.
 */
size_t ngx_http_lago_webhook_redis_io_command_len(int argc,
    const size_t *argvlen);
u_char *ngx_http_lago_webhook_redis_io_command(u_char *p, int argc,
    const char **argv, const size_t *argvlen);
ngx_int_t ngx_http_lago_webhook_redis_io_send(
    ngx_http_lago_webhook_redis_io_t *io, int argc, const char **argv,
    const size_t *argvlen);

/*
 * An address as Redis writes one in a reply, an IP (v4 or v6: a worker
 * never resolves a name) and a port, into sockaddr; addr points to it,
 * with the name "ip:port" written into text (NGX_SOCKADDR_STRLEN bytes).
 * NGX_ERROR: not an IP.
 */
ngx_int_t ngx_http_lago_webhook_redis_io_address(u_char *ip, size_t len,
    in_port_t port, ngx_sockaddr_t *sockaddr, ngx_addr_t *addr, u_char *text);

/* closes and frees; no handler is called any more */
void ngx_http_lago_webhook_redis_io_close(
    ngx_http_lago_webhook_redis_io_t *io);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_REDIS_IO_H_INCLUDED_ */
