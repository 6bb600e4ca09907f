
/*
 * The store: the Redis key layout, the Lua scripts, and one call per API
 * action.  Each action is one command (one round trip), atomic in Redis.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_STORE_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_STORE_H_INCLUDED_


#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_redis.h"


/* what the create and update scripts report back (see the scripts) */

typedef struct {
    unsigned    written:1;
    unsigned    not_found:1;
    unsigned    duplicate_url:1;
    unsigned    maximum_reached:1;
} ngx_http_lago_webhook_store_result_t;


ngx_int_t ngx_http_lago_webhook_store_init(ngx_log_t *log);

ngx_int_t ngx_http_lago_webhook_store_authenticate(ngx_http_request_t *r,
    u_char *digest, ngx_http_lago_webhook_redis_handler_pt handler);
ngx_int_t ngx_http_lago_webhook_store_create(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_handler_pt handler);
ngx_int_t ngx_http_lago_webhook_store_show(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_handler_pt handler);
ngx_int_t ngx_http_lago_webhook_store_update(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_handler_pt handler);
ngx_int_t ngx_http_lago_webhook_store_delete(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_handler_pt handler);
ngx_int_t ngx_http_lago_webhook_store_list(ngx_http_request_t *r,
    ngx_uint_t offset, ngx_uint_t count,
    ngx_http_lago_webhook_redis_handler_pt handler);
ngx_int_t ngx_http_lago_webhook_store_count(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_handler_pt handler);

/* reads a stored record in place (it must outlive rec's use) */
ngx_int_t ngx_http_lago_webhook_store_unpack(ngx_http_request_t *r,
    u_char *data, size_t len, ngx_http_lago_webhook_record_t *rec);

/* reads the {a, b} status array of the create and update scripts */
ngx_int_t ngx_http_lago_webhook_store_result(redisReply *reply,
    ngx_http_lago_webhook_store_result_t *res);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_STORE_H_INCLUDED_ */
