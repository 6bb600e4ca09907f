
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * ngx_http_lago_webhook_module: Lago's Webhook Endpoints API served from
 * nginx, with Redis as the store.
 *
 * This file holds the module's tables, its directives and configuration,
 * and the worker hooks.  A request starts in ngx_http_lago_webhook_handler()
 * (src/api/ngx_http_lago_webhook_handler.c); the README's "Code map" lists the
 * files in the order a request meets them.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_exit.h"
#include "ngx_http_lago_webhook_handler.h"
#include "ngx_http_lago_webhook_key_cache.h"
#include "ngx_http_lago_webhook_metrics.h"
#include "ngx_http_lago_webhook_public_key.h"
#include "ngx_http_lago_webhook_redis.h"
#include "ngx_http_lago_webhook_request_body.h"
#include "ngx_http_lago_webhook_store.h"
#include "lago_webhook_uuid.h"


static ngx_int_t ngx_http_lago_webhook_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_lago_webhook_init(ngx_conf_t *cf);
static void *ngx_http_lago_webhook_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_lago_webhook_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_lago_webhook_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_lago_webhook_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static char *ngx_http_lago_webhook(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_lago_webhook_redis_address(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_lago_webhook_redis_address_set(ngx_conf_t *cf,
    ngx_http_lago_webhook_main_conf_t *lmcf, ngx_str_t *value);
static char *ngx_http_lago_webhook_redis_sentinel(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_lago_webhook_redis_cluster(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_lago_webhook_redis_addresses(ngx_conf_t *cf,
    ngx_array_t **addrs, ngx_uint_t first, in_port_t default_port);
static char *ngx_http_lago_webhook_redis_mode(
    ngx_http_lago_webhook_main_conf_t *lmcf, ngx_command_t *cmd);
static char *ngx_http_lago_webhook_redis_wait(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
#if (NGX_SSL)
static ngx_int_t ngx_http_lago_webhook_redis_ssl(ngx_conf_t *cf,
    ngx_http_lago_webhook_main_conf_t *lmcf);
#endif
static char *ngx_http_lago_webhook_metrics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_lago_webhook_health(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_lago_webhook_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_lago_webhook_init_process(ngx_cycle_t *cycle);
static void ngx_http_lago_webhook_exit_process(ngx_cycle_t *cycle);


#if (NGX_SSL)

static ngx_conf_bitmask_t  ngx_http_lago_webhook_ssl_protocols[] = {
    { ngx_string("SSLv2"), NGX_SSL_SSLv2 },
    { ngx_string("SSLv3"), NGX_SSL_SSLv3 },
    { ngx_string("TLSv1"), NGX_SSL_TLSv1 },
    { ngx_string("TLSv1.1"), NGX_SSL_TLSv1_1 },
    { ngx_string("TLSv1.2"), NGX_SSL_TLSv1_2 },
    { ngx_string("TLSv1.3"), NGX_SSL_TLSv1_3 },
    { ngx_null_string, 0 }
};

#endif


static ngx_conf_num_bounds_t  ngx_http_lago_webhook_max_endpoints_bounds = {
    ngx_conf_check_num_bounds, 1, 10000000
};

static ngx_conf_num_bounds_t  ngx_http_lago_webhook_key_cache_size_bounds = {
    ngx_conf_check_num_bounds, 0, 16777216
};

static ngx_conf_num_bounds_t  ngx_http_lago_webhook_db_bounds = {
    ngx_conf_check_num_bounds, 0, 65535
};


static ngx_command_t  ngx_http_lago_webhook_commands[] = {

    { ngx_string("lago_webhook"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_lago_webhook,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("lago_webhook_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_lago_webhook_redis_address,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("lago_webhook_redis_sentinel"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_lago_webhook_redis_sentinel,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("lago_webhook_redis_cluster"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_lago_webhook_redis_cluster,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("lago_webhook_redis_sentinel_password"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, sentinel_password),
      NULL },

    { ngx_string("lago_webhook_redis_wait"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_lago_webhook_redis_wait,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("lago_webhook_redis_prefix"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, prefix),
      NULL },

    { ngx_string("lago_webhook_redis_password"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis_password),
      NULL },

    { ngx_string("lago_webhook_redis_user"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis_user),
      NULL },

    { ngx_string("lago_webhook_redis_db"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis_db),
      &ngx_http_lago_webhook_db_bounds },

    { ngx_string("lago_webhook_redis_connect_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, connect_timeout),
      NULL },

    { ngx_string("lago_webhook_redis_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, timeout),
      NULL },

#if (NGX_SSL)

    { ngx_string("lago_webhook_redis_ssl"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, ssl),
      NULL },

    { ngx_string("lago_webhook_redis_ssl_verify"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, ssl_verify),
      NULL },

    { ngx_string("lago_webhook_redis_ssl_session_reuse"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, ssl_session_reuse),
      NULL },

    { ngx_string("lago_webhook_redis_ssl_protocols"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_conf_set_bitmask_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, ssl_protocols),
      &ngx_http_lago_webhook_ssl_protocols },

    { ngx_string("lago_webhook_redis_ssl_name"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, ssl_name),
      NULL },

    { ngx_string("lago_webhook_redis_ssl_trusted_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, ssl_trusted_certificate),
      NULL },

    { ngx_string("lago_webhook_redis_ssl_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, ssl_certificate),
      NULL },

    { ngx_string("lago_webhook_redis_ssl_certificate_key"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, ssl_certificate_key),
      NULL },

#endif

    { ngx_string("lago_webhook_key_cache_ttl"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, key_cache_ttl),
      NULL },

    { ngx_string("lago_webhook_key_cache_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, key_cache_size),
      &ngx_http_lago_webhook_key_cache_size_bounds },

    { ngx_string("lago_webhook_max_endpoints"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_loc_conf_t, max_endpoints),
      &ngx_http_lago_webhook_max_endpoints_bounds },

    { ngx_string("lago_webhook_max_value_length"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_loc_conf_t, max_value_length),
      NULL },

    { ngx_string("lago_webhook_public_key"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_loc_conf_t, public_key_file),
      NULL },

    { ngx_string("lago_webhook_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_lago_webhook_metrics,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("lago_webhook_health"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_lago_webhook_health,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_lago_webhook_module_ctx = {
    ngx_http_lago_webhook_preconfiguration, /* preconfiguration */
    ngx_http_lago_webhook_init,            /* postconfiguration */

    ngx_http_lago_webhook_create_main_conf, /* create main configuration */
    ngx_http_lago_webhook_init_main_conf,  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_lago_webhook_create_loc_conf, /* create location configuration */
    ngx_http_lago_webhook_merge_loc_conf   /* merge location configuration */
};


ngx_module_t  ngx_http_lago_webhook_module = {
    NGX_MODULE_V1,
    &ngx_http_lago_webhook_module_ctx,     /* module context */
    ngx_http_lago_webhook_commands,        /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_http_lago_webhook_init_module,     /* init module */
    ngx_http_lago_webhook_init_process,    /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_lago_webhook_exit_process,    /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};

static void *
ngx_http_lago_webhook_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_lago_webhook_main_conf_t  *lmcf;

    lmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_lago_webhook_main_conf_t));
    if (lmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     lmcf->redis = { 0, NULL };
     *     lmcf->redis_addr = { NULL, 0, { 0, NULL } };
     *     lmcf->ssl_protocols = 0;
     *     lmcf->ssl_name = { 0, NULL };
     *     lmcf->prefix = { 0, NULL };
     *     lmcf->redis_password = { 0, NULL };
     *     lmcf->redis_user = { 0, NULL };
     *     lmcf->sentinel_master = { 0, NULL };
     *     lmcf->sentinels = NULL;
     *     lmcf->cluster = NULL;
     *     lmcf->sentinel_password = { 0, NULL };
     *     lmcf->enabled = 0;
     *     lmcf->metrics_zone = NULL;
     */

    lmcf->redis_db = NGX_CONF_UNSET;
    lmcf->connect_timeout = NGX_CONF_UNSET_MSEC;
    lmcf->timeout = NGX_CONF_UNSET_MSEC;
    lmcf->key_cache_ttl = NGX_CONF_UNSET_MSEC;
    lmcf->key_cache_size = NGX_CONF_UNSET;
    lmcf->ssl = NGX_CONF_UNSET;
    lmcf->ssl_verify = NGX_CONF_UNSET;
    lmcf->ssl_session_reuse = NGX_CONF_UNSET;
    lmcf->wait_replicas = NGX_CONF_UNSET_UINT;
    lmcf->wait_timeout = NGX_CONF_UNSET_MSEC;

    return lmcf;
}


static char *
ngx_http_lago_webhook_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_lago_webhook_main_conf_t  *lmcf = conf;

    if (lmcf->prefix.data == NULL) {
        ngx_str_set(&lmcf->prefix, "lago:");
    }

    ngx_conf_init_value(lmcf->redis_db, 0);
    ngx_conf_init_msec_value(lmcf->connect_timeout, 1000);
    ngx_conf_init_msec_value(lmcf->timeout, 2000);
    ngx_conf_init_msec_value(lmcf->key_cache_ttl, 5000);
    ngx_conf_init_value(lmcf->key_cache_size, 1024);

    ngx_conf_init_uint_value(lmcf->wait_replicas, 0);
    ngx_conf_init_msec_value(lmcf->wait_timeout, 0);

    /*
     * WAIT holds up every command pipelined behind it: it must give up
     * before those commands' own timeout would drop the connection.
     */

    if (lmcf->wait_replicas && lmcf->wait_timeout >= lmcf->timeout) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "the timeout of lago_webhook_redis_wait (%M ms) "
                           "must be less than lago_webhook_redis_timeout "
                           "(%M ms)", lmcf->wait_timeout, lmcf->timeout);
        return NGX_CONF_ERROR;
    }

    if (lmcf->sentinels == NULL && lmcf->sentinel_password.len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "lago_webhook_redis_sentinel_password needs "
                           "lago_webhook_redis_sentinel");
        return NGX_CONF_ERROR;
    }

    if (lmcf->cluster && lmcf->redis_db != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "lago_webhook_redis_db %i cannot be used with "
                           "lago_webhook_redis_cluster: Redis Cluster has "
                           "database 0 only", lmcf->redis_db);
        return NGX_CONF_ERROR;
    }

    if (lmcf->redis.data == NULL && lmcf->sentinels == NULL
        && lmcf->cluster == NULL)
    {
        ngx_str_t  value = ngx_string("127.0.0.1:6379");

        if (ngx_http_lago_webhook_redis_address_set(cf, lmcf, &value)
            != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    ngx_conf_init_value(lmcf->ssl, 0);
    ngx_conf_init_value(lmcf->ssl_verify, 1);
    ngx_conf_init_value(lmcf->ssl_session_reuse, 1);

#if (NGX_SSL)

    if (lmcf->ssl_protocols == 0) {
        lmcf->ssl_protocols = NGX_CONF_BITMASK_SET|NGX_SSL_TLSv1_2
                              |NGX_SSL_TLSv1_3;
    }

    if (lmcf->ssl && ngx_http_lago_webhook_redis_ssl(cf, lmcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

#endif

    return NGX_CONF_OK;
}


static void *
ngx_http_lago_webhook_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_lago_webhook_loc_conf_t  *llcf;

    llcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_lago_webhook_loc_conf_t));
    if (llcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     llcf->public_key_file = { 0, NULL };
     *     llcf->public_key = { 0, NULL };
     */

    llcf->enable = NGX_CONF_UNSET;
    llcf->max_endpoints = NGX_CONF_UNSET_UINT;
    llcf->max_value_length = NGX_CONF_UNSET_SIZE;
    llcf->max_body_size = NGX_CONF_UNSET;

    return llcf;
}


static char *
ngx_http_lago_webhook_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_lago_webhook_loc_conf_t *prev = parent;
    ngx_http_lago_webhook_loc_conf_t *conf = child;

    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    /*
     * An "if" or "limit_except" block in a location we serve is part of
     * it, but nginx gives a request in such a block the static module's
     * answers (or an unset body limit) unless the block has a content
     * handler of its own.  A real location nested in ours is a location
     * of its own: it is served by us only with lago_webhook in it.
     */

    if (conf->enable == NGX_CONF_UNSET && prev->enable == 1
        && clcf->noname && clcf->handler == NULL)
    {
        conf->enable = 1;
        clcf->handler = ngx_http_lago_webhook_handler;
    }

    ngx_conf_init_value(conf->enable, 0);
    ngx_conf_merge_uint_value(conf->max_endpoints, prev->max_endpoints, 10);
    ngx_conf_merge_size_value(conf->max_value_length, prev->max_value_length,
                              2048);

    if (conf->public_key_file.data == NULL) {
        conf->public_key_file = prev->public_key_file;
        conf->public_key = prev->public_key;
    }

    /* a key set at the http level is never merged itself: load it here */

    if (conf->public_key_file.data && conf->public_key.len == 0
        && ngx_http_lago_webhook_public_key_load(cf, conf) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    /*
     * nginx answers a body over client_max_body_size with its own HTML
     * page before any handler runs.  The core module is merged before us:
     * in a location we serve, take its final limit over and enforce it
     * with a JSON 413 instead.
     */

    if (clcf->handler == ngx_http_lago_webhook_handler
        && conf->max_body_size == NGX_CONF_UNSET)
    {
        conf->max_body_size = clcf->client_max_body_size;
        clcf->client_max_body_size = 0;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_lago_webhook(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_lago_webhook_loc_conf_t *llcf = conf;

    ngx_http_core_loc_conf_t           *clcf;
    ngx_http_lago_webhook_main_conf_t  *lmcf;

    if (llcf->enable != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    llcf->enable = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_lago_webhook_handler;

    lmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_lago_webhook_module);
    lmcf->enabled = 1;

    return NGX_CONF_OK;
}


/* the numbers of all workers, from a shared zone: its own location */

static char *
ngx_http_lago_webhook_metrics(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t           *clcf;
    ngx_http_lago_webhook_main_conf_t  *lmcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        return "is duplicate";
    }

    clcf->handler = ngx_http_lago_webhook_metrics_handler;

    lmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_lago_webhook_module);

    lmcf->metrics_zone = ngx_http_lago_webhook_metrics_zone(cf);
    if (lmcf->metrics_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* the worker's Redis connection: the workers need one for it */

static char *
ngx_http_lago_webhook_health(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t           *clcf;
    ngx_http_lago_webhook_main_conf_t  *lmcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        return "is duplicate";
    }

    clcf->handler = ngx_http_lago_webhook_health_handler;

    lmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_lago_webhook_module);
    lmcf->enabled = 1;

    return NGX_CONF_OK;
}


/*
 * "host:port" or "unix:/path".  A name is resolved here, at startup: the
 * worker never resolves names.
 */

static char *
ngx_http_lago_webhook_redis_address(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_lago_webhook_main_conf_t *lmcf = conf;

    char       *rv;
    ngx_str_t  *value;

    rv = ngx_http_lago_webhook_redis_mode(lmcf, cmd);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    value = cf->args->elts;

    return ngx_http_lago_webhook_redis_address_set(cf, lmcf, &value[1]);
}


/*
 * "master_name address ...": the sentinels, each "host[:port]" (26379 by
 * default), resolved here as lago_webhook_redis's address is.  The
 * master's own address comes from them, in the worker, each time it
 * connects.
 */

static char *
ngx_http_lago_webhook_redis_sentinel(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_lago_webhook_main_conf_t *lmcf = conf;

    char       *rv;
    ngx_str_t  *value;

    rv = ngx_http_lago_webhook_redis_mode(lmcf, cmd);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        return "has an empty master name";
    }

    lmcf->sentinel_master = value[1];

    return ngx_http_lago_webhook_redis_addresses(cf, &lmcf->sentinels, 2,
                                                 26379);
}


/*
 * "address ...": a Redis Cluster's nodes to learn the slots from, each
 * "host[:port]" (6379 by default).  Any one of them that answers will
 * do; the masters' addresses come from Cluster itself, in the worker.
 */

static char *
ngx_http_lago_webhook_redis_cluster(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_lago_webhook_main_conf_t *lmcf = conf;

    char  *rv;

    rv = ngx_http_lago_webhook_redis_mode(lmcf, cmd);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    return ngx_http_lago_webhook_redis_addresses(cf, &lmcf->cluster, 1, 6379);
}


/* one Redis, Sentinel's master or a Cluster: one of the three */

static char *
ngx_http_lago_webhook_redis_mode(ngx_http_lago_webhook_main_conf_t *lmcf,
    ngx_command_t *cmd)
{
    ngx_uint_t  is_redis, is_sentinel;

    is_redis = (cmd->name.len == sizeof("lago_webhook_redis") - 1);
    is_sentinel = (cmd->name.len == sizeof("lago_webhook_redis_sentinel") - 1);

    if (lmcf->redis.data) {
        return is_redis ? "is duplicate"
               : is_sentinel ? "cannot be used with \"lago_webhook_redis\": "
                               "one Redis, or the master the sentinels name"
               : "cannot be used with \"lago_webhook_redis\": one Redis, "
                 "or a Cluster";
    }

    if (lmcf->sentinels) {
        return is_sentinel ? "is duplicate"
               : is_redis ? "cannot be used with "
                            "\"lago_webhook_redis_sentinel\": one Redis, or "
                            "the master the sentinels name"
               : "cannot be used with \"lago_webhook_redis_sentinel\": the "
                 "master the sentinels name, or a Cluster";
    }

    if (lmcf->cluster) {
        return (!is_redis && !is_sentinel) ? "is duplicate"
               : is_redis ? "cannot be used with "
                            "\"lago_webhook_redis_cluster\": one Redis, or "
                            "a Cluster"
               : "cannot be used with \"lago_webhook_redis_cluster\": the "
                 "master the sentinels name, or a Cluster";
    }

    return NGX_CONF_OK;
}


/*
 * The directive's addresses from argument first on, resolved here as
 * lago_webhook_redis's is; a name with several addresses gives each.
 */

static char *
ngx_http_lago_webhook_redis_addresses(ngx_conf_t *cf, ngx_array_t **addrs,
    ngx_uint_t first, in_port_t default_port)
{
    ngx_str_t   *value;
    ngx_url_t    u;
    ngx_uint_t   i, j;
    ngx_addr_t  *addr;

    value = cf->args->elts;

    *addrs = ngx_array_create(cf->pool, cf->args->nelts - first,
                              sizeof(ngx_addr_t));
    if (*addrs == NULL) {
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
            addr = ngx_array_push(*addrs);
            if (addr == NULL) {
                return NGX_CONF_ERROR;
            }

            *addr = u.addrs[j];
        }
    }

    return NGX_CONF_OK;
}


/* "number timeout" or "off" */

static char *
ngx_http_lago_webhook_redis_wait(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_lago_webhook_main_conf_t *lmcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (lmcf->wait_replicas != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2) {
        if (ngx_strcmp(value[1].data, "off") != 0) {
            return "takes \"off\" or a number of replicas and a timeout";
        }

        lmcf->wait_replicas = 0;
        return NGX_CONF_OK;
    }

    n = ngx_atoi(value[1].data, value[1].len);

    if (n < 1 || n > 1000) {
        return "has an invalid number of replicas (1 to 1000)";
    }

    lmcf->wait_replicas = n;

    lmcf->wait_timeout = ngx_parse_time(&value[2], 0);

    /* WAIT's 0 would wait for ever */

    if (lmcf->wait_timeout == (ngx_msec_t) NGX_ERROR
        || lmcf->wait_timeout == 0)
    {
        return "has an invalid timeout (at least 1ms)";
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_lago_webhook_redis_address_set(ngx_conf_t *cf,
    ngx_http_lago_webhook_main_conf_t *lmcf, ngx_str_t *value)
{
    ngx_url_t  u;

    lmcf->redis = *value;

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

    lmcf->redis_addr = u.addrs[0];

    if (u.family == AF_UNIX) {
        ngx_str_set(&lmcf->redis_host, "localhost");

    } else {
        lmcf->redis_host = u.host;
    }

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
    ngx_http_lago_webhook_main_conf_t *lmcf)
{
    ngx_pool_cleanup_t  *cln;

    lmcf->ssl_ctx = ngx_pcalloc(cf->pool, sizeof(ngx_ssl_t));
    if (lmcf->ssl_ctx == NULL) {
        return NGX_ERROR;
    }

    lmcf->ssl_ctx->log = cf->log;

    if (ngx_ssl_create(lmcf->ssl_ctx, lmcf->ssl_protocols, NULL) != NGX_OK) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ngx_ssl_cleanup_ctx(lmcf->ssl_ctx);
        return NGX_ERROR;
    }

    cln->handler = ngx_ssl_cleanup_ctx;
    cln->data = lmcf->ssl_ctx;

    if (lmcf->ssl_certificate.len) {

        if (lmcf->ssl_certificate_key.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "no lago_webhook_redis_ssl_certificate_key "
                               "for lago_webhook_redis_ssl_certificate "
                               "\"%V\"", &lmcf->ssl_certificate);
            return NGX_ERROR;
        }

        if (ngx_ssl_certificate(cf, lmcf->ssl_ctx, &lmcf->ssl_certificate,
                                &lmcf->ssl_certificate_key, NULL)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (lmcf->ssl_verify) {

        if (lmcf->ssl_trusted_certificate.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "no lago_webhook_redis_ssl_trusted_certificate "
                               "for lago_webhook_redis_ssl_verify (on by "
                               "default with lago_webhook_redis_ssl)");
            return NGX_ERROR;
        }

        if (ngx_ssl_trusted_certificate(cf, lmcf->ssl_ctx,
                                        &lmcf->ssl_trusted_certificate, 9)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (ngx_ssl_client_session_cache(cf, lmcf->ssl_ctx,
                                     lmcf->ssl_session_reuse)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (lmcf->ssl_name.len == 0) {
        lmcf->ssl_name = lmcf->redis_host;
    }

    return NGX_OK;
}

#endif


static ngx_int_t
ngx_http_lago_webhook_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_lago_webhook_metrics_add_variables(cf);
}


static ngx_int_t
ngx_http_lago_webhook_init(ngx_conf_t *cf)
{
    ngx_http_lago_webhook_main_conf_t  *lmcf;

    ngx_http_lago_webhook_next_request_body_filter =
                                              ngx_http_top_request_body_filter;
    ngx_http_top_request_body_filter =
                                     ngx_http_lago_webhook_request_body_filter;

    lmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_lago_webhook_module);

    return ngx_http_lago_webhook_metrics_init(cf, lmcf->metrics_zone);
}


static ngx_int_t
ngx_http_lago_webhook_init_module(ngx_cycle_t *cycle)
{
    /* "nginx -V" cannot name a dynamic module: its release is logged here */

    ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                  "lago_webhook/" NGX_HTTP_LAGO_WEBHOOK_VERSION);

    return ngx_http_lago_webhook_store_init(
                                          ngx_http_lago_webhook_store_failed);
}


static ngx_int_t
ngx_http_lago_webhook_init_process(ngx_cycle_t *cycle)
{
    ngx_http_lago_webhook_redis_conf_t  rconf;
    ngx_http_lago_webhook_main_conf_t  *lmcf;

    /* cache managers and loaders run this too: they serve no requests */

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    lmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_lago_webhook_module);

    /* a worker respawned after a crash takes its predecessor's slot over */
    ngx_http_lago_webhook_metrics_init_process(cycle);

    if (lmcf == NULL || !lmcf->enabled) {
        return NGX_OK;
    }

    /* a worker makes ids of its own, whatever its parent read ahead */
    lago_webhook_uuid_reset();

    ngx_memzero(&rconf, sizeof(ngx_http_lago_webhook_redis_conf_t));

    rconf.addr = lmcf->redis_addr;
    rconf.user = lmcf->redis_user;
    rconf.password = lmcf->redis_password;
    rconf.db = lmcf->redis_db;
    rconf.connect_timeout = lmcf->connect_timeout;
    rconf.timeout = lmcf->timeout;
    rconf.name = lmcf->redis;

    if (lmcf->sentinels) {
        rconf.name = lmcf->sentinel_master;
        rconf.sentinel.master = lmcf->sentinel_master;
        rconf.sentinel.sentinels = lmcf->sentinels->elts;
        rconf.sentinel.nsentinels = lmcf->sentinels->nelts;
        rconf.sentinel.password = lmcf->sentinel_password;
        rconf.sentinel.timeout = lmcf->connect_timeout;
    }

    if (lmcf->cluster) {
        rconf.name.data = (u_char *) "cluster";
        rconf.name.len = sizeof("cluster") - 1;
        rconf.seeds = lmcf->cluster->elts;
        rconf.nseeds = lmcf->cluster->nelts;
    }

#if (NGX_SSL)
    if (lmcf->ssl) {
        rconf.ssl = lmcf->ssl_ctx;
        rconf.ssl_name = lmcf->ssl_name;
        rconf.ssl_verify = lmcf->ssl_verify;
        rconf.ssl_session_reuse = lmcf->ssl_session_reuse;
    }
#endif

    if (ngx_http_lago_webhook_key_cache_init(lmcf->key_cache_size,
                                             lmcf->key_cache_ttl, cycle->log)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_lago_webhook_redis_init(cycle, &rconf);
}


static void
ngx_http_lago_webhook_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_lago_webhook_redis_exit(cycle);
    ngx_http_lago_webhook_key_cache_exit();
    ngx_http_lago_webhook_metrics_exit_process(cycle);
}
