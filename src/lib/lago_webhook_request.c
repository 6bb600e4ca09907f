
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


#include <string.h>

#include "lago_webhook_request.h"


#define LAGO_WEBHOOK_LIT(s)  (const unsigned char *) (s), (sizeof(s) - 1)


static int lago_webhook_request_is(const unsigned char *p, size_t len,
    const unsigned char *lit, size_t lit_len);


lago_webhook_route_e
lago_webhook_route(const unsigned char *path, size_t len, unsigned int method,
    const unsigned char **id, size_t *id_len)
{
    size_t                n;
    const unsigned char  *p, *last, *rest, *start;

    static const char  prefix[] = "/api/v1/";
    static const char  collection[] = "webhook_endpoints";

    p = path;
    last = p + len;

    while (last > p && last[-1] == '/') {
        last--;
    }

    if ((size_t) (last - p) > 5 && memcmp(last - 5, ".json", 5) == 0) {
        last -= 5;
    }

    if ((size_t) (last - p) < sizeof(prefix) - 1
        || memcmp(p, prefix, sizeof(prefix) - 1) != 0)
    {
        return LAGO_WEBHOOK_ROUTE_NONE;
    }

    rest = p + sizeof(prefix) - 1;
    n = last - rest;

    if (lago_webhook_request_is(rest, n,
                                LAGO_WEBHOOK_LIT("webhooks/public_key")))
    {
        return (method & (LAGO_WEBHOOK_METHOD_GET|LAGO_WEBHOOK_METHOD_HEAD))
               ? LAGO_WEBHOOK_ROUTE_PUBLIC_KEY : LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (lago_webhook_request_is(rest, n,
                                LAGO_WEBHOOK_LIT("webhooks/json_public_key")))
    {
        return (method & (LAGO_WEBHOOK_METHOD_GET|LAGO_WEBHOOK_METHOD_HEAD))
               ? LAGO_WEBHOOK_ROUTE_JSON_PUBLIC_KEY : LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (n < sizeof(collection) - 1
        || memcmp(rest, collection, sizeof(collection) - 1) != 0)
    {
        return LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (n == sizeof(collection) - 1) {

        if (method & (LAGO_WEBHOOK_METHOD_GET|LAGO_WEBHOOK_METHOD_HEAD)) {
            return LAGO_WEBHOOK_ROUTE_LIST;
        }

        if (method == LAGO_WEBHOOK_METHOD_POST) {
            return LAGO_WEBHOOK_ROUTE_CREATE;
        }

        return LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (rest[sizeof(collection) - 1] != '/') {
        return LAGO_WEBHOOK_ROUTE_NONE;
    }

    start = rest + sizeof(collection);

    if (start == last || memchr(start, '/', last - start) != NULL) {
        return LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (method & (LAGO_WEBHOOK_METHOD_GET|LAGO_WEBHOOK_METHOD_HEAD)) {
        *id = start;
        *id_len = last - start;
        return LAGO_WEBHOOK_ROUTE_SHOW;
    }

    if (method & (LAGO_WEBHOOK_METHOD_PUT|LAGO_WEBHOOK_METHOD_PATCH)) {
        *id = start;
        *id_len = last - start;
        return LAGO_WEBHOOK_ROUTE_UPDATE;
    }

    if (method == LAGO_WEBHOOK_METHOD_DELETE) {
        *id = start;
        *id_len = last - start;
        return LAGO_WEBHOOK_ROUTE_DELETE;
    }

    return LAGO_WEBHOOK_ROUTE_NONE;
}


int
lago_webhook_bearer(const unsigned char *value, size_t len,
    const unsigned char **key, size_t *key_len)
{
    const unsigned char  *p, *last, *start;

    p = value;
    last = p + len;

    /* blanks, the first word, blanks, the key */

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
        return -1;
    }

    *key = start;
    *key_len = p - start;

    return 0;
}


unsigned long
lago_webhook_page_number(const unsigned char *value, size_t len,
    int per_page)
{
    unsigned long long    n;
    const unsigned char  *p, *last;

    p = value;
    last = p + len;

    if (!per_page) {
        while (p < last && (*p == ' ' || *p == '+')) {
            p++;
        }
    }

    if (p == last || *p < '0' || *p > '9') {
        return 0;
    }

    n = 0;

    /* digits past the maximum are read, and ignored */

    while (p < last && *p >= '0' && *p <= '9') {
        if (n < LAGO_WEBHOOK_PAGE_MAX) {
            n = n * 10 + (*p - '0');
        }

        p++;
    }

    if (n > LAGO_WEBHOOK_PAGE_MAX) {
        n = LAGO_WEBHOOK_PAGE_MAX;
    }

    return (unsigned long) n;
}


static int
lago_webhook_request_is(const unsigned char *p, size_t len,
    const unsigned char *lit, size_t lit_len)
{
    return len == lit_len && memcmp(p, lit, len) == 0;
}
