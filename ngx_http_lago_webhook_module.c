
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
#include "ngx_http_lago_webhook_ops_pages.h"
#include "ngx_http_lago_webhook_public_key.h"
#include "ngx_http_lago_webhook_redis.h"
#include "ngx_http_lago_webhook_request_body.h"
#include "ngx_http_lago_webhook_store.h"
#include "ngx_http_lago_webhook_variables.h"
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
static char *ngx_http_lago_webhook_metrics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_lago_webhook_health(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_lago_webhook_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_lago_webhook_init_process(ngx_cycle_t *cycle);
static void ngx_http_lago_webhook_exit_process(ngx_cycle_t *cycle);


static ngx_conf_num_bounds_t  ngx_http_lago_webhook_max_endpoints_bounds = {
    ngx_conf_check_num_bounds, 1, 10000000
};

static ngx_conf_num_bounds_t  ngx_http_lago_webhook_key_cache_size_bounds = {
    ngx_conf_check_num_bounds, 0, 16777216
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
      ngx_http_lago_webhook_redis_set_address,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis),
      NULL },

    { ngx_string("lago_webhook_redis_sentinel"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_lago_webhook_redis_set_sentinel,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis),
      NULL },

    { ngx_string("lago_webhook_redis_cluster"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_lago_webhook_redis_set_cluster,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis),
      NULL },

    { ngx_string("lago_webhook_redis_sentinel_password"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis.sentinel.password),
      NULL },

    { ngx_string("lago_webhook_redis_wait"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_lago_webhook_redis_set_wait,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis),
      NULL },

    { ngx_string("lago_webhook_redis_prefix"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis.prefix),
      NULL },

    { ngx_string("lago_webhook_redis_password"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis.password),
      NULL },

    { ngx_string("lago_webhook_redis_user"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis.user),
      NULL },

    { ngx_string("lago_webhook_redis_db"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis.db),
      &ngx_http_lago_webhook_redis_db_bounds },

    { ngx_string("lago_webhook_redis_connect_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis.connect_timeout),
      NULL },

    { ngx_string("lago_webhook_redis_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis.timeout),
      NULL },

#if (NGX_SSL)

    { ngx_string("lago_webhook_redis_ssl"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis.ssl),
      NULL },

    { ngx_string("lago_webhook_redis_ssl_verify"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis.ssl_verify),
      NULL },

    { ngx_string("lago_webhook_redis_ssl_session_reuse"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis.ssl_session_reuse),
      NULL },

    { ngx_string("lago_webhook_redis_ssl_protocols"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_conf_set_bitmask_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis.ssl_protocols),
      ngx_http_lago_webhook_redis_ssl_protocols },

    { ngx_string("lago_webhook_redis_ssl_name"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, redis.ssl_name),
      NULL },

    { ngx_string("lago_webhook_redis_ssl_trusted_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t,
               redis.ssl_trusted_certificate),
      NULL },

    { ngx_string("lago_webhook_redis_ssl_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t,
               redis.ssl_certificate),
      NULL },

    { ngx_string("lago_webhook_redis_ssl_certificate_key"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t,
               redis.ssl_certificate_key),
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
     *     lmcf->enabled = 0;
     *     lmcf->metrics_zone = NULL;
     */

    ngx_http_lago_webhook_redis_create_conf(&lmcf->redis);

    lmcf->key_cache_ttl = NGX_CONF_UNSET_MSEC;
    lmcf->key_cache_size = NGX_CONF_UNSET;

    return lmcf;
}


static char *
ngx_http_lago_webhook_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_lago_webhook_main_conf_t  *lmcf = conf;

    ngx_conf_init_msec_value(lmcf->key_cache_ttl, 5000);
    ngx_conf_init_value(lmcf->key_cache_size, 1024);

    return ngx_http_lago_webhook_redis_init_conf(cf, &lmcf->redis);
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


static ngx_int_t
ngx_http_lago_webhook_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_lago_webhook_variables_add(cf);
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

    if (ngx_http_lago_webhook_key_cache_init(lmcf->key_cache_size,
                                             lmcf->key_cache_ttl, cycle->log)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_lago_webhook_redis_init(cycle, &lmcf->redis);
}


static void
ngx_http_lago_webhook_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_lago_webhook_redis_exit(cycle);
    ngx_http_lago_webhook_key_cache_exit();
    ngx_http_lago_webhook_metrics_exit_process(cycle);
}
