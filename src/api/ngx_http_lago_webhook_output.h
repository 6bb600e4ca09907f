
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


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


/*
 * Any answer of the module: its body in one buffer.  A body not read
 * (or not wanted) is discarded first, as nginx does.
 */
ngx_int_t ngx_http_lago_webhook_send(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, u_char *body, size_t len);

ngx_int_t ngx_http_lago_webhook_send_error(ngx_http_request_t *r,
    ngx_http_lago_webhook_error_e error);
ngx_int_t ngx_http_lago_webhook_send_record(ngx_http_request_t *r,
    ngx_http_lago_webhook_record_t *rec);

/* a page of a list: its records, and the pagination Lago gives */
ngx_int_t ngx_http_lago_webhook_send_list(ngx_http_request_t *r,
    ngx_http_lago_webhook_record_t *recs, ngx_uint_t n, ngx_uint_t total,
    ngx_uint_t current, ngx_uint_t per_page);

ngx_int_t ngx_http_lago_webhook_send_validation(ngx_http_request_t *r,
    ngx_http_lago_webhook_input_t *in,
    ngx_http_lago_webhook_conflicts_t *conflicts);
ngx_int_t ngx_http_lago_webhook_send_public_key(ngx_http_request_t *r,
    ngx_str_t *key, ngx_uint_t as_json);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_OUTPUT_H_INCLUDED_ */
