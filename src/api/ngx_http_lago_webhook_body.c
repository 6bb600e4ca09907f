
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Parsing and validating a {"webhook_endpoint": {...}} body the way Lago's
 * controller does (strong parameters, then the model's validations), but
 * with a 4xx wherever Lago would raise a 500.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <jansson.h>
#include <math.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_body.h"
#include "lago_webhook_url.h"
#include "lago_webhook_event_types.h"


static void ngx_http_lago_webhook_body_free(void *data);
static ngx_int_t ngx_http_lago_webhook_body_scalar(ngx_pool_t *pool,
    json_t *v, ngx_str_t *out);
static void ngx_http_lago_webhook_body_float(u_char *out, double d);
static ngx_int_t ngx_http_lago_webhook_body_event_types(ngx_pool_t *pool,
    json_t *array, ngx_http_lago_webhook_input_t *in);
static size_t ngx_http_lago_webhook_body_inspect_len(
    lago_webhook_event_type_str_t *s);
static u_char *ngx_http_lago_webhook_body_inspect(u_char *p,
    lago_webhook_event_type_str_t *s);


ngx_int_t
ngx_http_lago_webhook_body_parse(ngx_pool_t *pool, ngx_str_t *body,
    ngx_uint_t create, size_t max_length, ngx_http_lago_webhook_input_t *in)
{
    u_char              *p, *last;
    json_t              *root, *we, *v;
    json_error_t         error;
    ngx_pool_cleanup_t  *cln;

    ngx_memzero(in, sizeof(ngx_http_lago_webhook_input_t));

    /* an empty body is a missing parameter to Rails, not a JSON error */

    last = body->data + body->len;

    for (p = body->data; p < last; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            break;
        }
    }

    if (p == last) {
        return NGX_HTTP_LAGO_WEBHOOK_BODY_MISSING;
    }

    cln = ngx_pool_cleanup_add(pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    /*
     * jansson rejects invalid UTF-8 and bounds the nesting depth; "\u0000"
     * is valid JSON, so it is let in, and a value holding a NUL is
     * refused below: a stored record never holds one (and Lago's
     * PostgreSQL could not store it).  Duplicate keys: the last one wins,
     * as in Ruby.
     */

    root = json_loadb((const char *) body->data, body->len,
                      JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (root == NULL) {
        return NGX_HTTP_LAGO_WEBHOOK_BODY_MALFORMED;
    }

    cln->handler = ngx_http_lago_webhook_body_free;
    cln->data = root;

    we = json_is_object(root) ? json_object_get(root, "webhook_endpoint")
                              : NULL;

    if (we == NULL || !json_is_object(we) || json_object_size(we) == 0) {
        return NGX_HTTP_LAGO_WEBHOOK_BODY_MISSING;
    }

    /* webhook_url: objects and arrays are dropped by strong parameters */

    v = json_object_get(we, "webhook_url");

    if (v != NULL && !json_is_object(v) && !json_is_array(v)) {
        in->url_present = 1;

        if (json_is_null(v)) {
            in->url_mandatory = 1;

        } else {
            if (ngx_http_lago_webhook_body_scalar(pool, v, &in->url)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            if (in->url.len > max_length) {
                in->url_too_long = 1;

            } else if (lago_webhook_url_is_blank(in->url.data, in->url.len)) {
                in->url_mandatory = 1;

            } else if (!json_is_string(v)
                       || !lago_webhook_url_is_valid(in->url.data,
                                                     in->url.len))
            {
                in->url_invalid = 1;
            }
        }

    } else if (create) {
        in->url_mandatory = 1;
    }

    if (in->url_mandatory) {
        in->url_invalid = 1;
    }

    /* signature_algo: exactly "jwt" or "hmac"; null means the default */

    v = json_object_get(we, "signature_algo");

    if (v != NULL && !(create && json_is_null(v))) {
        in->signature_algo_present = 1;

        if (json_is_string(v)
            && ((json_string_length(v) == 3
                 && ngx_strncmp(json_string_value(v), "jwt", 3) == 0)
                || (json_string_length(v) == 4
                    && ngx_strncmp(json_string_value(v), "hmac", 4) == 0)))
        {
            in->signature_algo.data = (u_char *) json_string_value(v);
            in->signature_algo.len = json_string_length(v);

        } else {
            in->signature_algo_invalid = 1;
        }
    }

    /* name: any scalar, as its text; objects and arrays are dropped */

    v = json_object_get(we, "name");

    if (v != NULL && !json_is_object(v) && !json_is_array(v)) {
        in->name_present = 1;

        if (json_is_null(v)) {
            in->name_null = 1;

        } else if (ngx_http_lago_webhook_body_scalar(pool, v, &in->name)
                   != NGX_OK)
        {
            return NGX_ERROR;

        } else if (in->name.len > max_length) {
            in->name_too_long = 1;

        } else if (ngx_strlchr(in->name.data, in->name.data + in->name.len,
                               '\0'))
        {
            in->name_invalid = 1;
        }
    }

    /* event_types: null (every event) or an array of names */

    v = json_object_get(we, "event_types");

    if (v != NULL) {
        in->event_types_present = 1;

        if (json_is_null(v)) {
            in->event_types_null = 1;

        } else if (!json_is_array(v)) {
            in->event_types_not_array = 1;

        } else if (ngx_http_lago_webhook_body_event_types(pool, v, in)
                   != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


ngx_uint_t
ngx_http_lago_webhook_input_has_errors(ngx_http_lago_webhook_input_t *in)
{
    return in->url_invalid || in->url_too_long || in->signature_algo_invalid
           || in->name_invalid || in->name_too_long
           || in->event_types_not_array || in->event_types_invalid
           || in->event_types_unknown;
}


static void
ngx_http_lago_webhook_body_free(void *data)
{
    json_decref(data);
}


/* Ruby's to_s of a JSON scalar (strings point into the parsed document) */

static ngx_int_t
ngx_http_lago_webhook_body_scalar(ngx_pool_t *pool, json_t *v, ngx_str_t *out)
{
    u_char  *p;
    double   d;

    if (json_is_string(v)) {
        out->data = (u_char *) json_string_value(v);
        out->len = json_string_length(v);
        return NGX_OK;
    }

    if (json_is_true(v)) {
        ngx_str_set(out, "true");
        return NGX_OK;
    }

    if (json_is_false(v)) {
        ngx_str_set(out, "false");
        return NGX_OK;
    }

    p = ngx_pnalloc(pool, 64);
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->data = p;

    if (json_is_integer(v)) {
        out->len = ngx_sprintf(p, "%L", (int64_t) json_integer_value(v)) - p;
        return NGX_OK;
    }

    /*
     * Ruby's Float#to_s: the shortest digits that read back as the same
     * double; fixed notation from 1e-4 up to below 1e16, else d.ddde+XX;
     * always a fraction (1.0, 1.0e+20).
     */

    d = json_real_value(v);

    ngx_http_lago_webhook_body_float(p, d);
    out->len = ngx_strlen(p);

    return NGX_OK;
}


/* out: 64 bytes at least */

static void
ngx_http_lago_webhook_body_float(u_char *out, double d)
{
    int      precision, exp, ndigits, i;
    u_char  *p;
    char     buf[40], digits[20], *e;

    if (!isfinite(d)) {
        /* JSON has no such numbers; jansson never gives one */
        ngx_cpystrn(out, (u_char *) "NaN", 4);
        return;
    }

    /* 17 significant digits always read back the same double */

    for (precision = 1; /* void */; precision++) {
        snprintf(buf, sizeof(buf), "%.*e", precision - 1, d);

        if (precision == 17 || strtod(buf, NULL) == d) {
            break;
        }
    }

    /* buf: [-]d[.ddd]e[+-]xx */

    p = out;
    e = buf;

    if (*e == '-') {
        *p++ = '-';
        e++;
    }

    ndigits = 0;

    for ( /* void */ ; *e != 'e'; e++) {
        if (*e != '.') {
            digits[ndigits++] = *e;
        }
    }

    exp = atoi(e + 1);

    while (ndigits > 1 && digits[ndigits - 1] == '0') {
        ndigits--;
    }

    if (exp >= -4 && exp < 16) {

        if (exp < 0) {
            *p++ = '0';
            *p++ = '.';

            for (i = -1; i > exp; i--) {
                *p++ = '0';
            }

            for (i = 0; i < ndigits; i++) {
                *p++ = digits[i];
            }

        } else {
            for (i = 0; i <= exp; i++) {
                *p++ = i < ndigits ? digits[i] : '0';
            }

            *p++ = '.';

            if (ndigits > exp + 1) {
                for (i = exp + 1; i < ndigits; i++) {
                    *p++ = digits[i];
                }

            } else {
                *p++ = '0';
            }
        }

    } else {
        *p++ = digits[0];
        *p++ = '.';

        if (ndigits > 1) {
            for (i = 1; i < ndigits; i++) {
                *p++ = digits[i];
            }

        } else {
            *p++ = '0';
        }

        p = ngx_sprintf(p, "e%c%02d", exp < 0 ? '-' : '+',
                        exp < 0 ? -exp : exp);
    }

    *p = '\0';
}


/*
 * Each element to string, stripped and lower-cased; blanks, nulls and
 * repeats dropped.  ["*"] alone means every event (null).  Unknown names
 * become Lago's message: contains invalid types: ["a.b", "c"]
 */

static ngx_int_t
ngx_http_lago_webhook_body_event_types(ngx_pool_t *pool, json_t *array,
    ngx_http_lago_webhook_input_t *in)
{
    u_char                         *p, *buf;
    size_t                          i, n, kept, len, nunknown, *scratch;
    json_t                         *v;
    ngx_str_t                       text;
    lago_webhook_event_type_str_t  *items;

    n = json_array_size(array);

    if (n == 0) {
        ngx_str_set(&in->event_types, "");
        return NGX_OK;
    }

    items = ngx_palloc(pool, n * sizeof(lago_webhook_event_type_str_t));
    scratch = ngx_palloc(pool, n * sizeof(size_t));

    if (items == NULL || scratch == NULL) {
        return NGX_ERROR;
    }

    kept = 0;

    json_array_foreach(array, i, v) {

        if (json_is_null(v)) {
            continue;
        }

        if (json_is_object(v) || json_is_array(v)) {
            /* Ruby would inspect it; its compact JSON is as telling */
            p = (u_char *) json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            if (p == NULL) {
                return NGX_ERROR;
            }

            text.len = ngx_strlen(p);
            text.data = ngx_pnalloc(pool, text.len);
            if (text.data == NULL) {
                free(p);
                return NGX_ERROR;
            }

            ngx_memcpy(text.data, p, text.len);
            free(p);

        } else if (ngx_http_lago_webhook_body_scalar(pool, v, &text)
                   != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (ngx_strlchr(text.data, text.data + text.len, '\0')) {
            in->event_types_invalid = 1;
            return NGX_OK;
        }

        buf = ngx_pnalloc(pool, text.len + 1);
        if (buf == NULL) {
            return NGX_ERROR;
        }

        len = lago_webhook_event_type_normalize(buf, text.data, text.len);

        if (len == 0) {
            continue;
        }

        items[kept].data = buf;
        items[kept].len = len;
        kept++;
    }

    n = lago_webhook_event_types_dedup(items, kept, scratch);

    if (n == 1 && items[0].len == 1 && items[0].data[0] == '*') {
        in->event_types_null = 1;
        return NGX_OK;
    }

    /* the names joined by ',', or the message listing the unknown ones */

    len = 0;
    nunknown = 0;

    for (i = 0; i < n; i++) {
        if (lago_webhook_event_type_is_known(items[i].data, items[i].len)) {
            len += items[i].len + 1;

        } else {
            nunknown++;
        }
    }

    if (nunknown == 0) {
        p = ngx_pnalloc(pool, len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        in->event_types.data = p;

        for (i = 0; i < n; i++) {
            if (i) {
                *p++ = ',';
            }

            p = ngx_cpymem(p, items[i].data, items[i].len);
        }

        in->event_types.len = p - in->event_types.data;

        return NGX_OK;
    }

    in->event_types_unknown = 1;

    len = sizeof("contains invalid types: []") - 1;

    for (i = 0; i < n; i++) {
        if (!lago_webhook_event_type_is_known(items[i].data, items[i].len)) {
            len += ngx_http_lago_webhook_body_inspect_len(&items[i]) + 2;
        }
    }

    p = ngx_pnalloc(pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    in->invalid_event_types.data = p;
    p = ngx_cpymem(p, "contains invalid types: [",
                   sizeof("contains invalid types: [") - 1);

    kept = 0;

    for (i = 0; i < n; i++) {
        if (lago_webhook_event_type_is_known(items[i].data, items[i].len)) {
            continue;
        }

        if (kept++) {
            *p++ = ',';
            *p++ = ' ';
        }

        p = ngx_http_lago_webhook_body_inspect(p, &items[i]);
    }

    *p++ = ']';
    in->invalid_event_types.len = p - in->invalid_event_types.data;

    return NGX_OK;
}


/* Ruby's String#inspect, for the few characters it changes */

static size_t
ngx_http_lago_webhook_body_inspect_len(lago_webhook_event_type_str_t *s)
{
    u_char  buf[8];
    size_t  i, len;

    len = 2;

    for (i = 0; i < s->len; i++) {
        lago_webhook_event_type_str_t  one;

        one.data = &s->data[i];
        one.len = 1;

        len += ngx_http_lago_webhook_body_inspect(buf, &one) - buf - 2;

        /* "#{" "#$" "#@" are escaped as "\#" */
        if (s->data[i] == '#' && i + 1 < s->len
            && (s->data[i + 1] == '{' || s->data[i + 1] == '$'
                || s->data[i + 1] == '@'))
        {
            len++;
        }
    }

    return len;
}


static u_char *
ngx_http_lago_webhook_body_inspect(u_char *p,
    lago_webhook_event_type_str_t *s)
{
    u_char  c;
    size_t  i;

    static u_char  hex[] = "0123456789ABCDEF";

    *p++ = '"';

    for (i = 0; i < s->len; i++) {
        c = s->data[i];

        switch (c) {

        case '"':
        case '\\':
            *p++ = '\\';
            *p++ = c;
            break;

        case '\n':
            *p++ = '\\'; *p++ = 'n';
            break;

        case '\t':
            *p++ = '\\'; *p++ = 't';
            break;

        case '\r':
            *p++ = '\\'; *p++ = 'r';
            break;

        case '\f':
            *p++ = '\\'; *p++ = 'f';
            break;

        case '\v':
            *p++ = '\\'; *p++ = 'v';
            break;

        case '\b':
            *p++ = '\\'; *p++ = 'b';
            break;

        case '\a':
            *p++ = '\\'; *p++ = 'a';
            break;

        case 0x1b:
            *p++ = '\\'; *p++ = 'e';
            break;

        case '#':
            if (i + 1 < s->len
                && (s->data[i + 1] == '{' || s->data[i + 1] == '$'
                    || s->data[i + 1] == '@'))
            {
                *p++ = '\\';
            }

            *p++ = c;
            break;

        default:
            if (c < 0x20) {
                p = ngx_cpymem(p, "\\u00", 4);
                *p++ = hex[c >> 4];
                *p++ = hex[c & 0xf];

            } else if (c == 0x7f) {
                p = ngx_cpymem(p, "\\x7F", 4);

            } else {
                *p++ = c;
            }
        }
    }

    *p++ = '"';

    return p;
}
