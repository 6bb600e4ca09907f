
/*
 * ngx_http_lago_webhook_module: Lago's Webhook Endpoints API served from
 * nginx, with Redis as the store.
 *
 * A request flows one way: route -> API key -> body -> one store call ->
 * JSON.  This file holds the directives, the worker hooks, routing and the
 * steps between the store's replies; the rest lives in src/.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/evp.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_redis.h"
#include "ngx_http_lago_webhook_store.h"
#include "ngx_http_lago_webhook_body.h"
#include "ngx_http_lago_webhook_output.h"
#include "ngx_http_lago_webhook_key_cache.h"
#include "lago_webhook_uuid.h"


#define NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE  ((ngx_int_t) -1)

/* far beyond any real organization; keeps offset arithmetic in range */
#define NGX_HTTP_LAGO_WEBHOOK_PAGE_MAX    1000000000


static ngx_int_t ngx_http_lago_webhook_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_lago_webhook_route(ngx_http_request_t *r,
    ngx_http_lago_webhook_ctx_t *ctx);
static ngx_int_t ngx_http_lago_webhook_bearer(ngx_http_request_t *r,
    ngx_str_t *key);
static void ngx_http_lago_webhook_body_read(ngx_http_request_t *r);
static ngx_int_t ngx_http_lago_webhook_body_collect(ngx_http_request_t *r,
    ngx_str_t *body);
static ngx_int_t ngx_http_lago_webhook_authenticate(ngx_http_request_t *r);
static ngx_int_t ngx_http_lago_webhook_authorize(ngx_http_request_t *r,
    u_char *org, time_t expires_at, ngx_str_t *permissions);
static void ngx_http_lago_webhook_auth_reply(ngx_http_request_t *r,
    redisReply *reply);
static ngx_http_lago_webhook_error_e ngx_http_lago_webhook_permitted(
    ngx_http_request_t *r, ngx_str_t *permissions);
static ngx_int_t ngx_http_lago_webhook_dispatch(ngx_http_request_t *r);
static ngx_int_t ngx_http_lago_webhook_create(ngx_http_request_t *r);
static ngx_int_t ngx_http_lago_webhook_update(ngx_http_request_t *r);
static ngx_int_t ngx_http_lago_webhook_list(ngx_http_request_t *r);
static ngx_http_lago_webhook_error_e ngx_http_lago_webhook_parse_body(
    ngx_http_request_t *r, ngx_uint_t create);
static ngx_int_t ngx_http_lago_webhook_store_started(ngx_http_request_t *r,
    ngx_int_t rc);
static void ngx_http_lago_webhook_write_reply(ngx_http_request_t *r,
    redisReply *reply);
static void ngx_http_lago_webhook_show_reply(ngx_http_request_t *r,
    redisReply *reply);
static void ngx_http_lago_webhook_list_count_reply(ngx_http_request_t *r,
    redisReply *reply);
static void ngx_http_lago_webhook_list_reply(ngx_http_request_t *r,
    redisReply *reply);
static ngx_int_t ngx_http_lago_webhook_page_arg(ngx_http_request_t *r,
    char *name, ngx_int_t absent, ngx_int_t invalid, ngx_uint_t per_page);

static ngx_int_t ngx_http_lago_webhook_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
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
static ngx_int_t ngx_http_lago_webhook_load_public_key(ngx_conf_t *cf,
    ngx_http_lago_webhook_loc_conf_t *llcf);
static ngx_int_t ngx_http_lago_webhook_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_lago_webhook_init_process(ngx_cycle_t *cycle);
static void ngx_http_lago_webhook_exit_process(ngx_cycle_t *cycle);


static ngx_http_request_body_filter_pt   ngx_http_next_request_body_filter;


static ngx_conf_num_bounds_t  ngx_http_lago_webhook_max_endpoints_bounds = {
    ngx_conf_check_num_bounds, 1, 10000000
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

    { ngx_string("lago_webhook_key_cache_ttl"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_main_conf_t, key_cache_ttl),
      NULL },

    { ngx_string("lago_webhook_max_endpoints"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_loc_conf_t, max_endpoints),
      &ngx_http_lago_webhook_max_endpoints_bounds },

    { ngx_string("lago_webhook_public_key"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_lago_webhook_loc_conf_t, public_key_file),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_lago_webhook_module_ctx = {
    NULL,                                  /* preconfiguration */
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


static ngx_int_t
ngx_http_lago_webhook_handler(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_str_t                     key;
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_lago_webhook_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_lago_webhook_module);

    /* route -> key -> body: an unknown route needs no key */

    if (ngx_http_lago_webhook_route(r, ctx) == NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE
        || ngx_http_lago_webhook_bearer(r, &key) != NGX_OK)
    {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_lago_webhook_send_error(r,
                   ctx->action == (ngx_http_lago_webhook_action_e)
                                  NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE
                   ? NGX_HTTP_LAGO_WEBHOOK_ERR_NO_ROUTE
                   : NGX_HTTP_LAGO_WEBHOOK_ERR_UNAUTHORIZED);
    }

    ctx->body.len = 0;

    if (ctx->action == NGX_HTTP_LAGO_WEBHOOK_CREATE
        || ctx->action == NGX_HTTP_LAGO_WEBHOOK_UPDATE)
    {
        /*
         * Read even a body over the limit (the body filter below keeps
         * none of it past the limit): the key is checked first, and only
         * then is the body too large.
         */

        ctx->api_key = key;
        ctx->reading_body = 1;

        rc = ngx_http_read_client_request_body(r,
                                             ngx_http_lago_webhook_body_read);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    ctx->api_key = key;

    rc = ngx_http_lago_webhook_authenticate(r);

    if (rc == NGX_DONE) {
        r->main->count++;
    }

    return rc;
}


/*
 * Lago's routes under /api/v1.  Rails ignores trailing slashes and takes
 * ".json" as the format, so both reach the same action.
 */

static ngx_int_t
ngx_http_lago_webhook_route(ngx_http_request_t *r,
    ngx_http_lago_webhook_ctx_t *ctx)
{
    u_char     *p, *last, *slash;
    ngx_str_t   path, id;

    static ngx_str_t  collection = ngx_string("webhook_endpoints");
    static ngx_str_t  prefix = ngx_string("/api/v1/");

    ctx->action = (ngx_http_lago_webhook_action_e)
                  NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;

    p = r->uri.data;
    last = p + r->uri.len;

    while (last > p && last[-1] == '/') {
        last--;
    }

    if ((size_t) (last - p) > 5 && ngx_strncmp(last - 5, ".json", 5) == 0) {
        last -= 5;
    }

    if ((size_t) (last - p) < prefix.len
        || ngx_strncmp(p, prefix.data, prefix.len) != 0)
    {
        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    path.data = p + prefix.len;
    path.len = last - path.data;

    if (path.len == sizeof("webhooks/public_key") - 1
        && ngx_strncmp(path.data, "webhooks/public_key", path.len) == 0)
    {
        if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
            ctx->action = NGX_HTTP_LAGO_WEBHOOK_PUBLIC_KEY;
            return NGX_OK;
        }

        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (path.len == sizeof("webhooks/json_public_key") - 1
        && ngx_strncmp(path.data, "webhooks/json_public_key", path.len) == 0)
    {
        if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
            ctx->action = NGX_HTTP_LAGO_WEBHOOK_JSON_PUBLIC_KEY;
            return NGX_OK;
        }

        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (path.len < collection.len
        || ngx_strncmp(path.data, collection.data, collection.len) != 0)
    {
        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (path.len == collection.len) {

        if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
            ctx->action = NGX_HTTP_LAGO_WEBHOOK_LIST;
            return NGX_OK;
        }

        if (r->method == NGX_HTTP_POST) {
            ctx->action = NGX_HTTP_LAGO_WEBHOOK_CREATE;
            return NGX_OK;
        }

        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (path.data[collection.len] != '/') {
        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    id.data = path.data + collection.len + 1;
    id.len = last - id.data;

    slash = ngx_strlchr(id.data, last, '/');

    if (id.len == 0 || slash != NULL) {
        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
        ctx->action = NGX_HTTP_LAGO_WEBHOOK_SHOW;

    } else if (r->method & (NGX_HTTP_PUT|NGX_HTTP_PATCH)) {
        ctx->action = NGX_HTTP_LAGO_WEBHOOK_UPDATE;

    } else if (r->method == NGX_HTTP_DELETE) {
        ctx->action = NGX_HTTP_LAGO_WEBHOOK_DELETE;

    } else {
        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    /* not a UUID: the same 404 as an unknown one, after the key check */

    if (lago_webhook_uuid_normalize(ctx->id_buf, id.data, id.len) == 0) {
        ctx->id.data = ctx->id_buf;
        ctx->id.len = NGX_HTTP_LAGO_WEBHOOK_UUID_LEN;
    }

    return NGX_OK;
}


/* Lago takes the second word of the header and ignores the first */

static ngx_int_t
ngx_http_lago_webhook_bearer(ngx_http_request_t *r, ngx_str_t *key)
{
    u_char  *p, *last, *start;

    if (r->headers_in.authorization == NULL) {
        return NGX_DECLINED;
    }

    p = r->headers_in.authorization->value.data;
    last = p + r->headers_in.authorization->value.len;

    while (p < last && (*p == ' ' || *p == '\t')) {
        p++;
    }

    while (p < last && *p != ' ' && *p != '\t') {
        p++;
    }

    while (p < last && (*p == ' ' || *p == '\t')) {
        p++;
    }

    start = p;

    while (p < last && *p != ' ' && *p != '\t') {
        p++;
    }

    if (p == start) {
        return NGX_DECLINED;
    }

    key->data = start;
    key->len = p - start;

    return NGX_OK;
}


static void
ngx_http_lago_webhook_body_read(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    ctx->reading_body = 0;

    rc = ngx_http_lago_webhook_body_collect(r, &ctx->body);

    if (rc == NGX_DECLINED) {
        /* answered after the key check, by create or update */
        ctx->too_large = 1;
        rc = NGX_OK;
    }

    if (rc == NGX_OK) {
        rc = ngx_http_lago_webhook_authenticate(r);

        if (rc == NGX_DONE) {
            return;
        }
    }

    ngx_http_finalize_request(r, rc);
}


/*
 * Counts a create or update body as nginx reads it.  Past the limit
 * (client_max_body_size, taken over from nginx) the data is consumed and
 * dropped, only the end-of-body mark goes on: a body of any size, chunked
 * or not, costs no memory or disk beyond the limit, and the request then
 * gets the JSON 413 once its key is checked.
 */

static ngx_int_t
ngx_http_lago_webhook_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_chain_t                       *cl, *out, **ll;
    ngx_http_lago_webhook_ctx_t       *ctx;
    ngx_http_lago_webhook_loc_conf_t  *llcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (ctx == NULL || !ctx->reading_body) {
        return ngx_http_next_request_body_filter(r, in);
    }

    llcf = ngx_http_get_module_loc_conf(r, ngx_http_lago_webhook_module);

    for (cl = in; cl; cl = cl->next) {
        ctx->body_received += ngx_buf_size(cl->buf);
    }

    if (llcf->max_body_size == 0
        || ctx->body_received <= llcf->max_body_size)
    {
        return ngx_http_next_request_body_filter(r, in);
    }

    if (!ctx->too_large) {
        ctx->too_large = 1;

        /*
         * What was kept so far is dropped too: those buffers point into
         * the read buffer, which nginx reuses only once they are consumed.
         */

        for (cl = r->request_body->bufs; cl; cl = cl->next) {
            cl->buf->pos = cl->buf->last;
        }

        r->request_body->bufs = NULL;
    }

    out = NULL;
    ll = &out;

    for (cl = in; cl; cl = cl->next) {
        cl->buf->pos = cl->buf->last;

        if (cl->buf->last_buf) {
            *ll = ngx_alloc_chain_link(r->pool);
            if (*ll == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            (*ll)->buf = cl->buf;
            (*ll)->next = NULL;
            ll = &(*ll)->next;
        }
    }

    return out ? ngx_http_next_request_body_filter(r, out) : NGX_OK;
}


/*
 * The body in one piece of memory, whether nginx kept it in buffers or
 * spooled it to a temporary file.  NGX_DECLINED: over the size limit
 * (a chunked body has no length to check up front).
 */

static ngx_int_t
ngx_http_lago_webhook_body_collect(ngx_http_request_t *r, ngx_str_t *body)
{
    u_char                            *p;
    off_t                              len;
    ssize_t                            n;
    ngx_buf_t                         *b;
    ngx_chain_t                       *cl;
    ngx_http_lago_webhook_ctx_t       *ctx;
    ngx_http_lago_webhook_loc_conf_t  *llcf;

    llcf = ngx_http_get_module_loc_conf(r, ngx_http_lago_webhook_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    body->len = 0;

    if (ctx->too_large) {
        return NGX_DECLINED;
    }

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    if (llcf->max_body_size && len > llcf->max_body_size) {
        return NGX_DECLINED;
    }

    if (len == 0) {
        return NGX_OK;
    }

    body->data = ngx_pnalloc(r->pool, (size_t) len);
    if (body->data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = body->data;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            n = ngx_read_file(b->file, p, (size_t) (b->file_last
                                                    - b->file_pos),
                              b->file_pos);

            if (n != b->file_last - b->file_pos) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            p += n;
            continue;
        }

        p = ngx_cpymem(p, b->pos, b->last - b->pos);
    }

    body->len = p - body->data;

    return NGX_OK;
}


/*
 * Starts the key lookup: from this worker's cache when the key was seen
 * lately, else from Redis.  NGX_DONE: a store reply will finish the
 * request; anything else is the final answer now.
 */

static ngx_int_t
ngx_http_lago_webhook_authenticate(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_str_t                     permissions;
    ngx_http_lago_webhook_ctx_t  *ctx;
    ngx_http_lago_webhook_key_t  *key;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    /* only a digest of each key is stored: a dump leaks no usable key */

    if (ngx_http_lago_webhook_key_digest(ctx->digest, ctx->api_key.data,
                                         ctx->api_key.len)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    key = ngx_http_lago_webhook_key_cache_get(ctx->digest);

    if (key) {
        permissions.data = key->permissions;
        permissions.len = key->permissions_len;

        return ngx_http_lago_webhook_authorize(r, key->organization_id,
                                key->expires_at,
                                key->has_permissions ? &permissions : NULL);
    }

    rc = ngx_http_lago_webhook_store_authenticate(r, ctx->digest,
                                             ngx_http_lago_webhook_auth_reply);

    return ngx_http_lago_webhook_store_started(r, rc);
}


static void
ngx_http_lago_webhook_auth_reply(ngx_http_request_t *r, redisReply *reply)
{
    ngx_int_t                     rc, expires_at;
    ngx_str_t                     permissions;
    redisReply                   *org, *expires, *perms;
    ngx_http_lago_webhook_ctx_t  *ctx;
    ngx_http_lago_webhook_key_t   key;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (reply == NULL) {
        rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_UNAVAILABLE);
        goto done;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) {
        goto invalid;
    }

    org = reply->element[0];
    expires = reply->element[1];
    perms = reply->element[2];

    if (org->type != REDIS_REPLY_STRING) {
        rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_UNAUTHORIZED);
        goto done;
    }

    if (org->len != NGX_HTTP_LAGO_WEBHOOK_UUID_LEN) {
        goto invalid;
    }

    expires_at = 0;

    if (expires->type == REDIS_REPLY_STRING) {
        expires_at = ngx_atoi((u_char *) expires->str, expires->len);

        if (expires_at == NGX_ERROR) {
            goto invalid;
        }
    }

    ngx_memzero(&key, offsetof(ngx_http_lago_webhook_key_t, permissions));

    ngx_memcpy(key.digest, ctx->digest, SHA256_DIGEST_LENGTH);
    ngx_memcpy(key.organization_id, org->str, NGX_HTTP_LAGO_WEBHOOK_UUID_LEN);
    key.expires_at = (time_t) expires_at;

    if (perms->type == REDIS_REPLY_STRING) {
        permissions.data = (u_char *) perms->str;
        permissions.len = perms->len;

        key.has_permissions = 1;
        key.permissions_len = perms->len;

        if (perms->len <= NGX_HTTP_LAGO_WEBHOOK_KEY_CACHE_PERMISSIONS) {
            ngx_memcpy(key.permissions, perms->str, perms->len);
        }
    }

    ngx_http_lago_webhook_key_cache_put(&key);

    rc = ngx_http_lago_webhook_authorize(r, key.organization_id,
                                         key.expires_at,
                                         key.has_permissions ? &permissions
                                                             : NULL);
    if (rc == NGX_DONE) {
        return;
    }

    goto done;

invalid:

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "lago_webhook: unexpected reply to the API key lookup");

    rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL);

done:

    ngx_http_finalize_request(r, rc);
}


/*
 * The key is known: check its expiry and permissions, then run the
 * action.  Returns like ngx_http_lago_webhook_authenticate().
 */

static ngx_int_t
ngx_http_lago_webhook_authorize(ngx_http_request_t *r, u_char *org,
    time_t expires_at, ngx_str_t *permissions)
{
    ngx_http_lago_webhook_ctx_t    *ctx;
    ngx_http_lago_webhook_error_e   error;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (expires_at && expires_at <= ngx_time()) {
        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_UNAUTHORIZED);
    }

    ngx_memcpy(ctx->org_buf, org, NGX_HTTP_LAGO_WEBHOOK_UUID_LEN);
    ctx->organization_id.data = ctx->org_buf;
    ctx->organization_id.len = NGX_HTTP_LAGO_WEBHOOK_UUID_LEN;

    if (permissions) {
        error = ngx_http_lago_webhook_permitted(r, permissions);

        if (error != NGX_HTTP_LAGO_WEBHOOK_ERR_NONE) {
            return ngx_http_lago_webhook_send_error(r, error);
        }
    }

    return ngx_http_lago_webhook_dispatch(r);
}


/*
 * A key's optional permissions: {"webhook_endpoint":["read","write"], ...}.
 * GET and HEAD read, everything else writes.  Returns the 403 to send, or
 * NGX_HTTP_LAGO_WEBHOOK_ERR_NONE.
 */

static ngx_http_lago_webhook_error_e
ngx_http_lago_webhook_permitted(ngx_http_request_t *r, ngx_str_t *permissions)
{
    size_t                          i;
    json_t                         *root, *modes, *mode;
    ngx_uint_t                      read, key_resource, allowed;
    const char                     *resource, *wanted;
    ngx_http_lago_webhook_ctx_t    *ctx;
    ngx_http_lago_webhook_error_e   error;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    read = (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) ? 1 : 0;
    key_resource = (ctx->action == NGX_HTTP_LAGO_WEBHOOK_PUBLIC_KEY
                    || ctx->action == NGX_HTTP_LAGO_WEBHOOK_JSON_PUBLIC_KEY);

    resource = key_resource ? "webhook_jwt_public_key" : "webhook_endpoint";
    wanted = read ? "read" : "write";

    allowed = 0;

    root = json_loadb((const char *) permissions->data, permissions->len, 0,
                      NULL);

    if (root != NULL) {
        modes = json_object_get(root, resource);

        if (json_is_array(modes)) {
            json_array_foreach(modes, i, mode) {
                if (json_is_string(mode)
                    && ngx_strcmp(json_string_value(mode), wanted) == 0)
                {
                    allowed = 1;
                }
            }
        }

        json_decref(root);

    } else {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "lago_webhook: API key permissions are not JSON, "
                      "denying");
    }

    if (allowed) {
        return NGX_HTTP_LAGO_WEBHOOK_ERR_NONE;
    }

    if (key_resource) {
        error = read ? NGX_HTTP_LAGO_WEBHOOK_ERR_KEY_READ_FORBIDDEN
                     : NGX_HTTP_LAGO_WEBHOOK_ERR_KEY_WRITE_FORBIDDEN;

    } else {
        error = read ? NGX_HTTP_LAGO_WEBHOOK_ERR_READ_FORBIDDEN
                     : NGX_HTTP_LAGO_WEBHOOK_ERR_WRITE_FORBIDDEN;
    }

    return error;
}


/* the authenticated action: NGX_DONE when a store reply will finish it */

static ngx_int_t
ngx_http_lago_webhook_dispatch(ngx_http_request_t *r)
{
    ngx_int_t                          rc;
    ngx_http_lago_webhook_ctx_t       *ctx;
    ngx_http_lago_webhook_loc_conf_t  *llcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);
    llcf = ngx_http_get_module_loc_conf(r, ngx_http_lago_webhook_module);

    switch (ctx->action) {

    case NGX_HTTP_LAGO_WEBHOOK_CREATE:
        return ngx_http_lago_webhook_create(r);

    case NGX_HTTP_LAGO_WEBHOOK_UPDATE:
        return ngx_http_lago_webhook_update(r);

    case NGX_HTTP_LAGO_WEBHOOK_LIST:
        return ngx_http_lago_webhook_list(r);

    case NGX_HTTP_LAGO_WEBHOOK_PUBLIC_KEY:
    case NGX_HTTP_LAGO_WEBHOOK_JSON_PUBLIC_KEY:

        if (llcf->public_key.len == 0) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "lago_webhook: no lago_webhook_public_key "
                          "is configured");
            return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL);
        }

        return ngx_http_lago_webhook_send_public_key(r, &llcf->public_key,
                       ctx->action == NGX_HTTP_LAGO_WEBHOOK_JSON_PUBLIC_KEY);

    default: /* show, delete */

        if (ctx->id.len == 0) {
            return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_NO_ENDPOINT);
        }

        if (ctx->action == NGX_HTTP_LAGO_WEBHOOK_SHOW) {
            rc = ngx_http_lago_webhook_store_show(r,
                                             ngx_http_lago_webhook_show_reply);

        } else {
            rc = ngx_http_lago_webhook_store_delete(r,
                                            ngx_http_lago_webhook_write_reply);
        }

        return ngx_http_lago_webhook_store_started(r, rc);
    }
}


static ngx_int_t
ngx_http_lago_webhook_create(ngx_http_request_t *r)
{
    ngx_int_t                        rc;
    ngx_http_lago_webhook_ctx_t     *ctx;
    ngx_http_lago_webhook_input_t   *in;
    ngx_http_lago_webhook_record_t  *rec;
    ngx_http_lago_webhook_error_e    error;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);
    in = &ctx->input;
    rec = &ctx->record;

    error = ctx->too_large ? NGX_HTTP_LAGO_WEBHOOK_ERR_TOO_LARGE
                           : ngx_http_lago_webhook_parse_body(r, 1);
    if (error != NGX_HTTP_LAGO_WEBHOOK_ERR_NONE) {
        return ngx_http_lago_webhook_send_error(r, error);
    }

    if (lago_webhook_uuid_v4(ctx->id_buf) != 0) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, ngx_errno,
                      "lago_webhook: getrandom() failed");
        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL);
    }

    rec->id.data = ctx->id_buf;
    rec->id.len = NGX_HTTP_LAGO_WEBHOOK_UUID_LEN;
    rec->organization_id = ctx->organization_id;
    rec->url = in->url;

    if (in->signature_algo_present && !in->signature_algo_invalid) {
        rec->signature_algo = in->signature_algo;

    } else {
        ngx_str_set(&rec->signature_algo, "jwt");
    }

    rec->name = in->name;
    rec->name_null = !in->name_present || in->name_null;
    rec->event_types = in->event_types;
    rec->event_types_null = !in->event_types_present || in->event_types_null;
    rec->created_at = ngx_time();

    /* the store checks uniqueness and the maximum even when this input is
     * already invalid, so that the 422 lists every error at once */

    rc = ngx_http_lago_webhook_store_create(r,
                                            ngx_http_lago_webhook_write_reply);

    return ngx_http_lago_webhook_store_started(r, rc);
}


static ngx_int_t
ngx_http_lago_webhook_update(ngx_http_request_t *r)
{
    ngx_int_t                       rc;
    ngx_http_lago_webhook_ctx_t    *ctx;
    ngx_http_lago_webhook_error_e   error;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    /* a missing root key is a 400 even for an unknown id */

    error = ctx->too_large ? NGX_HTTP_LAGO_WEBHOOK_ERR_TOO_LARGE
                           : ngx_http_lago_webhook_parse_body(r, 0);
    if (error != NGX_HTTP_LAGO_WEBHOOK_ERR_NONE) {
        return ngx_http_lago_webhook_send_error(r, error);
    }

    if (ctx->id.len == 0) {
        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_NO_ENDPOINT);
    }

    rc = ngx_http_lago_webhook_store_update(r,
                                            ngx_http_lago_webhook_write_reply);

    return ngx_http_lago_webhook_store_started(r, rc);
}


static ngx_int_t
ngx_http_lago_webhook_list(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_uint_t                    offset;
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    ctx->page = ngx_http_lago_webhook_page_arg(r, "page", 1, 1, 0);
    ctx->per_page = ngx_http_lago_webhook_page_arg(r, "per_page", 100, 25, 1);

    offset = (ngx_uint_t) (ctx->page - 1) * (ngx_uint_t) ctx->per_page;

    rc = ngx_http_lago_webhook_store_list(r, offset,
                                          (ngx_uint_t) ctx->per_page,
                                          ngx_http_lago_webhook_list_reply);

    return ngx_http_lago_webhook_store_started(r, rc);
}


/*
 * Lago's (Ruby to_i) reading of page and per_page: a leading number is
 * read ("2abc" is 2).  page below 1 is 1.  per_page that does not start
 * with a digit, or is 0 (a 500 in Lago), is 25.
 */

static ngx_int_t
ngx_http_lago_webhook_page_arg(ngx_http_request_t *r, char *name,
    ngx_int_t absent, ngx_int_t invalid, ngx_uint_t per_page)
{
    u_char     *p, *last;
    ngx_int_t   n;
    ngx_str_t   value;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &value)
        != NGX_OK)
    {
        return absent;
    }

    /* Rails reads query values percent-decoded: "%32" is 2 */

    p = ngx_pnalloc(r->pool, value.len);
    if (p == NULL) {
        return invalid;
    }

    last = p;
    ngx_unescape_uri(&last, &value.data, value.len, NGX_UNESCAPE_URI);

    if (!per_page) {
        while (p < last && (*p == ' ' || *p == '+')) {
            p++;
        }
    }

    n = 0;

    if (p == last || *p < '0' || *p > '9') {
        return invalid;
    }

    while (p < last && *p >= '0' && *p <= '9') {
        if (n < NGX_HTTP_LAGO_WEBHOOK_PAGE_MAX) {
            n = n * 10 + (*p - '0');
        }

        p++;
    }

    if (n > NGX_HTTP_LAGO_WEBHOOK_PAGE_MAX) {
        n = NGX_HTTP_LAGO_WEBHOOK_PAGE_MAX;
    }

    return n < 1 ? invalid : n;
}


/* the 400 (or 500) to send, or NGX_HTTP_LAGO_WEBHOOK_ERR_NONE */

static ngx_http_lago_webhook_error_e
ngx_http_lago_webhook_parse_body(ngx_http_request_t *r, ngx_uint_t create)
{
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    switch (ngx_http_lago_webhook_body_parse(r->pool, &ctx->body, create,
                                             &ctx->input))
    {

    case NGX_OK:
        return NGX_HTTP_LAGO_WEBHOOK_ERR_NONE;

    case NGX_HTTP_LAGO_WEBHOOK_BODY_MALFORMED:
        return NGX_HTTP_LAGO_WEBHOOK_ERR_BAD_REQUEST;

    case NGX_HTTP_LAGO_WEBHOOK_BODY_MISSING:
        return NGX_HTTP_LAGO_WEBHOOK_ERR_PARAM_MISSING;

    default:
        return NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL;
    }
}


/* what a store call's start means for the request */

static ngx_int_t
ngx_http_lago_webhook_store_started(ngx_http_request_t *r, ngx_int_t rc)
{
    if (rc == NGX_OK) {
        return NGX_DONE;
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_UNAVAILABLE);
    }

    return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL);
}


/* the reply to create, update and delete */

static void
ngx_http_lago_webhook_write_reply(ngx_http_request_t *r, redisReply *reply)
{
    ngx_int_t                             rc;
    redisReply                           *rec;
    ngx_http_lago_webhook_ctx_t          *ctx;
    ngx_http_lago_webhook_conflicts_t     conflicts;
    ngx_http_lago_webhook_store_result_t  res;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (reply == NULL) {
        rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_UNAVAILABLE);
        goto done;
    }

    if (ngx_http_lago_webhook_store_result(reply, &res) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "lago_webhook: unexpected reply from the store: %*s",
                      reply->type == REDIS_REPLY_ERROR ? reply->len : 0,
                      reply->str);
        rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL);
        goto done;
    }

    if (res.not_found) {
        rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_NO_ENDPOINT);
        goto done;
    }

    if (!res.written) {
        conflicts.duplicate_url = res.duplicate_url;
        conflicts.maximum_reached = res.maximum_reached;

        rc = ngx_http_lago_webhook_send_validation(r, &ctx->input,
                                                   &conflicts);
        goto done;
    }

    if (ctx->action != NGX_HTTP_LAGO_WEBHOOK_CREATE) {

        /* update and delete answer with the record as stored */

        rec = reply->elements > 4 ? reply->element[4] : NULL;

        if (rec == NULL || rec->type != REDIS_REPLY_STRING
            || ngx_http_lago_webhook_store_unpack(r, (u_char *) rec->str,
                                                  rec->len, &ctx->record)
               != NGX_OK)
        {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "lago_webhook: a stored record is malformed");
            rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL);
            goto done;
        }
    }

    rc = ngx_http_lago_webhook_send_record(r, &ctx->record);

done:

    ngx_http_finalize_request(r, rc);
}


static void
ngx_http_lago_webhook_show_reply(ngx_http_request_t *r, redisReply *reply)
{
    ngx_int_t                     rc;
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (reply == NULL) {
        rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_UNAVAILABLE);

    } else if (reply->type == REDIS_REPLY_NIL) {
        rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_NO_ENDPOINT);

    } else if (reply->type != REDIS_REPLY_STRING
               || ngx_http_lago_webhook_store_unpack(r, (u_char *) reply->str,
                                                     reply->len, &ctx->record)
                  != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "lago_webhook: unexpected reply from the store");
        rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL);

    } else {
        rc = ngx_http_lago_webhook_send_record(r, &ctx->record);
    }

    ngx_http_finalize_request(r, rc);
}


/*
 * A page's records, written out while their reply is alive.  A page that
 * is not full tells the count: the records before it and its own.  A full
 * page, or an empty one past the first, asks for the count.
 */

static void
ngx_http_lago_webhook_list_reply(ngx_http_request_t *r, redisReply *reply)
{
    u_char                          *rec;
    ngx_int_t                        rc;
    ngx_uint_t                       i, n, offset;
    redisReply                      *e;
    ngx_http_lago_webhook_ctx_t     *ctx;
    ngx_http_lago_webhook_record_t  *recs;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (reply == NULL) {
        rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_UNAVAILABLE);
        goto done;
    }

    if (reply->type != REDIS_REPLY_ARRAY
        || reply->elements > (size_t) ctx->per_page)
    {
        goto invalid;
    }

    recs = ngx_palloc(r->pool, (reply->elements + 1)
                               * sizeof(ngx_http_lago_webhook_record_t));
    if (recs == NULL) {
        rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        goto done;
    }

    n = 0;

    for (i = 0; i < reply->elements; i++) {
        e = reply->element[i];

        if (e->type != REDIS_REPLY_STRING) {
            goto invalid;
        }

        /*
         * Each member is the URL (its sort key), NUL, the record; memchr()
         * reads a word at a time where ngx_strlchr() read a byte.
         */

        rec = memchr(e->str, '\0', e->len);
        if (rec == NULL) {
            goto invalid;
        }

        rec++;

        ngx_memzero(&recs[n], sizeof(ngx_http_lago_webhook_record_t));

        if (ngx_http_lago_webhook_store_unpack(r, rec,
                                        (u_char *) e->str + e->len - rec,
                                        &recs[n])
            != NGX_OK)
        {
            goto invalid;
        }

        n++;
    }

    if (ngx_http_lago_webhook_list_records(r, recs, n, &ctx->list_page)
        != NGX_OK)
    {
        rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        goto done;
    }

    offset = (ngx_uint_t) (ctx->page - 1) * (ngx_uint_t) ctx->per_page;

    if (n < (ngx_uint_t) ctx->per_page && (n > 0 || offset == 0)) {
        rc = ngx_http_lago_webhook_send_list(r, &ctx->list_page, offset + n);
        goto done;
    }

    rc = ngx_http_lago_webhook_store_count(r,
                                       ngx_http_lago_webhook_list_count_reply);

    rc = ngx_http_lago_webhook_store_started(r, rc);
    if (rc == NGX_DONE) {
        return;
    }

    goto done;

invalid:

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "lago_webhook: unexpected reply from the store to a list");

    rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL);

done:

    ngx_http_finalize_request(r, rc);
}


/* the count a full page asked for: the page's answer */

static void
ngx_http_lago_webhook_list_count_reply(ngx_http_request_t *r,
    redisReply *reply)
{
    ngx_int_t                     rc;
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (reply == NULL) {
        rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_UNAVAILABLE);

    } else if (reply->type == REDIS_REPLY_INTEGER && reply->integer >= 0) {
        rc = ngx_http_lago_webhook_send_list(r, &ctx->list_page,
                                             (ngx_uint_t) reply->integer);

    } else {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "lago_webhook: unexpected reply from the store to a "
                      "count");

        rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL);
    }

    ngx_http_finalize_request(r, rc);
}


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
     *     lmcf->redis_unix = NULL;
     *     lmcf->prefix = { 0, NULL };
     *     lmcf->redis_password = { 0, NULL };
     *     lmcf->redis_user = { 0, NULL };
     *     lmcf->enabled = 0;
     */

    lmcf->redis_db = NGX_CONF_UNSET;
    lmcf->connect_timeout = NGX_CONF_UNSET_MSEC;
    lmcf->timeout = NGX_CONF_UNSET_MSEC;
    lmcf->key_cache_ttl = NGX_CONF_UNSET_MSEC;

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

    if (lmcf->redis.data == NULL) {
        ngx_str_set(&lmcf->redis, "127.0.0.1:6379");
        lmcf->redis_host = (u_char *) "127.0.0.1";
        lmcf->redis_port = 6379;
    }

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

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_uint_value(conf->max_endpoints, prev->max_endpoints, 10);

    if (conf->public_key_file.data == NULL) {
        conf->public_key_file = prev->public_key_file;
        conf->public_key = prev->public_key;
    }

    /* a key set at the http level is never merged itself: load it here */

    if (conf->public_key_file.data && conf->public_key.len == 0
        && ngx_http_lago_webhook_load_public_key(cf, conf) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    /*
     * nginx answers a body over client_max_body_size with its own HTML
     * page before any handler runs.  The core module is merged before us:
     * in a location we serve (not one nested in it), take its final limit
     * over and enforce it with a JSON 413 instead.
     */

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

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


/*
 * "host:port" or "unix:/path".  A name is resolved here, at startup:
 * hiredis would resolve it with a blocking getaddrinfo() in the worker.
 */

static char *
ngx_http_lago_webhook_redis_address(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_lago_webhook_main_conf_t *lmcf = conf;

    u_char     *host;
    size_t      len;
    ngx_url_t   u;
    ngx_str_t  *value;

    if (lmcf->redis.data) {
        return "is duplicate";
    }

    value = cf->args->elts;
    lmcf->redis = value[1];

    if (value[1].len > 5 && ngx_strncmp(value[1].data, "unix:", 5) == 0) {
        lmcf->redis_unix = ngx_pnalloc(cf->pool, value[1].len - 4);
        if (lmcf->redis_unix == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_cpystrn(lmcf->redis_unix, value[1].data + 5, value[1].len - 4);

        return NGX_CONF_OK;
    }

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url = value[1];
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

    host = ngx_pnalloc(cf->pool, NGX_SOCKADDR_STRLEN + 1);
    if (host == NULL) {
        return NGX_CONF_ERROR;
    }

    len = ngx_sock_ntop(u.addrs[0].sockaddr, u.addrs[0].socklen, host,
                        NGX_SOCKADDR_STRLEN, 0);

    /* ngx_sock_ntop() brackets IPv6 only with a port; hiredis wants none */
    host[len] = '\0';

    lmcf->redis_host = host;
    lmcf->redis_port = ngx_inet_get_port(u.addrs[0].sockaddr);

    return NGX_CONF_OK;
}


/*
 * Lago serves Base64.encode64 of its RSA public key in PEM.  The file may
 * hold the public key or the private one; either way the PEM written back
 * is the SubjectPublicKeyInfo form Ruby's OpenSSL::PKey#to_pem gives.
 */

static ngx_int_t
ngx_http_lago_webhook_load_public_key(ngx_conf_t *cf,
    ngx_http_lago_webhook_loc_conf_t *llcf)
{
    BIO        *in, *out;
    char       *data;
    long        len;
    EVP_PKEY   *pkey;
    ngx_str_t   pem;

    if (ngx_conf_full_name(cf->cycle, &llcf->public_key_file, 1) != NGX_OK) {
        return NGX_ERROR;
    }

    in = BIO_new_file((char *) llcf->public_key_file.data, "r");
    if (in == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "cannot open lago_webhook_public_key \"%V\"",
                           &llcf->public_key_file);
        return NGX_ERROR;
    }

    pkey = PEM_read_bio_PUBKEY(in, NULL, NULL, NULL);

    if (pkey == NULL) {
        (void) BIO_reset(in);
        pkey = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
    }

    BIO_free(in);

    if (pkey == NULL || EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "lago_webhook_public_key \"%V\" holds no RSA key "
                           "in PEM", &llcf->public_key_file);
        EVP_PKEY_free(pkey);
        return NGX_ERROR;
    }

    out = BIO_new(BIO_s_mem());

    if (out == NULL || !PEM_write_bio_PUBKEY(out, pkey)) {
        BIO_free(out);
        EVP_PKEY_free(pkey);
        return NGX_ERROR;
    }

    EVP_PKEY_free(pkey);

    len = BIO_get_mem_data(out, &data);

    pem.data = (u_char *) data;
    pem.len = (size_t) len;

    if (ngx_http_lago_webhook_public_key_encode(cf->pool, &pem,
                                                &llcf->public_key)
        != NGX_OK)
    {
        BIO_free(out);
        return NGX_ERROR;
    }

    BIO_free(out);

    return NGX_OK;
}


static ngx_int_t
ngx_http_lago_webhook_init(ngx_conf_t *cf)
{
    ngx_http_next_request_body_filter = ngx_http_top_request_body_filter;
    ngx_http_top_request_body_filter = ngx_http_lago_webhook_body_filter;

    return NGX_OK;
}


static ngx_int_t
ngx_http_lago_webhook_init_module(ngx_cycle_t *cycle)
{
    return ngx_http_lago_webhook_store_init(cycle->log);
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

    if (lmcf == NULL || !lmcf->enabled) {
        return NGX_OK;
    }

    /* a worker makes ids of its own, whatever its parent read ahead */
    lago_webhook_uuid_reset();

    ngx_memzero(&rconf, sizeof(ngx_http_lago_webhook_redis_conf_t));

    rconf.host = lmcf->redis_host;
    rconf.port = lmcf->redis_port;
    rconf.unix_path = lmcf->redis_unix;
    rconf.user = lmcf->redis_user;
    rconf.password = lmcf->redis_password;
    rconf.db = lmcf->redis_db;
    rconf.connect_timeout = lmcf->connect_timeout;
    rconf.timeout = lmcf->timeout;
    rconf.name = lmcf->redis;

    if (ngx_http_lago_webhook_key_cache_init(lmcf->key_cache_ttl, cycle->log)
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
}
