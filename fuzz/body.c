
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * ngx_http_lago_webhook_body_parse() on arbitrary bodies, for a create and
 * for an update, each with a pool of its own that is destroyed afterwards
 * (which also frees the parsed document).  Built with nginx's palloc in
 * its NGX_DEBUG_PALLOC form, so that every pool allocation is a heap block
 * of its own and AddressSanitizer sees any access past one.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <jansson.h>

#include "fuzz.h"

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_body.h"
#include "lago_webhook_url.h"
#include "lago_webhook_event_types.h"


#define FUZZ_INVALID_PREFIX  "contains invalid types: ["


static void fuzz_body_check(ngx_str_t *body, ngx_uint_t create,
    ngx_int_t rc, ngx_http_lago_webhook_input_t *in);
static void fuzz_body_check_event_types(ngx_str_t *list);
static void fuzz_body_touch(ngx_str_t *s);
static int fuzz_body_has_nul(ngx_str_t *s);


static ngx_open_file_t  fuzz_body_file;
static ngx_log_t        fuzz_body_log;


/*
 * nginx's ngx_log.o and ngx_cycle.o would bring in the whole of nginx's
 * configuration and process code; these two stand in for them.
 */

volatile ngx_cycle_t  *ngx_cycle;


void
ngx_log_error_core(ngx_uint_t level, ngx_log_t *log, ngx_err_t err,
    const char *fmt, ...)
{
    u_char   *p, errstr[NGX_MAX_ERROR_STR];
    va_list   args;

    p = errstr;

    va_start(args, fmt);
    p = ngx_vslprintf(p, errstr + NGX_MAX_ERROR_STR - 1, fmt, args);
    va_end(args);

    if (err) {
        p = ngx_slprintf(p, errstr + NGX_MAX_ERROR_STR - 1, " (%d)", err);
    }

    *p++ = LF;

    (void) ngx_write_fd(ngx_stderr, errstr, p - errstr);
}


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ngx_pagesize = getpagesize();
    ngx_cacheline_size = NGX_CPU_CACHE_LINE;

    for (ngx_pagesize_shift = 0;
         ((ngx_uint_t) 1 << ngx_pagesize_shift) < ngx_pagesize;
         ngx_pagesize_shift++)
    {
        /* void */
    }

    fuzz_body_file.fd = ngx_stderr;
    fuzz_body_log.file = &fuzz_body_file;
    fuzz_body_log.log_level = NGX_LOG_ALERT;

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ngx_int_t                      rc;
    ngx_str_t                      body;
    ngx_uint_t                     create;
    ngx_pool_t                    *pool;
    ngx_http_lago_webhook_input_t  in;

    body.data = (u_char *) data;
    body.len = size;

    for (create = 0; create < 2; create++) {

        pool = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, &fuzz_body_log);
        FUZZ_CHECK(pool != NULL, "out of memory");

        rc = ngx_http_lago_webhook_body_parse(pool, &body, create, 2048, &in);

        fuzz_body_check(&body, create, rc, &in);

        ngx_destroy_pool(pool);
    }

    return 0;
}


static void
fuzz_body_check(ngx_str_t *body, ngx_uint_t create, ngx_int_t rc,
    ngx_http_lago_webhook_input_t *in)
{
    u_char        *p;
    size_t         i, blank;
    json_t        *root, *we;
    json_error_t   error;

    static ngx_http_lago_webhook_input_t  zero;

    FUZZ_CHECK(rc == NGX_OK || rc == NGX_HTTP_LAGO_WEBHOOK_BODY_MALFORMED
               || rc == NGX_HTTP_LAGO_WEBHOOK_BODY_MISSING,
               "the result is NGX_OK, MALFORMED or MISSING");

    /* the same verdict as jansson's on the document itself */

    blank = 1;

    for (i = 0; i < body->len; i++) {
        p = &body->data[i];

        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            blank = 0;
            break;
        }
    }

    root = blank ? NULL : json_loadb((const char *) body->data, body->len,
                                     JSON_DECODE_ANY | JSON_ALLOW_NUL,
                                     &error);

    if (blank) {
        FUZZ_CHECK(rc == NGX_HTTP_LAGO_WEBHOOK_BODY_MISSING,
                   "a blank body is a missing parameter");

    } else if (root == NULL) {
        FUZZ_CHECK(rc == NGX_HTTP_LAGO_WEBHOOK_BODY_MALFORMED,
                   "what jansson refuses is malformed");

    } else {
        we = json_is_object(root) ? json_object_get(root, "webhook_endpoint")
                                  : NULL;

        FUZZ_CHECK((rc == NGX_HTTP_LAGO_WEBHOOK_BODY_MISSING)
                   == (we == NULL || !json_is_object(we)
                       || json_object_size(we) == 0),
                   "missing exactly without a non-empty webhook_endpoint");
    }

    json_decref(root);

    if (rc != NGX_OK) {
        FUZZ_CHECK(ngx_memcmp(in, &zero, sizeof(zero)) == 0,
                   "nothing is filled in on a 400");
        return;
    }

    fuzz_body_touch(&in->url);
    fuzz_body_touch(&in->signature_algo);
    fuzz_body_touch(&in->name);
    fuzz_body_touch(&in->event_types);
    fuzz_body_touch(&in->invalid_event_types);

    /* webhook_url */

    if (in->url_mandatory) {
        FUZZ_CHECK(in->url_invalid, "url_invalid whenever url_mandatory");
    }

    if (!in->url_present) {
        FUZZ_CHECK(in->url_mandatory == create,
                   "an absent url is mandatory on create only");
        FUZZ_CHECK(in->url.len == 0, "no url text when absent");
    }

    if (in->url_present && !in->url_invalid && !in->url_too_long) {
        FUZZ_CHECK(lago_webhook_url_is_valid(in->url.data, in->url.len),
                   "a url taken as valid is valid");
    }

    if (in->url_present && !in->url_mandatory) {
        FUZZ_CHECK(!lago_webhook_url_is_blank(in->url.data, in->url.len),
                   "a url not reported missing is not blank");
    }

    /* signature_algo */

    if (!in->signature_algo_present) {
        FUZZ_CHECK(!in->signature_algo_invalid
                   && in->signature_algo.len == 0,
                   "nothing about an absent signature_algo");

    } else if (!in->signature_algo_invalid) {
        FUZZ_CHECK((in->signature_algo.len == 3
                    && ngx_strncmp(in->signature_algo.data, "jwt", 3) == 0)
                   || (in->signature_algo.len == 4
                       && ngx_strncmp(in->signature_algo.data, "hmac", 4)
                          == 0),
                   "a valid signature_algo is jwt or hmac");

    } else {
        FUZZ_CHECK(in->signature_algo.len == 0,
                   "no signature_algo text when invalid");
    }

    /* name */

    if (!in->name_present) {
        FUZZ_CHECK(!in->name_null && in->name.len == 0,
                   "nothing about an absent name");
    }

    if (in->name_null) {
        FUZZ_CHECK(in->name.len == 0, "no name text when null");
    }

    /* event_types: at most one outcome, and each well formed */

    FUZZ_CHECK(in->event_types_null + in->event_types_not_array
               + in->event_types_invalid + in->event_types_unknown <= 1,
               "one event_types outcome at most");

    if (!in->event_types_present) {
        FUZZ_CHECK(!in->event_types_null && !in->event_types_not_array
                   && !in->event_types_invalid && !in->event_types_unknown,
                   "nothing about absent event_types");
    }

    if (in->event_types_unknown) {
        FUZZ_CHECK(in->invalid_event_types.len
                   >= sizeof(FUZZ_INVALID_PREFIX "\"\"]") - 1
                   && ngx_strncmp(in->invalid_event_types.data,
                                  FUZZ_INVALID_PREFIX,
                                  sizeof(FUZZ_INVALID_PREFIX) - 1) == 0
                   && in->invalid_event_types.data[
                          sizeof(FUZZ_INVALID_PREFIX) - 1] == '"'
                   && in->invalid_event_types.data[
                          in->invalid_event_types.len - 1] == ']'
                   && in->invalid_event_types.data[
                          in->invalid_event_types.len - 2] == '"',
                   "the invalid types message is "
                   "contains invalid types: [\"...\"]");

        FUZZ_CHECK(in->event_types.len == 0,
                   "no event_types list with unknown names");

    } else {
        FUZZ_CHECK(in->invalid_event_types.len == 0,
                   "no invalid types message without unknown names");
    }

    if (in->event_types_null || in->event_types_not_array
        || !in->event_types_present)
    {
        FUZZ_CHECK(in->event_types.len == 0,
                   "no event_types list unless an array was given");
    }

    if (!in->event_types_unknown) {
        fuzz_body_check_event_types(&in->event_types);
    }

    FUZZ_CHECK(ngx_http_lago_webhook_input_has_errors(in)
               == (in->url_invalid || in->url_too_long
                   || in->signature_algo_invalid || in->name_invalid
                   || in->name_too_long || in->event_types_not_array
                   || in->event_types_invalid || in->event_types_unknown),
               "has_errors sums up the error flags");

    /* what may be stored: no NUL (the record format), nothing too long */

    if (!ngx_http_lago_webhook_input_has_errors(in)) {
        FUZZ_CHECK(!fuzz_body_has_nul(&in->url)
                   && !fuzz_body_has_nul(&in->name)
                   && !fuzz_body_has_nul(&in->event_types),
                   "a valid input holds no NUL");
        FUZZ_CHECK(in->url.len <= 2048 && in->name.len <= 2048,
                   "a valid input is within the length limit");
    }
}


/* known names joined by ',', each once */

static void
fuzz_body_check_event_types(ngx_str_t *list)
{
    u_char  *p, *q, *r, *end, *rend;

    if (list->len == 0) {
        return;
    }

    end = list->data + list->len;

    for (p = list->data; p < end; p = q + 1) {

        q = ngx_strlchr(p, end, ',');
        if (q == NULL) {
            q = end;
        }

        FUZZ_CHECK(lago_webhook_event_type_is_known(p, q - p),
                   "the event_types list has known names only");

        for (r = list->data; r < p; r = rend + 1) {
            rend = ngx_strlchr(r, end, ',');

            FUZZ_CHECK(rend - r != q - p || ngx_memcmp(r, p, q - p) != 0,
                       "the event_types list has no repeat");
        }

        if (q == end) {
            break;
        }

        FUZZ_CHECK(q + 1 < end, "the event_types list has no trailing ','");
    }
}


static void
fuzz_body_touch(ngx_str_t *s)
{
    FUZZ_CHECK(s->len == 0 || s->data != NULL, "a string has its bytes");

    if (s->len) {
        (void) fuzz_touch(s->data, s->len);
    }
}


static int
fuzz_body_has_nul(ngx_str_t *s)
{
    return s->len && memchr(s->data, '\0', s->len) != NULL;
}
