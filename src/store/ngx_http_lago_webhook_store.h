
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The store: one call per thing the API asks of Redis.  Each call takes
 * its input as arguments and answers through a handler typed for what it
 * gives back: a key, a record, a page of records, or a write result.
 * The key layout, the Lua scripts and the shape of Redis's replies stay
 * inside store.c; the layout is described in the README ("Data model").
 *
 * A call returns NGX_OK when its handler will run later (once, while the
 * request is alive), NGX_DECLINED when Redis is not available now, or
 * NGX_ERROR.  An answer that never comes (Redis unreachable, too slow, an
 * error reply) or that cannot be read goes to the failure handler given
 * to ngx_http_lago_webhook_store_init(), never to the call's handler.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_STORE_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_STORE_H_INCLUDED_


#include "ngx_http_lago_webhook.h"


typedef enum {
    NGX_HTTP_LAGO_WEBHOOK_STORE_UNAVAILABLE = 1,  /* no answer: a 503 */
    NGX_HTTP_LAGO_WEBHOOK_STORE_BROKEN            /* unreadable: logged */
} ngx_http_lago_webhook_store_failure_e;


/* what is stored about an API key */

typedef struct {
    u_char                           organization_id[LAGO_WEBHOOK_UUID_LEN];
    time_t                           expires_at;
    ngx_str_t                        permissions;  /* JSON, in the reply */
    unsigned                         found:1;
    unsigned                         expires:1;
    unsigned                         has_permissions:1;
} ngx_http_lago_webhook_store_key_t;


/* one page of an organization's records, in URL order */

typedef struct {
    ngx_http_lago_webhook_record_t  *records;
    ngx_uint_t                       nrecords;
    ngx_uint_t                       total;    /* the organization's count */
} ngx_http_lago_webhook_store_page_t;


/* what a create, update or delete did */

typedef struct {
    ngx_http_lago_webhook_record_t   record;   /* as stored: update, delete */
    unsigned                         written:1;
    unsigned                         not_found:1;
    unsigned                         duplicate_url:1;
    unsigned                         maximum_reached:1;
} ngx_http_lago_webhook_store_write_t;


/*
 * The handlers.  What an answer points to lives in Redis's reply, which
 * is freed when the handler returns: use it, or copy it, before then.
 */

typedef void (*ngx_http_lago_webhook_store_key_pt)(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_key_t *key);
typedef void (*ngx_http_lago_webhook_store_record_pt)(ngx_http_request_t *r,
    ngx_http_lago_webhook_record_t *rec);    /* NULL: no such record */
typedef void (*ngx_http_lago_webhook_store_page_pt)(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_page_t *page);
typedef void (*ngx_http_lago_webhook_store_write_pt)(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_write_t *res);

typedef void (*ngx_http_lago_webhook_store_failed_pt)(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_failure_e failure);


ngx_int_t ngx_http_lago_webhook_store_init(
    ngx_http_lago_webhook_store_failed_pt failed);

/* the key whose SHA-256 is digest */
ngx_int_t ngx_http_lago_webhook_store_get_key(ngx_http_request_t *r,
    u_char *digest, ngx_http_lago_webhook_store_key_pt handler);

/*
 * Stores rec unless the organization has max_endpoints records already,
 * or (check_url) its URL is taken, or invalid is set: the input failed
 * validation elsewhere, and the caller only wants to learn the store's
 * own objections too, so that a 422 lists every error at once.
 */
ngx_int_t ngx_http_lago_webhook_store_create(ngx_http_request_t *r,
    ngx_str_t *org, ngx_http_lago_webhook_record_t *rec,
    ngx_uint_t max_endpoints, ngx_uint_t check_url, ngx_uint_t invalid,
    ngx_http_lago_webhook_store_write_pt handler);

/* applies the fields present in the input; invalid: as for create */
ngx_int_t ngx_http_lago_webhook_store_update(ngx_http_request_t *r,
    ngx_str_t *org, ngx_str_t *id, ngx_http_lago_webhook_input_t *in,
    ngx_uint_t invalid, ngx_http_lago_webhook_store_write_pt handler);

ngx_int_t ngx_http_lago_webhook_store_delete(ngx_http_request_t *r,
    ngx_str_t *org, ngx_str_t *id,
    ngx_http_lago_webhook_store_write_pt handler);

ngx_int_t ngx_http_lago_webhook_store_show(ngx_http_request_t *r,
    ngx_str_t *org, ngx_str_t *id,
    ngx_http_lago_webhook_store_record_pt handler);

/* count records from offset on, and the organization's total */
ngx_int_t ngx_http_lago_webhook_store_list(ngx_http_request_t *r,
    ngx_str_t *org, ngx_uint_t offset, ngx_uint_t count,
    ngx_http_lago_webhook_store_page_pt handler);


/*
 * Whether this worker can reach the store now: its connections are up
 * (with a Cluster, it knows the slots and every master's is).
 */
ngx_int_t ngx_http_lago_webhook_store_is_up(void);


#endif /* _NGX_HTTP_LAGO_WEBHOOK_STORE_H_INCLUDED_ */
