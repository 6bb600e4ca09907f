
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The lago_webhook_redis* settings: the handlers of the directives that
 * need more than nginx's slot setters, the defaults, the checks across
 * settings, and the TLS context.  Names are resolved here, when the
 * configuration is read: a worker never resolves names.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook_redis.h"


static ngx_http_lago_webhook_redis_conf_t *ngx_http_lago_webhook_redis_mode(
    ngx_command_t *cmd, void *conf, char **rv);
static char *ngx_http_lago_webhook_redis_taken(
    ngx_http_lago_webhook_redis_conf_t *rcf, ngx_command_t *cmd);
static char *ngx_http_lago_webhook_redis_address(ngx_conf_t *cf,
    ngx_http_lago_webhook_redis_conf_t *rcf, ngx_str_t *value);
static char *ngx_http_lago_webhook_redis_addresses(ngx_conf_t *cf,
    ngx_addr_t **addrs, ngx_uint_t *naddrs, ngx_uint_t first,
    in_port_t default_port);
#if (NGX_SSL)
static ngx_int_t ngx_http_lago_webhook_redis_ssl(ngx_conf_t *cf,
    ngx_http_lago_webhook_redis_conf_t *rcf);
#endif


ngx_conf_num_bounds_t  ngx_http_lago_webhook_redis_db_bounds = {
    ngx_conf_check_num_bounds, 0, 65535
};


#if (NGX_SSL)

ngx_conf_bitmask_t  ngx_http_lago_webhook_redis_ssl_protocols[] = {
    { ngx_string("SSLv2"), NGX_SSL_SSLv2 },
    { ngx_string("SSLv3"), NGX_SSL_SSLv3 },
    { ngx_string("TLSv1"), NGX_SSL_TLSv1 },
    { ngx_string("TLSv1.1"), NGX_SSL_TLSv1_1 },
    { ngx_string("TLSv1.2"), NGX_SSL_TLSv1_2 },
    { ngx_string("TLSv1.3"), NGX_SSL_TLSv1_3 },
    { ngx_null_string, 0 }
};

#endif


void
ngx_http_lago_webhook_redis_create_conf(
    ngx_http_lago_webhook_redis_conf_t *rcf)
{
    /*
     * zeroed with the main configuration:
     *
     *     rcf->name = { 0, NULL };
     *     rcf->addr = { NULL, 0, { 0, NULL } };
     *     rcf->host = { 0, NULL };
     *     rcf->sentinel = { { 0, NULL }, NULL, 0, { 0, NULL }, 0 };
     *     rcf->seeds = NULL;
     *     rcf->nseeds = 0;
     *     rcf->user = { 0, NULL };
     *     rcf->password = { 0, NULL };
     *     rcf->prefix = { 0, NULL };
     *     rcf->ssl_protocols = 0;
     *     rcf->ssl_name = { 0, NULL };
     *     rcf->ssl_ctx = NULL;
     */

    rcf->db = NGX_CONF_UNSET;
    rcf->wait_replicas = NGX_CONF_UNSET_UINT;
    rcf->wait_timeout = NGX_CONF_UNSET_MSEC;
    rcf->connect_timeout = NGX_CONF_UNSET_MSEC;
    rcf->timeout = NGX_CONF_UNSET_MSEC;
    rcf->ssl = NGX_CONF_UNSET;
    rcf->ssl_verify = NGX_CONF_UNSET;
    rcf->ssl_session_reuse = NGX_CONF_UNSET;
}


char *
ngx_http_lago_webhook_redis_init_conf(ngx_conf_t *cf,
    ngx_http_lago_webhook_redis_conf_t *rcf)
{
    if (rcf->prefix.data == NULL) {
        ngx_str_set(&rcf->prefix, "lago:");
    }

    ngx_conf_init_value(rcf->db, 0);
    ngx_conf_init_msec_value(rcf->connect_timeout, 1000);
    ngx_conf_init_msec_value(rcf->timeout, 2000);

    ngx_conf_init_uint_value(rcf->wait_replicas, 0);
    ngx_conf_init_msec_value(rcf->wait_timeout, 0);

    /*
     * WAIT holds up every command pipelined behind it: it must give up
     * before those commands' own timeout would drop the connection.
     */

    if (rcf->wait_replicas && rcf->wait_timeout >= rcf->timeout) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "the timeout of lago_webhook_redis_wait (%M ms) "
                           "must be less than lago_webhook_redis_timeout "
                           "(%M ms)", rcf->wait_timeout, rcf->timeout);
        return NGX_CONF_ERROR;
    }

    if (rcf->sentinel.nsentinels == 0 && rcf->sentinel.password.len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "lago_webhook_redis_sentinel_password needs "
                           "lago_webhook_redis_sentinel");
        return NGX_CONF_ERROR;
    }

    if (rcf->nseeds && rcf->db != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "lago_webhook_redis_db %i cannot be used with "
                           "lago_webhook_redis_cluster: Redis Cluster has "
                           "database 0 only", rcf->db);
        return NGX_CONF_ERROR;
    }

    /* each sentinel is given as long to connect and answer */
    rcf->sentinel.timeout = rcf->connect_timeout;

    if (rcf->addr.sockaddr == NULL && rcf->sentinel.nsentinels == 0
        && rcf->nseeds == 0)
    {
        ngx_str_t  value = ngx_string("127.0.0.1:6379");

        if (ngx_http_lago_webhook_redis_address(cf, rcf, &value)
            != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    ngx_conf_init_value(rcf->ssl, 0);
    ngx_conf_init_value(rcf->ssl_verify, 1);
    ngx_conf_init_value(rcf->ssl_session_reuse, 1);

#if (NGX_SSL)

    if (rcf->ssl_protocols == 0) {
        rcf->ssl_protocols = NGX_CONF_BITMASK_SET|NGX_SSL_TLSv1_2
                             |NGX_SSL_TLSv1_3;
    }

    if (rcf->ssl && ngx_http_lago_webhook_redis_ssl(cf, rcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

#endif

    return NGX_CONF_OK;
}


/* "host:port" or "unix:/path" */

char *
ngx_http_lago_webhook_redis_set_address(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char                                *rv;
    ngx_str_t                           *value;
    ngx_http_lago_webhook_redis_conf_t  *rcf;

    rcf = ngx_http_lago_webhook_redis_mode(cmd, conf, &rv);
    if (rcf == NULL) {
        return rv;
    }

    value = cf->args->elts;

    return ngx_http_lago_webhook_redis_address(cf, rcf, &value[1]);
}


/*
 * "master_name address ...": the sentinels, each "host[:port]" (26379 by
 * default), resolved here as lago_webhook_redis's address is.  The
 * master's own address comes from them, in the worker, each time it
 * connects.
 */

char *
ngx_http_lago_webhook_redis_set_sentinel(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char                                *rv;
    ngx_str_t                           *value;
    ngx_http_lago_webhook_redis_conf_t  *rcf;

    rcf = ngx_http_lago_webhook_redis_mode(cmd, conf, &rv);
    if (rcf == NULL) {
        return rv;
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        return "has an empty master name";
    }

    rcf->name = value[1];
    rcf->sentinel.master = value[1];

    return ngx_http_lago_webhook_redis_addresses(cf, &rcf->sentinel.sentinels,
                                                 &rcf->sentinel.nsentinels, 2,
                                                 26379);
}


/*
 * "address ...": a Redis Cluster's nodes to learn the slots from, each
 * "host[:port]" (6379 by default).  Any one of them that answers will
 * do; the masters' addresses come from Cluster itself, in the worker.
 */

char *
ngx_http_lago_webhook_redis_set_cluster(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char                                *rv;
    ngx_http_lago_webhook_redis_conf_t  *rcf;

    rcf = ngx_http_lago_webhook_redis_mode(cmd, conf, &rv);
    if (rcf == NULL) {
        return rv;
    }

    ngx_str_set(&rcf->name, "cluster");

    return ngx_http_lago_webhook_redis_addresses(cf, &rcf->seeds,
                                                 &rcf->nseeds, 1, 6379);
}


/* "number timeout" or "off" */

char *
ngx_http_lago_webhook_redis_set_wait(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_lago_webhook_redis_conf_t *rcf = (void *) ((char *) conf
                                                        + cmd->offset);

    ngx_int_t   n;
    ngx_str_t  *value;

    if (rcf->wait_replicas != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2) {
        if (ngx_strcmp(value[1].data, "off") != 0) {
            return "takes \"off\" or a number of replicas and a timeout";
        }

        rcf->wait_replicas = 0;
        return NGX_CONF_OK;
    }

    n = ngx_atoi(value[1].data, value[1].len);

    if (n < 1 || n > 1000) {
        return "has an invalid number of replicas (1 to 1000)";
    }

    rcf->wait_replicas = n;

    rcf->wait_timeout = ngx_parse_time(&value[2], 0);

    /* WAIT's 0 would wait for ever */

    if (rcf->wait_timeout == (ngx_msec_t) NGX_ERROR
        || rcf->wait_timeout == 0)
    {
        return "has an invalid timeout (at least 1ms)";
    }

    return NGX_CONF_OK;
}


/*
 * One Redis, Sentinel's master or a Cluster: one of the three, once.  The
 * settings, or NULL and why not in *rv.
 */

static ngx_http_lago_webhook_redis_conf_t *
ngx_http_lago_webhook_redis_mode(ngx_command_t *cmd, void *conf, char **rv)
{
    ngx_http_lago_webhook_redis_conf_t  *rcf;

    rcf = (void *) ((char *) conf + cmd->offset);

    *rv = ngx_http_lago_webhook_redis_taken(rcf, cmd);

    return (*rv == NGX_CONF_OK) ? rcf : NULL;
}


static char *
ngx_http_lago_webhook_redis_taken(ngx_http_lago_webhook_redis_conf_t *rcf,
    ngx_command_t *cmd)
{
    ngx_uint_t  is_redis, is_sentinel;

    is_redis = (cmd->name.len == sizeof("lago_webhook_redis") - 1);
    is_sentinel = (cmd->name.len == sizeof("lago_webhook_redis_sentinel") - 1);

    if (rcf->addr.sockaddr) {
        return is_redis ? "is duplicate"
               : is_sentinel ? "cannot be used with \"lago_webhook_redis\": "
                               "one Redis, or the master the sentinels name"
               : "cannot be used with \"lago_webhook_redis\": one Redis, "
                 "or a Cluster";
    }

    if (rcf->sentinel.nsentinels) {
        return is_sentinel ? "is duplicate"
               : is_redis ? "cannot be used with "
                            "\"lago_webhook_redis_sentinel\": one Redis, or "
                            "the master the sentinels name"
               : "cannot be used with \"lago_webhook_redis_sentinel\": the "
                 "master the sentinels name, or a Cluster";
    }

    if (rcf->nseeds) {
        return (!is_redis && !is_sentinel) ? "is duplicate"
               : is_redis ? "cannot be used with "
                            "\"lago_webhook_redis_cluster\": one Redis, or "
                            "a Cluster"
               : "cannot be used with \"lago_webhook_redis_cluster\": the "
                 "master the sentinels name, or a Cluster";
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_lago_webhook_redis_address(ngx_conf_t *cf,
    ngx_http_lago_webhook_redis_conf_t *rcf, ngx_str_t *value)
{
    ngx_url_t  u;

    rcf->name = *value;

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url = *value;
    u.default_port = 6379;

    if (ngx_parse_url(cf->pool, &u) != NGX_OK) {
        if (u.err) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%s in lago_webhook_redis \"%V\"",
                               u.err, &u.url);
        }

        return NGX_CONF_ERROR;
    }

    if (u.naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "lago_webhook_redis \"%V\" has no address",
                           &u.url);
        return NGX_CONF_ERROR;
    }

    rcf->addr = u.addrs[0];

    if (u.family == AF_UNIX) {
        ngx_str_set(&rcf->host, "localhost");

    } else {
        rcf->host = u.host;
    }

    return NGX_CONF_OK;
}


/*
 * The directive's addresses from argument first on, resolved here as
 * lago_webhook_redis's is; a name with several addresses gives each.
 */

static char *
ngx_http_lago_webhook_redis_addresses(ngx_conf_t *cf, ngx_addr_t **addrs,
    ngx_uint_t *naddrs, ngx_uint_t first, in_port_t default_port)
{
    ngx_str_t    *value;
    ngx_url_t     u;
    ngx_uint_t    i, j;
    ngx_addr_t   *addr;
    ngx_array_t  *a;

    value = cf->args->elts;

    a = ngx_array_create(cf->pool, cf->args->nelts - first,
                         sizeof(ngx_addr_t));
    if (a == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = first; i < cf->args->nelts; i++) {
        ngx_memzero(&u, sizeof(ngx_url_t));

        u.url = value[i];
        u.default_port = default_port;

        if (ngx_parse_url(cf->pool, &u) != NGX_OK) {
            if (u.err) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s in \"%V\" of "
                                   "\"%V\"", u.err, &u.url, &value[0]);
            }

            return NGX_CONF_ERROR;
        }

        if (u.naddrs == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\" of \"%V\" has "
                               "no address", &u.url, &value[0]);
            return NGX_CONF_ERROR;
        }

        for (j = 0; j < u.naddrs; j++) {
            addr = ngx_array_push(a);
            if (addr == NULL) {
                return NGX_CONF_ERROR;
            }

            *addr = u.addrs[j];
        }
    }

    *addrs = a->elts;
    *naddrs = a->nelts;

    return NGX_CONF_OK;
}


#if (NGX_SSL)

/*
 * The TLS context, as proxy_ssl_* makes it: the protocols, the trusted
 * CAs (required while verification is on: a store that holds API keys
 * is not reached over an unverified channel), a client certificate, and
 * a client session cache for lago_webhook_redis_ssl_session_reuse.
 */

static ngx_int_t
ngx_http_lago_webhook_redis_ssl(ngx_conf_t *cf,
    ngx_http_lago_webhook_redis_conf_t *rcf)
{
    ngx_pool_cleanup_t  *cln;

    rcf->ssl_ctx = ngx_pcalloc(cf->pool, sizeof(ngx_ssl_t));
    if (rcf->ssl_ctx == NULL) {
        return NGX_ERROR;
    }

    rcf->ssl_ctx->log = cf->log;

    if (ngx_ssl_create(rcf->ssl_ctx, rcf->ssl_protocols, NULL) != NGX_OK) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ngx_ssl_cleanup_ctx(rcf->ssl_ctx);
        return NGX_ERROR;
    }

    cln->handler = ngx_ssl_cleanup_ctx;
    cln->data = rcf->ssl_ctx;

    if (rcf->ssl_certificate.len) {

        if (rcf->ssl_certificate_key.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "no lago_webhook_redis_ssl_certificate_key "
                               "for lago_webhook_redis_ssl_certificate "
                               "\"%V\"", &rcf->ssl_certificate);
            return NGX_ERROR;
        }

        if (ngx_ssl_certificate(cf, rcf->ssl_ctx, &rcf->ssl_certificate,
                                &rcf->ssl_certificate_key, NULL)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (rcf->ssl_verify) {

        if (rcf->ssl_trusted_certificate.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "no lago_webhook_redis_ssl_trusted_certificate "
                               "for lago_webhook_redis_ssl_verify (on by "
                               "default with lago_webhook_redis_ssl)");
            return NGX_ERROR;
        }

        if (ngx_ssl_trusted_certificate(cf, rcf->ssl_ctx,
                                        &rcf->ssl_trusted_certificate, 9)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (ngx_ssl_client_session_cache(cf, rcf->ssl_ctx,
                                     rcf->ssl_session_reuse)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /*
     * TLS takes the name as a C string: a directive's argument ends in a
     * NUL, the host part of an address does not.
     */

    if (rcf->ssl_name.len == 0 && rcf->host.len) {
        rcf->ssl_name.data = ngx_pnalloc(cf->pool, rcf->host.len + 1);
        if (rcf->ssl_name.data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(rcf->ssl_name.data, rcf->host.data, rcf->host.len);
        rcf->ssl_name.data[rcf->host.len] = '\0';
        rcf->ssl_name.len = rcf->host.len;
    }

    return NGX_OK;
}

#endif
