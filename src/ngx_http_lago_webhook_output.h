
/*
 * JSON output: Lago's shapes and escaping, written straight into one
 * buffer of the request pool.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_OUTPUT_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_OUTPUT_H_INCLUDED_


#include "ngx_http_lago_webhook.h"


typedef enum {
    NGX_HTTP_LAGO_WEBHOOK_ERR_BAD_REQUEST = 0,    /* malformed JSON */
    NGX_HTTP_LAGO_WEBHOOK_ERR_PARAM_MISSING,
    NGX_HTTP_LAGO_WEBHOOK_ERR_UNAUTHORIZED,
    NGX_HTTP_LAGO_WEBHOOK_ERR_READ_FORBIDDEN,
    NGX_HTTP_LAGO_WEBHOOK_ERR_WRITE_FORBIDDEN,
    NGX_HTTP_LAGO_WEBHOOK_ERR_KEY_READ_FORBIDDEN,
    NGX_HTTP_LAGO_WEBHOOK_ERR_KEY_WRITE_FORBIDDEN,
    NGX_HTTP_LAGO_WEBHOOK_ERR_NO_ENDPOINT,
    NGX_HTTP_LAGO_WEBHOOK_ERR_NO_ROUTE,
    NGX_HTTP_LAGO_WEBHOOK_ERR_TOO_LARGE,
    NGX_HTTP_LAGO_WEBHOOK_ERR_UNAVAILABLE,
    NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL,

    NGX_HTTP_LAGO_WEBHOOK_ERR_NONE         /* no error: go on */
} ngx_http_lago_webhook_error_e;


/* validation outcome known only to the store */

typedef struct {
    unsigned    duplicate_url:1;
    unsigned    maximum_reached:1;
} ngx_http_lago_webhook_conflicts_t;


ngx_int_t ngx_http_lago_webhook_send_error(ngx_http_request_t *r,
    ngx_http_lago_webhook_error_e error);
ngx_int_t ngx_http_lago_webhook_send_record(ngx_http_request_t *r,
    ngx_http_lago_webhook_record_t *rec);

/*
 * A list page: its records are written while their reply is alive, into
 * a buffer that has room for the meta; the meta and the answer follow
 * once the count is known.
 */
ngx_int_t ngx_http_lago_webhook_list_records(ngx_http_request_t *r,
    ngx_http_lago_webhook_record_t *recs, ngx_uint_t n, ngx_str_t *page);
ngx_int_t ngx_http_lago_webhook_send_list(ngx_http_request_t *r,
    ngx_str_t *page, ngx_uint_t total);

ngx_int_t ngx_http_lago_webhook_send_validation(ngx_http_request_t *r,
    ngx_http_lago_webhook_input_t *in,
    ngx_http_lago_webhook_conflicts_t *conflicts);
ngx_int_t ngx_http_lago_webhook_send_public_key(ngx_http_request_t *r,
    ngx_str_t *key, ngx_uint_t as_json);

/* the key file's PEM text as Lago serves it: base64, lines of 60 */
ngx_int_t ngx_http_lago_webhook_public_key_encode(ngx_pool_t *pool,
    ngx_str_t *pem, ngx_str_t *out);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_OUTPUT_H_INCLUDED_ */
