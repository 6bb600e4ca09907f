
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The request readers on arbitrary bytes.  The first byte is the method
 * (its low seven bits) and whether the page value is per_page's (its
 * high bit); the rest is the path, the Authorization header's value and
 * the page value at once.  Checked: the route names an id only where it
 * should, within the path, and trailing slashes change nothing; the
 * method is one the route takes; the key is the header's second word;
 * the page number is what a second, independent reading finds.
 */


#include "fuzz.h"

#include "lago_webhook_request.h"


#define FUZZ_GET_HEAD  (LAGO_WEBHOOK_METHOD_GET|LAGO_WEBHOOK_METHOD_HEAD)


static void fuzz_route(const unsigned char *s, size_t len,
    unsigned int method);
static void fuzz_bearer(const unsigned char *s, size_t len);
static void fuzz_page(const unsigned char *s, size_t len, int per_page);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char  *s;

    if (size == 0) {
        return 0;
    }

    s = fuzz_dup(data + 1, size - 1);

    fuzz_route(s, size - 1, data[0] & 0x7f);
    fuzz_bearer(s, size - 1);
    fuzz_page(s, size - 1, data[0] >> 7);

    FUZZ_CHECK(memcmp(s, data + 1, size - 1) == 0, "the input is kept");

    free(s);

    return 0;
}


static void
fuzz_route(const unsigned char *s, size_t len, unsigned int method)
{
    size_t                 i, id_len, id2_len;
    unsigned char         *slash;
    const unsigned char   *id, *id2;
    lago_webhook_route_e   route, again;

    id = NULL;
    id_len = 0;

    route = lago_webhook_route(s, len, method, &id, &id_len);

    FUZZ_CHECK(route >= LAGO_WEBHOOK_ROUTE_NONE
               && route <= LAGO_WEBHOOK_ROUTE_JSON_PUBLIC_KEY,
               "a route of the enum");

    switch (route) {

    case LAGO_WEBHOOK_ROUTE_SHOW:
    case LAGO_WEBHOOK_ROUTE_UPDATE:
    case LAGO_WEBHOOK_ROUTE_DELETE:
        FUZZ_CHECK(id != NULL && id_len > 0, "an id route names an id");
        FUZZ_CHECK(id >= s + sizeof("/api/v1/webhook_endpoints/") - 1
                   && id + id_len <= s + len, "the id lies in the path");
        FUZZ_CHECK(memcmp(id - 1, "/", 1) == 0, "the id follows a '/'");
        FUZZ_CHECK(memchr(id, '/', id_len) == NULL, "no '/' in the id");
        fuzz_touch(id, id_len);
        break;

    default:
        FUZZ_CHECK(id == NULL && id_len == 0, "no id otherwise");
    }

    if (route != LAGO_WEBHOOK_ROUTE_NONE) {
        FUZZ_CHECK(len >= 8 && memcmp(s, "/api/v1/", 8) == 0,
                   "a route is under /api/v1/");
    }

    switch (route) {

    case LAGO_WEBHOOK_ROUTE_LIST:
    case LAGO_WEBHOOK_ROUTE_SHOW:
    case LAGO_WEBHOOK_ROUTE_PUBLIC_KEY:
    case LAGO_WEBHOOK_ROUTE_JSON_PUBLIC_KEY:
        FUZZ_CHECK(method & FUZZ_GET_HEAD, "a read is GET or HEAD");
        break;

    case LAGO_WEBHOOK_ROUTE_CREATE:
        FUZZ_CHECK(method == LAGO_WEBHOOK_METHOD_POST, "create is POST");
        break;

    case LAGO_WEBHOOK_ROUTE_UPDATE:
        FUZZ_CHECK(!(method & FUZZ_GET_HEAD)
                   && (method & (LAGO_WEBHOOK_METHOD_PUT
                                 |LAGO_WEBHOOK_METHOD_PATCH)),
                   "update is PUT or PATCH");
        break;

    case LAGO_WEBHOOK_ROUTE_DELETE:
        FUZZ_CHECK(method == LAGO_WEBHOOK_METHOD_DELETE, "delete is DELETE");
        break;

    default:
        break;
    }

    /* a trailing slash more: the same route, the same id */

    slash = malloc(len + 1);
    FUZZ_CHECK(slash != NULL, "out of memory");

    memcpy(slash, s, len);
    slash[len] = '/';

    id2 = NULL;
    id2_len = 0;

    again = lago_webhook_route(slash, len + 1, method, &id2, &id2_len);

    FUZZ_CHECK(again == route, "a trailing slash changes nothing");
    FUZZ_CHECK(id2_len == id_len
               && (id == NULL || id2 - slash == id - s),
               "nor the id");

    free(slash);

    /* an id names the same record without what the path had around it */

    if (id != NULL
        && !(id_len >= 5 && memcmp(id + id_len - 5, ".json", 5) == 0))
    {
        i = sizeof("/api/v1/webhook_endpoints/") - 1;

        slash = malloc(i + id_len);
        FUZZ_CHECK(slash != NULL, "out of memory");

        memcpy(slash, "/api/v1/webhook_endpoints/", i);
        memcpy(slash + i, id, id_len);

        id2 = NULL;
        id2_len = 0;

        again = lago_webhook_route(slash, i + id_len, method, &id2,
                                   &id2_len);

        FUZZ_CHECK(again == route && id2 == slash + i && id2_len == id_len,
                   "the id alone routes the same");

        free(slash);
    }
}


static void
fuzz_bearer(const unsigned char *s, size_t len)
{
    size_t                key_len, words, i;
    unsigned char        *blank;
    const unsigned char  *key, *key2;
    int                   rc, in_word;

    key = NULL;
    key_len = 0;

    rc = lago_webhook_bearer(s, len, &key, &key_len);

    /* the words before the key, or in the whole value */

    words = 0;
    in_word = 0;

    for (i = 0; i < (rc == 0 ? (size_t) (key - s) : len); i++) {
        if (s[i] == ' ' || s[i] == '\t') {
            in_word = 0;

        } else if (!in_word) {
            in_word = 1;
            words++;
        }
    }

    if (rc != 0) {
        FUZZ_CHECK(rc == -1, "bearer returns 0 or -1");
        FUZZ_CHECK(key == NULL && key_len == 0, "no key is written");
        FUZZ_CHECK(words < 2, "no key: fewer than two words");
        return;
    }

    FUZZ_CHECK(key > s && key + key_len <= s + len && key_len > 0,
               "the key lies in the value");
    FUZZ_CHECK(words == 1, "the key is the second word");
    FUZZ_CHECK(key[-1] == ' ' || key[-1] == '\t', "a blank before it");
    FUZZ_CHECK(key + key_len == s + len || key[key_len] == ' '
               || key[key_len] == '\t', "a blank or the end after it");

    for (i = 0; i < key_len; i++) {
        FUZZ_CHECK(key[i] != ' ' && key[i] != '\t', "no blank in the key");
    }

    /* a blank more in front: the same key */

    blank = malloc(len + 1);
    FUZZ_CHECK(blank != NULL, "out of memory");

    blank[0] = '\t';
    memcpy(blank + 1, s, len);

    FUZZ_CHECK(lago_webhook_bearer(blank, len + 1, &key2, &key_len) == 0
               && key2 - blank == key - s + 1,
               "a leading blank changes nothing");

    free(blank);
}


/*
 * The reference: the digits after what is skipped, without leading
 * zeros; more than ten of them, or a value past the maximum, is the
 * maximum.
 */

static void
fuzz_page(const unsigned char *s, size_t len, int per_page)
{
    size_t         i, start, end, digits;
    unsigned long  n, expect;

    n = lago_webhook_page_number(s, len, per_page);

    FUZZ_CHECK(n <= LAGO_WEBHOOK_PAGE_MAX, "at most the maximum");

    i = 0;

    if (!per_page) {
        while (i < len && (s[i] == ' ' || s[i] == '+')) {
            i++;
        }
    }

    start = i;

    while (i < len && s[i] >= '0' && s[i] <= '9') {
        i++;
    }

    end = i;

    while (start < end && s[start] == '0') {
        start++;
    }

    digits = end - start;

    if (digits > 10) {
        expect = LAGO_WEBHOOK_PAGE_MAX;

    } else {
        expect = 0;

        for (i = start; i < end; i++) {
            expect = expect * 10 + (s[i] - '0');
        }

        if (expect > LAGO_WEBHOOK_PAGE_MAX) {
            expect = LAGO_WEBHOOK_PAGE_MAX;
        }
    }

    FUZZ_CHECK(n == expect, "the number the reference reads");
}
