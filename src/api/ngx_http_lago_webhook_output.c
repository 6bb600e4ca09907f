
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Every body is measured first and then written into a single buffer of
 * the request pool: no reallocation, no intermediate JSON tree.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_output.h"
#include "lago_webhook_json_escape.h"


#define NGX_HTTP_LAGO_WEBHOOK_TIME_LEN  (sizeof("2022-04-29T08:59:51Z") - 1)

/* strings up to this long are given room for their worst case escaped */
#define NGX_HTTP_LAGO_WEBHOOK_UNMEASURED_MAX  256


typedef struct {
    ngx_uint_t    status;
    ngx_str_t     body;
} ngx_http_lago_webhook_error_t;


/* indexed by ngx_http_lago_webhook_error_e */

static ngx_http_lago_webhook_error_t  ngx_http_lago_webhook_errors[] = {

    { NGX_HTTP_BAD_REQUEST,
      ngx_string("{\"status\":400,\"error\":\"Bad Request\"}") },

    { NGX_HTTP_BAD_REQUEST,
      ngx_string("{\"status\":400,\"error\":\"BadRequest: param is missing "
                 "or the value is empty or invalid: webhook_endpoint\"}") },

    { NGX_HTTP_UNAUTHORIZED,
      ngx_string("{\"status\":401,\"error\":\"Unauthorized\"}") },

    { NGX_HTTP_FORBIDDEN,
      ngx_string("{\"status\":403,\"error\":\"Forbidden\",\"code\":"
                 "\"read_action_not_allowed_for_webhook_endpoint\"}") },

    { NGX_HTTP_FORBIDDEN,
      ngx_string("{\"status\":403,\"error\":\"Forbidden\",\"code\":"
                 "\"write_action_not_allowed_for_webhook_endpoint\"}") },

    { NGX_HTTP_FORBIDDEN,
      ngx_string("{\"status\":403,\"error\":\"Forbidden\",\"code\":"
                 "\"read_action_not_allowed_for_webhook_jwt_public_key\"}") },

    { NGX_HTTP_FORBIDDEN,
      ngx_string("{\"status\":403,\"error\":\"Forbidden\",\"code\":"
                 "\"write_action_not_allowed_for_webhook_jwt_public_key\"}") },

    { NGX_HTTP_NOT_FOUND,
      ngx_string("{\"status\":404,\"error\":\"Not Found\",\"code\":"
                 "\"webhook_endpoint_not_found\"}") },

    { NGX_HTTP_NOT_FOUND,
      ngx_string("{\"status\":404,\"error\":\"Not Found\",\"code\":"
                 "\"resource_not_found\"}") },

    { NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
      ngx_string("{\"status\":413,\"error\":\"Payload Too Large\",\"code\":"
                 "\"request_body_too_large\"}") },

    { NGX_HTTP_SERVICE_UNAVAILABLE,
      ngx_string("{\"status\":503,\"error\":\"Service Unavailable\","
                 "\"code\":\"store_unavailable\"}") },

    { NGX_HTTP_INTERNAL_SERVER_ERROR,
      ngx_string("{\"status\":500,\"error\":\"Internal Server Error\"}") }
};



static ngx_str_t  ngx_http_lago_webhook_json_type =
    ngx_string("application/json; charset=utf-8");
static ngx_str_t  ngx_http_lago_webhook_text_type =
    ngx_string("text/plain; charset=utf-8");

static size_t ngx_http_lago_webhook_string_len(ngx_str_t *s);
static u_char *ngx_http_lago_webhook_string(u_char *p, ngx_str_t *s);
static size_t ngx_http_lago_webhook_record_len(
    ngx_http_lago_webhook_record_t *rec);
static u_char *ngx_http_lago_webhook_record(u_char *p,
    ngx_http_lago_webhook_record_t *rec);
static u_char *ngx_http_lago_webhook_two_digits(u_char *p, ngx_uint_t n);


ngx_int_t
ngx_http_lago_webhook_send_error(ngx_http_request_t *r,
    ngx_http_lago_webhook_error_e error)
{
    ngx_http_lago_webhook_error_t  *e;

    e = &ngx_http_lago_webhook_errors[error];

    return ngx_http_lago_webhook_send(r, e->status,
                                      &ngx_http_lago_webhook_json_type,
                                      e->body.data, e->body.len);
}


ngx_int_t
ngx_http_lago_webhook_send_record(ngx_http_request_t *r,
    ngx_http_lago_webhook_record_t *rec)
{
    u_char  *body, *p;
    size_t   len;

    len = sizeof("{\"webhook_endpoint\":}") - 1
          + ngx_http_lago_webhook_record_len(rec);

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(body, "{\"webhook_endpoint\":",
                   sizeof("{\"webhook_endpoint\":") - 1);
    p = ngx_http_lago_webhook_record(p, rec);
    *p++ = '}';

    return ngx_http_lago_webhook_send(r, NGX_HTTP_OK,
                                      &ngx_http_lago_webhook_json_type, body,
                                      p - body);
}


/* a list page: its records, then the meta (Kaminari's pagination) */

#define NGX_HTTP_LAGO_WEBHOOK_LIST_META_MAX                                   \
    (sizeof("],\"meta\":{\"current_page\":,\"next_page\":,"                  \
            "\"prev_page\":,\"total_pages\":,\"total_count\":}}") - 1          \
     + 5 * NGX_INT_T_LEN)


ngx_int_t
ngx_http_lago_webhook_send_list(ngx_http_request_t *r,
    ngx_http_lago_webhook_record_t *recs, ngx_uint_t n, ngx_uint_t total,
    ngx_uint_t current, ngx_uint_t per_page)
{
    u_char      *body, *p;
    size_t       len;
    ngx_uint_t   i, pages;

    len = sizeof("{\"webhook_endpoints\":[") - 1
          + NGX_HTTP_LAGO_WEBHOOK_LIST_META_MAX;

    for (i = 0; i < n; i++) {
        len += ngx_http_lago_webhook_record_len(&recs[i]) + 1;
    }

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(body, "{\"webhook_endpoints\":[",
                   sizeof("{\"webhook_endpoints\":[") - 1);

    for (i = 0; i < n; i++) {
        if (i) {
            *p++ = ',';
        }

        p = ngx_http_lago_webhook_record(p, &recs[i]);
    }

    /* Lago (Kaminari) reports page 0 of 0 for an empty collection */

    if (total == 0) {
        p = ngx_cpymem(p, "],\"meta\":{\"current_page\":0,\"next_page\":null,"
                          "\"prev_page\":null,\"total_pages\":0,"
                          "\"total_count\":0}}",
                       sizeof("],\"meta\":{\"current_page\":0,\"next_page\":"
                              "null,\"prev_page\":null,\"total_pages\":0,"
                              "\"total_count\":0}}") - 1);

        return ngx_http_lago_webhook_send(r, NGX_HTTP_OK,
                                          &ngx_http_lago_webhook_json_type,
                                          body, p - body);
    }

    pages = (total + per_page - 1) / per_page;

    p = ngx_cpymem(p, "],\"meta\":{\"current_page\":",
                   sizeof("],\"meta\":{\"current_page\":") - 1);
    p = ngx_http_lago_webhook_decimal(p, current);

    p = ngx_cpymem(p, ",\"next_page\":", sizeof(",\"next_page\":") - 1);

    if (current < pages) {
        p = ngx_http_lago_webhook_decimal(p, current + 1);

    } else {
        p = ngx_cpymem(p, "null", 4);
    }

    p = ngx_cpymem(p, ",\"prev_page\":", sizeof(",\"prev_page\":") - 1);

    if (current > 1) {
        p = ngx_http_lago_webhook_decimal(p, current - 1);

    } else {
        p = ngx_cpymem(p, "null", 4);
    }

    p = ngx_cpymem(p, ",\"total_pages\":", sizeof(",\"total_pages\":") - 1);
    p = ngx_http_lago_webhook_decimal(p, pages);
    p = ngx_cpymem(p, ",\"total_count\":", sizeof(",\"total_count\":") - 1);
    p = ngx_http_lago_webhook_decimal(p, total);
    *p++ = '}';
    *p++ = '}';

    return ngx_http_lago_webhook_send(r, NGX_HTTP_OK,
                                      &ngx_http_lago_webhook_json_type, body,
                                      p - body);
}


ngx_int_t
ngx_http_lago_webhook_send_validation(ngx_http_request_t *r,
    ngx_http_lago_webhook_input_t *in,
    ngx_http_lago_webhook_conflicts_t *conflicts)
{
    u_char      *body, *p;
    size_t       len;
    ngx_uint_t   fields;

    len = sizeof("{\"status\":422,\"error\":\"Unprocessable Entity\","
                 "\"code\":\"validation_errors\",\"error_details\":{}}") - 1
          + sizeof("\"webhook_url\":[\"value_is_mandatory\","
                   "\"url_is_invalid\",\"value_already_exist\"],") - 1
          + sizeof("\"value_is_too_long\",") - 1
          + sizeof("\"signature_algo\":[\"value_is_invalid\"],") - 1
          + sizeof("\"name\":[\"value_is_too_long\"],") - 1
          + sizeof("\"base\":[\"Maximum number of webhook endpoints was "
                   "reached\"],") - 1
          + sizeof("\"event_types\":[\"value_is_invalid\"]") - 1
          + ngx_http_lago_webhook_string_len(&in->invalid_event_types);

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(body, "{\"status\":422,\"error\":\"Unprocessable Entity\","
                         "\"code\":\"validation_errors\",\"error_details\":{",
                   sizeof("{\"status\":422,\"error\":\"Unprocessable Entity\","
                          "\"code\":\"validation_errors\","
                          "\"error_details\":{") - 1);

    fields = 0;

    if (in->url_invalid || in->url_too_long || conflicts->duplicate_url) {
        fields++;
        p = ngx_cpymem(p, "\"webhook_url\":[", sizeof("\"webhook_url\":[") - 1);

        if (in->url_mandatory) {
            p = ngx_cpymem(p, "\"value_is_mandatory\",",
                           sizeof("\"value_is_mandatory\",") - 1);
        }

        if (in->url_invalid) {
            p = ngx_cpymem(p, "\"url_is_invalid\",",
                           sizeof("\"url_is_invalid\",") - 1);
        }

        if (in->url_too_long) {
            p = ngx_cpymem(p, "\"value_is_too_long\",",
                           sizeof("\"value_is_too_long\",") - 1);
        }

        if (conflicts->duplicate_url) {
            p = ngx_cpymem(p, "\"value_already_exist\",",
                           sizeof("\"value_already_exist\",") - 1);
        }

        p[-1] = ']';
    }

    if (in->signature_algo_invalid) {
        if (fields++) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, "\"signature_algo\":[\"value_is_invalid\"]",
                       sizeof("\"signature_algo\":[\"value_is_invalid\"]")
                       - 1);
    }

    if (in->name_invalid) {
        if (fields++) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, "\"name\":[\"value_is_invalid\"]",
                       sizeof("\"name\":[\"value_is_invalid\"]") - 1);

    } else if (in->name_too_long) {
        if (fields++) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, "\"name\":[\"value_is_too_long\"]",
                       sizeof("\"name\":[\"value_is_too_long\"]") - 1);
    }

    if (conflicts->maximum_reached) {
        if (fields++) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, "\"base\":[\"Maximum number of webhook endpoints "
                          "was reached\"]",
                       sizeof("\"base\":[\"Maximum number of webhook "
                              "endpoints was reached\"]") - 1);
    }

    if (in->event_types_not_array || in->event_types_invalid
        || in->event_types_unknown)
    {
        if (fields++) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, "\"event_types\":[", sizeof("\"event_types\":[")
                                               - 1);

        if (in->event_types_not_array) {
            p = ngx_cpymem(p, "\"must_be_array\"",
                           sizeof("\"must_be_array\"") - 1);

        } else if (in->event_types_invalid) {
            p = ngx_cpymem(p, "\"value_is_invalid\"",
                           sizeof("\"value_is_invalid\"") - 1);

        } else {
            p = ngx_http_lago_webhook_string(p, &in->invalid_event_types);
        }

        *p++ = ']';
    }

    *p++ = '}';
    *p++ = '}';

    return ngx_http_lago_webhook_send(r, NGX_HTTP_UNPROCESSABLE_ENTITY,
                                      &ngx_http_lago_webhook_json_type, body,
                                      p - body);
}


ngx_int_t
ngx_http_lago_webhook_send_public_key(ngx_http_request_t *r, ngx_str_t *key,
    ngx_uint_t as_json)
{
    u_char  *body, *p;
    size_t   len;

    if (!as_json) {
        return ngx_http_lago_webhook_send(r, NGX_HTTP_OK,
                                          &ngx_http_lago_webhook_text_type,
                                          key->data, key->len);
    }

    len = sizeof("{\"webhook\":{\"public_key\":}}") - 1
          + ngx_http_lago_webhook_string_len(key);

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(body, "{\"webhook\":{\"public_key\":",
                   sizeof("{\"webhook\":{\"public_key\":") - 1);
    p = ngx_http_lago_webhook_string(p, key);
    *p++ = '}';
    *p++ = '}';

    return ngx_http_lago_webhook_send(r, NGX_HTTP_OK,
                                      &ngx_http_lago_webhook_json_type, body,
                                      p - body);
}


ngx_int_t
ngx_http_lago_webhook_send(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, u_char *body, size_t len)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    /*
     * An answer before the body was read (an unknown route or key, a
     * forbidden action, a body too large): nginx reads the body and drops
     * it, as it does for its own errors, without asking the client for it
     * with a "100 Continue" first.
     */

    if (status >= NGX_HTTP_BAD_REQUEST) {
        r->expect_tested = 1;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    r->headers_out.status = status;
    r->headers_out.content_length_n = len;

    /* nginx has no reason phrase of its own for 422 */

    if (status == NGX_HTTP_UNPROCESSABLE_ENTITY) {
        ngx_str_set(&r->headers_out.status_line, "422 Unprocessable Entity");
    }

    r->headers_out.content_type = *type;
    r->headers_out.content_type_len = type->len;
    r->headers_out.content_type_lowcase = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = body;
    b->last = body + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * Room for a string in quotes.  Short strings (ids, URLs, names: nearly
 * all of them) get room for the worst case, so that they are read only
 * once, when they are written; the body's length is where writing ended.
 * Long ones are measured, so that a page of long names does not ask for
 * six times its size.
 */

static size_t
ngx_http_lago_webhook_string_len(ngx_str_t *s)
{
    if (s->len <= NGX_HTTP_LAGO_WEBHOOK_UNMEASURED_MAX) {
        return 2 + LAGO_WEBHOOK_JSON_ESCAPED_MAX(s->len);
    }

    return 2 + lago_webhook_json_escaped_len(s->data, s->len);
}


static u_char *
ngx_http_lago_webhook_string(u_char *p, ngx_str_t *s)
{
    *p++ = '"';
    p = lago_webhook_json_escape(p, s->data, s->len);
    *p++ = '"';

    return p;
}


static size_t
ngx_http_lago_webhook_record_len(ngx_http_lago_webhook_record_t *rec)
{
    size_t  len;

    len = sizeof("{\"lago_id\":,\"lago_organization_id\":,\"webhook_url\":,"
                 "\"signature_algo\":,\"name\":,\"event_types\":,"
                 "\"created_at\":\"\"}") - 1
          + ngx_http_lago_webhook_string_len(&rec->id)
          + ngx_http_lago_webhook_string_len(&rec->organization_id)
          + ngx_http_lago_webhook_string_len(&rec->url)
          + ngx_http_lago_webhook_string_len(&rec->signature_algo)
          + NGX_HTTP_LAGO_WEBHOOK_TIME_LEN;

    len += rec->name_null ? sizeof("null") - 1
                          : ngx_http_lago_webhook_string_len(&rec->name);

    /* names hold no character that needs escaping: ["a","b"] */

    len += rec->event_types_null ? sizeof("null") - 1
                                 : 2 + 3 * rec->event_types.len + 2;

    return len;
}


static u_char *
ngx_http_lago_webhook_record(u_char *p, ngx_http_lago_webhook_record_t *rec)
{
    u_char     *s, *last;
    ngx_tm_t    tm;

    p = ngx_cpymem(p, "{\"lago_id\":", sizeof("{\"lago_id\":") - 1);
    p = ngx_http_lago_webhook_string(p, &rec->id);

    p = ngx_cpymem(p, ",\"lago_organization_id\":",
                   sizeof(",\"lago_organization_id\":") - 1);
    p = ngx_http_lago_webhook_string(p, &rec->organization_id);

    p = ngx_cpymem(p, ",\"webhook_url\":", sizeof(",\"webhook_url\":") - 1);
    p = ngx_http_lago_webhook_string(p, &rec->url);

    p = ngx_cpymem(p, ",\"signature_algo\":",
                   sizeof(",\"signature_algo\":") - 1);
    p = ngx_http_lago_webhook_string(p, &rec->signature_algo);

    p = ngx_cpymem(p, ",\"name\":", sizeof(",\"name\":") - 1);

    if (rec->name_null) {
        p = ngx_cpymem(p, "null", 4);

    } else {
        p = ngx_http_lago_webhook_string(p, &rec->name);
    }

    p = ngx_cpymem(p, ",\"event_types\":", sizeof(",\"event_types\":") - 1);

    if (rec->event_types_null) {
        p = ngx_cpymem(p, "null", 4);

    } else {
        *p++ = '[';

        s = rec->event_types.data;
        last = s + rec->event_types.len;

        if (s < last) {
            *p++ = '"';

            for ( /* void */ ; s < last; s++) {
                if (*s == ',') {
                    p = ngx_cpymem(p, "\",\"", 3);

                } else {
                    *p++ = *s;
                }
            }

            *p++ = '"';
        }

        *p++ = ']';
    }

    ngx_gmtime(rec->created_at, &tm);

    p = ngx_cpymem(p, ",\"created_at\":\"", sizeof(",\"created_at\":\"") - 1);

    /*
     * Written digit by digit: ngx_sprintf() would cost more here than all
     * the rest of a record.  The year has four digits: created_at is the
     * clock at create, or read back by ngx_http_lago_webhook_store_unpack(),
     * which refuses anything before 1970 or after 9999.
     */

    p = ngx_http_lago_webhook_two_digits(p, tm.ngx_tm_year / 100);
    p = ngx_http_lago_webhook_two_digits(p, tm.ngx_tm_year % 100);
    *p++ = '-';
    p = ngx_http_lago_webhook_two_digits(p, tm.ngx_tm_mon);
    *p++ = '-';
    p = ngx_http_lago_webhook_two_digits(p, tm.ngx_tm_mday);
    *p++ = 'T';
    p = ngx_http_lago_webhook_two_digits(p, tm.ngx_tm_hour);
    *p++ = ':';
    p = ngx_http_lago_webhook_two_digits(p, tm.ngx_tm_min);
    *p++ = ':';
    p = ngx_http_lago_webhook_two_digits(p, tm.ngx_tm_sec);
    *p++ = 'Z';
    *p++ = '"';
    *p++ = '}';

    return p;
}


static u_char *
ngx_http_lago_webhook_two_digits(u_char *p, ngx_uint_t n)
{
    *p++ = (u_char) ('0' + n / 10);
    *p++ = (u_char) ('0' + n % 10);

    return p;
}
