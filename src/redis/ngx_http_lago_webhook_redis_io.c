
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The connection is nginx's: edge-triggered in epoll like any peer
 * connection, so both handlers work until the socket says EAGAIN.
 * Commands queued during a turn of the event loop leave in one write,
 * from a posted write event.  Replies are built by hiredis's reader with
 * the module's reply functions (src/lib/lago_webhook_reply.c): each is
 * handed over and freed before the next is built.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_event_connect.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_redis_io.h"
#include "lago_webhook_reply.h"


/* what one recv() asks for; the reader keeps what a reply needs more */
#define NGX_HTTP_LAGO_WEBHOOK_REDIS_READ    16384

/* the output buffer starts at this size and doubles as needed */
#define NGX_HTTP_LAGO_WEBHOOK_REDIS_OUT     4096


struct ngx_http_lago_webhook_redis_io_s {
    ngx_peer_connection_t                      peer;
    ngx_http_lago_webhook_redis_io_conf_t      conf;
    ngx_http_lago_webhook_redis_io_handler_t   handler;
    redisReader                               *reader;
    ngx_log_t                                 *log;

    /*
     * nginx's own errors on this connection (connect(), SSL_read()...)
     * are not written: the owner logs a failure once per outage, with
     * the last of them as its detail.
     */
    ngx_log_t                                  quiet_log;
    u_char                                     error[256];

    u_char                                    *out;
    u_char                                    *out_pos;
    u_char                                    *out_last;
    u_char                                    *out_end;

    /* bytes read since the last whole reply: the reply being read */
    size_t                                     pending;

    unsigned                                   connected:1;
};


static void ngx_http_lago_webhook_redis_io_quiet(ngx_log_t *log,
    ngx_uint_t level, u_char *buf, size_t len);
static void ngx_http_lago_webhook_redis_io_fail(
    ngx_http_lago_webhook_redis_io_t *io, const char *what,
    const char *detail);
static void ngx_http_lago_webhook_redis_io_connecting(ngx_event_t *wev);
static void ngx_http_lago_webhook_redis_io_up(
    ngx_http_lago_webhook_redis_io_t *io);
#if (NGX_SSL)
static void ngx_http_lago_webhook_redis_io_ssl_start(
    ngx_http_lago_webhook_redis_io_t *io);
static void ngx_http_lago_webhook_redis_io_ssl_done(ngx_connection_t *c);
static void ngx_http_lago_webhook_redis_io_save_session(ngx_connection_t *c);
static ngx_uint_t ngx_http_lago_webhook_redis_io_is_address(ngx_str_t *name);
static ngx_int_t ngx_http_lago_webhook_redis_io_check_name(ngx_connection_t *c,
    ngx_str_t *name);
#endif
static void ngx_http_lago_webhook_redis_io_read(ngx_event_t *rev);
static void ngx_http_lago_webhook_redis_io_write_handler(ngx_event_t *wev);
static ngx_int_t ngx_http_lago_webhook_redis_io_flush(
    ngx_http_lago_webhook_redis_io_t *io);


static u_char  ngx_http_lago_webhook_redis_io_buf[
                                          NGX_HTTP_LAGO_WEBHOOK_REDIS_READ];

/* why an open failed, once the connection is gone */
static u_char  ngx_http_lago_webhook_redis_io_detail[256];


ngx_http_lago_webhook_redis_io_t *
ngx_http_lago_webhook_redis_io_open(ngx_http_lago_webhook_redis_io_conf_t *conf,
    ngx_http_lago_webhook_redis_io_handler_t *handler, ngx_log_t *log,
    const char **detail)
{
    ngx_int_t                          rc;
    ngx_connection_t                  *c;
    ngx_http_lago_webhook_redis_io_t  *io;

    *detail = "out of memory";

    io = ngx_calloc(sizeof(ngx_http_lago_webhook_redis_io_t), log);
    if (io == NULL) {
        return NULL;
    }

    io->conf = *conf;
    io->handler = *handler;
    io->log = log;

    io->reader = redisReaderCreateWithFunctions(&lago_webhook_reply_functions);
    if (io->reader == NULL) {
        ngx_free(io);
        return NULL;
    }

    io->quiet_log = *log;
    io->quiet_log.writer = ngx_http_lago_webhook_redis_io_quiet;
    io->quiet_log.wdata = log;

    io->peer.sockaddr = conf->addr->sockaddr;
    io->peer.socklen = conf->addr->socklen;
    io->peer.name = conf->name;
    io->peer.get = ngx_event_get_peer;
    io->peer.log = &io->quiet_log;
    io->peer.log_error = NGX_ERROR_INFO;

    rc = ngx_event_connect_peer(&io->peer);

    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        ngx_cpystrn(ngx_http_lago_webhook_redis_io_detail,
                    io->error[0] ? io->error : (u_char *) "connect() failed",
                    sizeof(ngx_http_lago_webhook_redis_io_detail));
        *detail = (const char *) ngx_http_lago_webhook_redis_io_detail;

        if (io->peer.connection) {
            ngx_close_connection(io->peer.connection);
        }

        redisReaderFree(io->reader);
        ngx_free(io);
        return NULL;
    }

    c = io->peer.connection;

    c->data = io;

    /* ngx_ssl_create_connection() allocates from it */

    c->pool = ngx_create_pool(128, log);
    if (c->pool == NULL) {
        ngx_close_connection(c);
        redisReaderFree(io->reader);
        ngx_free(io);
        return NULL;
    }

    c->read->handler = ngx_http_lago_webhook_redis_io_read;
    c->write->handler = ngx_http_lago_webhook_redis_io_connecting;

    ngx_log_debug2(NGX_LOG_DEBUG_EVENT, log, 0,
                   "lago_webhook redis: connecting to %V, fd:%d",
                   conf->name, c->fd);

    if (rc == NGX_OK) {
        /* a unix socket may be connected at once: go on after this turn */
        ngx_post_event(c->write, &ngx_posted_events);
    }

    return io;
}


static void
ngx_http_lago_webhook_redis_io_quiet(ngx_log_t *log, ngx_uint_t level,
    u_char *buf, size_t len)
{
    u_char                            *p, *last;
    ngx_log_t                         *real;
    ngx_http_lago_webhook_redis_io_t  *io;

    io = (ngx_http_lago_webhook_redis_io_t *)
         ((u_char *) log - offsetof(ngx_http_lago_webhook_redis_io_t,
                                    quiet_log));
    real = log->wdata;

    if (level == NGX_LOG_ERR || level == NGX_LOG_CRIT) {

        /* "<time> [<level>] <pid>#<tid>: [*<n> ]<message>\n" */

        last = buf + len;

        while (last > buf && (last[-1] == LF || last[-1] == CR)) {
            last--;
        }

        p = ngx_strlchr(buf, last, '#');
        p = p ? ngx_strlchr(p, last, ' ') : NULL;
        p = p ? p + 1 : buf;

        if (p < last && *p == '*') {
            p = ngx_strlchr(p, last, ' ');
            p = p ? p + 1 : last;
        }

        len = ngx_min((size_t) (last - p), sizeof(io->error) - 1);
        ngx_memcpy(io->error, p, len);
        io->error[len] = '\0';

        return;
    }

    if (real->writer) {
        real->writer(real, level, buf, len);
        return;
    }

    (void) ngx_write_fd(real->file->fd, buf, len);
}


/* nginx's own word on what went wrong, when it had one, is the detail */

static void
ngx_http_lago_webhook_redis_io_fail(ngx_http_lago_webhook_redis_io_t *io,
    const char *what, const char *detail)
{
    io->handler.failed(io->handler.data, what,
                       io->error[0] ? (const char *) io->error : detail);
}


/* the first writable event: connect(2) finished, one way or the other */

static void
ngx_http_lago_webhook_redis_io_connecting(ngx_event_t *wev)
{
    int                                err;
    socklen_t                          len;
    ngx_connection_t                  *c;
    ngx_http_lago_webhook_redis_io_t  *io;

    c = wev->data;
    io = c->data;

    err = 0;
    len = sizeof(int);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, (void *) &err, &len) == -1) {
        err = ngx_socket_errno;
    }

    if (err) {
        ngx_http_lago_webhook_redis_io_fail(io, "could not be reached",
                                            strerror(err));
        return;
    }

    c->write->handler = ngx_http_lago_webhook_redis_io_write_handler;

#if (NGX_SSL)
    if (io->conf.ssl) {
        ngx_http_lago_webhook_redis_io_ssl_start(io);
        return;
    }
#endif

    ngx_http_lago_webhook_redis_io_up(io);
}


static void
ngx_http_lago_webhook_redis_io_up(ngx_http_lago_webhook_redis_io_t *io)
{
    ngx_connection_t  *c;

    c = io->peer.connection;

    io->connected = 1;

    ngx_log_debug0(NGX_LOG_DEBUG_EVENT, io->log, 0,
                   "lago_webhook redis: connected");

    c->read->handler = ngx_http_lago_webhook_redis_io_read;
    c->write->handler = ngx_http_lago_webhook_redis_io_write_handler;

    io->handler.connected(io->handler.data);

    /* what was queued while connecting; then whatever is there to read */

    if (io->out_pos < io->out_last && c->write->ready && !c->write->posted) {
        ngx_post_event(c->write, &ngx_posted_events);
    }

    if (c->read->ready && !c->read->posted) {
        ngx_post_event(c->read, &ngx_posted_events);
    }
}


#if (NGX_SSL)

static void
ngx_http_lago_webhook_redis_io_ssl_start(ngx_http_lago_webhook_redis_io_t *io)
{
    ngx_int_t          rc;
    ngx_connection_t  *c;

    c = io->peer.connection;

    if (ngx_ssl_create_connection(io->conf.ssl, c, NGX_SSL_CLIENT) != NGX_OK)
    {
        ngx_http_lago_webhook_redis_io_fail(io, "TLS failed",
                                            "could not make a TLS connection");
        return;
    }

    /* a handshake alert (no client certificate...) logged as an error */
    c->log_error = NGX_ERROR_ERR;

    /* SNI names a host: an address is not sent (RFC 6066, section 3) */

    if (!ngx_http_lago_webhook_redis_io_is_address(io->conf.ssl_name)
        && SSL_set_tlsext_host_name(c->ssl->connection,
                                    (char *) io->conf.ssl_name->data)
           == 0)
    {
        ngx_http_lago_webhook_redis_io_fail(io, "TLS failed",
                                       "SSL_set_tlsext_host_name() failed");
        return;
    }

    if (io->conf.ssl_session) {
        if (ngx_ssl_set_session(c, *io->conf.ssl_session) != NGX_OK) {
            ngx_http_lago_webhook_redis_io_fail(io, "TLS failed",
                                          "could not reuse the TLS session");
            return;
        }

        c->ssl->save_session = ngx_http_lago_webhook_redis_io_save_session;
    }

    rc = ngx_ssl_handshake(c);

    if (rc == NGX_AGAIN) {
        c->ssl->handler = ngx_http_lago_webhook_redis_io_ssl_done;
        return;
    }

    ngx_http_lago_webhook_redis_io_ssl_done(c);
}


/*
 * The handshake is over.  A certificate that does not verify, or does not
 * name the server, fails the connection: never plaintext, never an
 * unverified channel unless lago_webhook_redis_ssl_verify is off.
 */

static void
ngx_http_lago_webhook_redis_io_ssl_done(ngx_connection_t *c)
{
    long                               rc;
    ngx_http_lago_webhook_redis_io_t  *io;

    io = c->data;

    if (!c->ssl->handshaked) {
        ngx_http_lago_webhook_redis_io_fail(io, "TLS handshake failed",
                                            NULL);
        return;
    }

    if (io->conf.ssl_verify) {
        rc = SSL_get_verify_result(c->ssl->connection);

        if (rc != X509_V_OK) {
            ngx_http_lago_webhook_redis_io_fail(io,
                                     "presented a certificate that does not "
                                     "verify",
                                     X509_verify_cert_error_string(rc));
            return;
        }

        if (ngx_http_lago_webhook_redis_io_check_name(c, io->conf.ssl_name)
            != NGX_OK)
        {
            ngx_http_lago_webhook_redis_io_fail(io,
                                    "presented a certificate for another name",
                                    (const char *) io->conf.ssl_name->data);
            return;
        }
    }

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, io->log, 0,
                   "lago_webhook redis: TLS up, session reused: %d",
                   SSL_session_reused(c->ssl->connection));

    ngx_http_lago_webhook_redis_io_up(io);
}


static ngx_uint_t
ngx_http_lago_webhook_redis_io_is_address(ngx_str_t *name)
{
    return ngx_inet_addr(name->data, name->len) != INADDR_NONE
           || ngx_strlchr(name->data, name->data + name->len, ':') != NULL;
}


/*
 * The certificate must name the server: a host name as nginx's proxy
 * checks it, an address (lago_webhook_redis 127.0.0.1:6379, the default
 * name) against the certificate's IP addresses.
 */

static ngx_int_t
ngx_http_lago_webhook_redis_io_check_name(ngx_connection_t *c,
    ngx_str_t *name)
{
    int    rc;
    X509  *cert;

    if (!ngx_http_lago_webhook_redis_io_is_address(name)) {
        return ngx_ssl_check_host(c, name);
    }

    cert = SSL_get1_peer_certificate(c->ssl->connection);
    if (cert == NULL) {
        return NGX_ERROR;
    }

    rc = X509_check_ip_asc(cert, (const char *) name->data, 0);

    X509_free(cert);

    return rc == 1 ? NGX_OK : NGX_ERROR;
}


/* a session the server gave (TLS 1.3 sends it after the handshake) */

static void
ngx_http_lago_webhook_redis_io_save_session(ngx_connection_t *c)
{
    ngx_ssl_session_t                 *session;
    ngx_http_lago_webhook_redis_io_t  *io;

    io = c->data;

    session = ngx_ssl_get_session(c);
    if (session == NULL) {
        return;
    }

    if (*io->conf.ssl_session) {
        ngx_ssl_free_session(*io->conf.ssl_session);
    }

    *io->conf.ssl_session = session;
}

#endif


ngx_int_t
ngx_http_lago_webhook_redis_io_connect(ngx_http_lago_webhook_redis_io_t **io,
    ngx_http_lago_webhook_redis_io_conf_t *conf,
    ngx_http_lago_webhook_redis_io_handler_t *handler, ngx_log_t *log,
    const char **detail)
{
    int          argc;
    size_t       argvlen[3];
    const char  *argv[3];

    *io = ngx_http_lago_webhook_redis_io_open(conf, handler, log, detail);
    if (*io == NULL) {
        return NGX_DECLINED;
    }

    if (conf->password == NULL || conf->password->len == 0) {
        return NGX_OK;
    }

    argc = 0;
    argv[argc] = "AUTH";
    argvlen[argc++] = sizeof("AUTH") - 1;

    if (conf->user && conf->user->len) {
        argv[argc] = (const char *) conf->user->data;
        argvlen[argc++] = conf->user->len;
    }

    argv[argc] = (const char *) conf->password->data;
    argvlen[argc++] = conf->password->len;

    if (ngx_http_lago_webhook_redis_io_send(*io, argc, argv, argvlen)
        != NGX_OK)
    {
        ngx_http_lago_webhook_redis_io_close(*io);
        *io = NULL;
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_lago_webhook_redis_io_address(u_char *ip, size_t len, in_port_t port,
    ngx_sockaddr_t *sockaddr, ngx_addr_t *addr, u_char *text)
{
    in_addr_t  inaddr;

    ngx_memzero(sockaddr, sizeof(ngx_sockaddr_t));

    inaddr = ngx_inet_addr(ip, len);

    if (inaddr != INADDR_NONE) {
        sockaddr->sockaddr_in.sin_family = AF_INET;
        sockaddr->sockaddr_in.sin_addr.s_addr = inaddr;
        addr->socklen = sizeof(struct sockaddr_in);

#if (NGX_HAVE_INET6)
    } else if (ngx_inet6_addr(ip, len,
                              sockaddr->sockaddr_in6.sin6_addr.s6_addr)
               == NGX_OK)
    {
        sockaddr->sockaddr_in6.sin6_family = AF_INET6;
        addr->socklen = sizeof(struct sockaddr_in6);
#endif

    } else {
        return NGX_ERROR;
    }

    ngx_inet_set_port(&sockaddr->sockaddr, port);

    addr->sockaddr = &sockaddr->sockaddr;
    addr->name.data = text;
    addr->name.len = ngx_sock_ntop(addr->sockaddr, addr->socklen, text,
                                   NGX_SOCKADDR_STRLEN, 1);

    return NGX_OK;
}


ngx_int_t
ngx_http_lago_webhook_redis_io_write(ngx_http_lago_webhook_redis_io_t *io,
    u_char *data, size_t len)
{
    u_char            *out;
    size_t             size, queued;
    ngx_connection_t  *c;

    if ((size_t) (io->out_end - io->out_last) < len) {
        queued = io->out_last - io->out_pos;

        if (io->out_pos > io->out
            && (size_t) (io->out_end - io->out) >= queued + len)
        {
            ngx_memmove(io->out, io->out_pos, queued);

        } else {
            size = io->out ? (size_t) (io->out_end - io->out)
                           : NGX_HTTP_LAGO_WEBHOOK_REDIS_OUT;

            while (size < queued + len) {
                size *= 2;
            }

            out = ngx_alloc(size, io->log);
            if (out == NULL) {
                return NGX_ERROR;
            }

            ngx_memcpy(out, io->out_pos, queued);
            ngx_free(io->out);

            io->out = out;
            io->out_end = out + size;
        }

        io->out_pos = io->out;
        io->out_last = io->out + queued;
    }

    io->out_last = ngx_cpymem(io->out_last, data, len);

    c = io->peer.connection;

    /* not ready: a write is waiting for the socket, and its event comes */

    if (io->connected && c->write->ready && !c->write->posted) {
        ngx_post_event(c->write, &ngx_posted_events);
    }

    return NGX_OK;
}


/* a command in RESP: an array of bulk strings */

size_t
ngx_http_lago_webhook_redis_io_command_len(int argc, const size_t *argvlen)
{
    int     i;
    size_t  n;

    n = sizeof("*\r\n") - 1 + NGX_INT_T_LEN;

    for (i = 0; i < argc; i++) {
        n += sizeof("$\r\n\r\n") - 1 + NGX_SIZE_T_LEN + argvlen[i];
    }

    return n;
}


u_char *
ngx_http_lago_webhook_redis_io_command(u_char *p, int argc, const char **argv,
    const size_t *argvlen)
{
    int  i;

    *p++ = '*';
    p = ngx_http_lago_webhook_decimal(p, (size_t) argc);
    *p++ = CR; *p++ = LF;

    for (i = 0; i < argc; i++) {
        *p++ = '$';
        p = ngx_http_lago_webhook_decimal(p, argvlen[i]);
        *p++ = CR; *p++ = LF;
        p = ngx_cpymem(p, argv[i], argvlen[i]);
        *p++ = CR; *p++ = LF;
    }

    return p;
}


ngx_int_t
ngx_http_lago_webhook_redis_io_send(ngx_http_lago_webhook_redis_io_t *io,
    int argc, const char **argv, const size_t *argvlen)
{
    u_char     *buf, *last;
    ngx_int_t   rc;

    buf = ngx_alloc(ngx_http_lago_webhook_redis_io_command_len(argc, argvlen),
                    io->log);
    if (buf == NULL) {
        return NGX_ERROR;
    }

    last = ngx_http_lago_webhook_redis_io_command(buf, argc, argv, argvlen);

    rc = ngx_http_lago_webhook_redis_io_write(io, buf, last - buf);

    ngx_free(buf);

    return rc;
}


static void
ngx_http_lago_webhook_redis_io_write_handler(ngx_event_t *wev)
{
    ngx_connection_t                  *c;
    ngx_http_lago_webhook_redis_io_t  *io;

    c = wev->data;
    io = c->data;

    if (!io->connected) {
        return;
    }

    if (ngx_http_lago_webhook_redis_io_flush(io) != NGX_OK) {

        /*
         * A server that refused us (a TLS alert: no client certificate)
         * said why before closing: read it, so that the failure names it
         * rather than the reset the write ran into.
         */

        (void) c->recv(c, ngx_http_lago_webhook_redis_io_buf,
                       NGX_HTTP_LAGO_WEBHOOK_REDIS_READ);

        ngx_http_lago_webhook_redis_io_fail(io, "closed the connection",
                                            "a write failed");
    }
}


/* sends what is queued, as far as the socket takes it */

static ngx_int_t
ngx_http_lago_webhook_redis_io_flush(ngx_http_lago_webhook_redis_io_t *io)
{
    ssize_t            n;
    ngx_connection_t  *c;

    c = io->peer.connection;

    while (io->out_pos < io->out_last) {
        n = c->send(c, io->out_pos, io->out_last - io->out_pos);

        if (n == NGX_AGAIN) {
            /* the write event comes back when the socket takes more */
            return ngx_handle_write_event(c->write, 0);
        }

        if (n == NGX_ERROR || n == 0) {
            return NGX_ERROR;
        }

        io->out_pos += n;
    }

    io->out_pos = io->out;
    io->out_last = io->out;

    return NGX_OK;
}


static void
ngx_http_lago_webhook_redis_io_read(ngx_event_t *rev)
{
    ssize_t                            n;
    ngx_connection_t                  *c;
    redisReply                        *reply;
    ngx_http_lago_webhook_redis_io_t  *io;

    c = rev->data;
    io = c->data;

    if (!io->connected) {
        return;
    }

    for ( ;; ) {
        n = c->recv(c, ngx_http_lago_webhook_redis_io_buf,
                    NGX_HTTP_LAGO_WEBHOOK_REDIS_READ);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == 0 || n == NGX_ERROR) {
            ngx_http_lago_webhook_redis_io_fail(io, "closed the connection",
                                           n == 0 ? NULL : "a read failed");
            return;
        }

        if (redisReaderFeed(io->reader,
                            (const char *) ngx_http_lago_webhook_redis_io_buf,
                            n)
            != REDIS_OK)
        {
            ngx_http_lago_webhook_redis_io_fail(io, "closed the connection",
                                                "out of memory");
            return;
        }

        io->pending += n;

        for ( ;; ) {
            reply = NULL;

            if (redisReaderGetReply(io->reader, (void **) &reply)
                != REDIS_OK)
            {
                ngx_http_lago_webhook_redis_io_fail(io, "broke the protocol",
                                                    io->reader->errstr);
                return;
            }

            if (reply == NULL) {
                break;
            }

            io->pending = io->reader->len - io->reader->pos;

            io->handler.reply(io->handler.data, reply);

            io->reader->fn->freeObject(reply);
        }

        /*
         * A peer that is not trusted to be sensible (a sentinel) must
         * not make the reader keep whatever it sends as one reply.
         */

        if (io->conf.max_reply && io->pending > io->conf.max_reply) {
            ngx_http_lago_webhook_redis_io_fail(io, "broke the protocol",
                                                "a reply too long");
            return;
        }
    }

    if (ngx_handle_read_event(rev, 0) != NGX_OK) {
        ngx_http_lago_webhook_redis_io_fail(io, "closed the connection",
                                            "could not watch the socket");
    }
}


void
ngx_http_lago_webhook_redis_io_close(ngx_http_lago_webhook_redis_io_t *io)
{
    ngx_pool_t        *pool;
    ngx_connection_t  *c;

    c = io->peer.connection;

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, io->log, 0,
                   "lago_webhook redis: closing fd:%d", c->fd);

#if (NGX_SSL)
    if (c->ssl) {
        /* Redis needs no close_notify, and nothing is waited for */
        c->ssl->no_wait_shutdown = 1;
        c->ssl->no_send_shutdown = 1;
        (void) ngx_ssl_shutdown(c);
    }
#endif

    pool = c->pool;

    ngx_close_connection(c);

    if (pool) {
        ngx_destroy_pool(pool);
    }

    redisReaderFree(io->reader);
    ngx_free(io->out);
    ngx_free(io);
}
