
/*
 * The Redis adapter: one hiredis async connection per worker, driven by
 * nginx events and timers.  It knows nothing of Lago.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_REDIS_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_REDIS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <hiredis/hiredis.h>


/*
 * Called once per command while the request is still alive; reply is NULL
 * when the command failed, timed out or the connection was lost.  The
 * reply is freed when the handler returns.
 */
typedef void (*ngx_http_lago_webhook_redis_handler_pt)(ngx_http_request_t *r,
    redisReply *reply);


typedef struct {
    u_char       *host;          /* numeric address, NUL-terminated */
    in_port_t     port;
    u_char       *unix_path;     /* NUL-terminated, or NULL */
    ngx_str_t     user;
    ngx_str_t     password;
    ngx_int_t     db;
    ngx_msec_t    connect_timeout;
    ngx_msec_t    timeout;
    ngx_str_t     name;          /* the address as configured, for logs */
} ngx_http_lago_webhook_redis_conf_t;


ngx_int_t ngx_http_lago_webhook_redis_init(ngx_cycle_t *cycle,
    ngx_http_lago_webhook_redis_conf_t *conf);
void ngx_http_lago_webhook_redis_exit(ngx_cycle_t *cycle);

/*
 * Queues a command.  NGX_OK: the handler will run later.  NGX_DECLINED:
 * Redis is not available now, answer at once.
 */
ngx_int_t ngx_http_lago_webhook_redis_command(ngx_http_request_t *r,
    ngx_http_lago_webhook_redis_handler_pt handler, int argc,
    const char **argv, const size_t *argvlen);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_REDIS_H_INCLUDED_ */
