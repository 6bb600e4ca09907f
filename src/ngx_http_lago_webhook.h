
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Shared types of ngx_http_lago_webhook_module: configuration, the record
 * as the API shows it, and the per-request context.
 */


#ifndef _NGX_HTTP_LAGO_WEBHOOK_H_INCLUDED_
#define _NGX_HTTP_LAGO_WEBHOOK_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook_redis.h"
#include "lago_webhook_uuid.h"


#ifndef NGX_HTTP_UNPROCESSABLE_ENTITY
#define NGX_HTTP_UNPROCESSABLE_ENTITY   422
#endif


typedef struct {
    ngx_http_lago_webhook_redis_conf_t  redis;  /* lago_webhook_redis* */
    ngx_msec_t                 key_cache_ttl;
    ngx_int_t                  key_cache_size;  /* entries */
    ngx_flag_t                 enabled;         /* some location uses us */
    ngx_shm_zone_t            *metrics_zone;    /* lago_webhook_metrics */
} ngx_http_lago_webhook_main_conf_t;


typedef struct {
    ngx_flag_t                 enable;
    ngx_uint_t                 max_endpoints;
    size_t                     max_value_length;
    off_t                      max_body_size;
    ngx_str_t                  public_key_file;
    ngx_str_t                  public_key;      /* base64 text, see output */
} ngx_http_lago_webhook_loc_conf_t;


typedef enum {
    NGX_HTTP_LAGO_WEBHOOK_CREATE = 0,
    NGX_HTTP_LAGO_WEBHOOK_LIST,
    NGX_HTTP_LAGO_WEBHOOK_SHOW,
    NGX_HTTP_LAGO_WEBHOOK_UPDATE,
    NGX_HTTP_LAGO_WEBHOOK_DELETE,
    NGX_HTTP_LAGO_WEBHOOK_PUBLIC_KEY,
    NGX_HTTP_LAGO_WEBHOOK_JSON_PUBLIC_KEY
} ngx_http_lago_webhook_action_e;


/* A webhook endpoint as Lago shows it. */

typedef struct {
    ngx_str_t                  id;
    ngx_str_t                  organization_id;
    ngx_str_t                  url;
    ngx_str_t                  signature_algo;
    ngx_str_t                  name;
    ngx_str_t                  event_types;     /* names joined by ',' */
    time_t                     created_at;
    unsigned                   name_null:1;
    unsigned                   event_types_null:1;
} ngx_http_lago_webhook_record_t;


/* What a create or update body asked for, after parsing and validation. */

typedef struct {
    ngx_str_t                  url;
    ngx_str_t                  signature_algo;
    ngx_str_t                  name;
    ngx_str_t                  event_types;     /* normalised, ',' joined */
    ngx_str_t                  invalid_event_types; /* the error message */

    unsigned                   url_present:1;
    unsigned                   url_mandatory:1; /* absent, null or blank */
    unsigned                   url_invalid:1;
    unsigned                   url_too_long:1;
    unsigned                   signature_algo_present:1;
    unsigned                   signature_algo_invalid:1;
    unsigned                   name_present:1;
    unsigned                   name_null:1;
    unsigned                   name_invalid:1;  /* holds a NUL */
    unsigned                   name_too_long:1;
    unsigned                   event_types_present:1;
    unsigned                   event_types_null:1;
    unsigned                   event_types_not_array:1;
    unsigned                   event_types_invalid:1;  /* one holds a NUL */
    unsigned                   event_types_unknown:1;
} ngx_http_lago_webhook_input_t;


/* what a request has learnt so far, in the order it learns it */

typedef struct {
    ngx_http_lago_webhook_action_e   action;
    ngx_str_t                        id;        /* normalised lago_id */
    ngx_str_t                        api_key;
    u_char                           digest[32];  /* SHA-256 of the key */
    ngx_str_t                        organization_id;
    ngx_int_t                      (*body_ready)(ngx_http_request_t *r);
    ngx_str_t                        body;
    off_t                            body_received;
    ngx_http_lago_webhook_input_t    input;
    ngx_http_lago_webhook_record_t   record;    /* the one a create makes */
    ngx_uint_t                       page;
    ngx_uint_t                       per_page;
    u_char                           id_buf[LAGO_WEBHOOK_UUID_LEN];
    u_char                           org_buf[LAGO_WEBHOOK_UUID_LEN];
    uint64_t                         redis_time;  /* us waited for Redis */
    uint64_t                         redis_since; /* a command awaited */
    unsigned                         redis_sent:1;
    unsigned                         reading_body:1;
    unsigned                         too_large:1;     /* its 413 is due */
} ngx_http_lago_webhook_ctx_t;


extern ngx_module_t  ngx_http_lago_webhook_module;


/*
 * ngx_sprintf("%uz") without its format parsing, which costs more than
 * the digits: Redis commands and list pages write several numbers each.
 */

static ngx_inline u_char *
ngx_http_lago_webhook_decimal(u_char *p, size_t n)
{
    u_char   digits[NGX_SIZE_T_LEN];
    u_char  *d;

    d = digits + NGX_SIZE_T_LEN;

    do {
        *--d = (u_char) ('0' + n % 10);
        n /= 10;
    } while (n);

    return ngx_cpymem(p, d, digits + NGX_SIZE_T_LEN - d);
}


#endif /* _NGX_HTTP_LAGO_WEBHOOK_H_INCLUDED_ */
