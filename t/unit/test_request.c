
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Tests of what a request's bytes say: the route of a path and a method,
 * the API key of an Authorization header, and the page arguments.
 */


#include "unit.h"

#include "lago_webhook_request.h"


#define GET     LAGO_WEBHOOK_METHOD_GET
#define HEAD    LAGO_WEBHOOK_METHOD_HEAD
#define POST    LAGO_WEBHOOK_METHOD_POST
#define PUT     LAGO_WEBHOOK_METHOD_PUT
#define PATCH   LAGO_WEBHOOK_METHOD_PATCH
#define DELETE  LAGO_WEBHOOK_METHOD_DELETE
#define OTHER   LAGO_WEBHOOK_METHOD_OTHER

#define UUID    "8d6a0c1e-1f2b-4c3d-9e4f-5a6b7c8d9e0f"


static const unsigned char  *id;
static size_t                id_len;


static lago_webhook_route_e
route(const char *path, size_t len, unsigned int method)
{
    id = NULL;
    id_len = 0;

    return lago_webhook_route((const unsigned char *) path, len, method,
                              &id, &id_len);
}

#define ROUTE(lit, method)  route((lit), sizeof(lit) - 1, (method))


/* the route names an id of exactly these bytes */

static int
id_is(const char *s, size_t len)
{
    return id != NULL && id_len == len && memcmp(id, s, len) == 0;
}

#define ID_IS(lit)  id_is((lit), sizeof(lit) - 1)


static int
bearer(const char *value, size_t len, const char *expect)
{
    size_t                key_len;
    const unsigned char  *key;

    key = NULL;
    key_len = 0;

    if (lago_webhook_bearer((const unsigned char *) value, len, &key,
                            &key_len)
        != 0)
    {
        return expect == NULL && key == NULL;
    }

    return expect != NULL && key_len == strlen(expect)
           && memcmp(key, expect, key_len) == 0
           && key >= (const unsigned char *) value
           && key + key_len <= (const unsigned char *) value + len;
}

#define BEARER(lit, expect)  bearer((lit), sizeof(lit) - 1, (expect))


#define PAGE(lit, per_page)                                                   \
    lago_webhook_page_number(UNIT_S(lit), (per_page))


static void
test_route(void)
{
    /* the collection */
    CHECK(ROUTE("/api/v1/webhook_endpoints", GET) == LAGO_WEBHOOK_ROUTE_LIST,
          "GET collection is list");
    CHECK(ROUTE("/api/v1/webhook_endpoints", HEAD)
          == LAGO_WEBHOOK_ROUTE_LIST, "HEAD collection is list");
    CHECK(ROUTE("/api/v1/webhook_endpoints", POST)
          == LAGO_WEBHOOK_ROUTE_CREATE, "POST collection is create");
    CHECK(ROUTE("/api/v1/webhook_endpoints", PUT) == LAGO_WEBHOOK_ROUTE_NONE,
          "PUT collection is none");
    CHECK(ROUTE("/api/v1/webhook_endpoints", DELETE)
          == LAGO_WEBHOOK_ROUTE_NONE, "DELETE collection is none");
    CHECK(ROUTE("/api/v1/webhook_endpoints", OTHER)
          == LAGO_WEBHOOK_ROUTE_NONE, "other method on the collection");
    CHECK(ROUTE("/api/v1/webhook_endpoints", POST|OTHER)
          == LAGO_WEBHOOK_ROUTE_NONE, "POST is POST alone");
    CHECK(ROUTE("/api/v1/webhook_endpoints", GET) == LAGO_WEBHOOK_ROUTE_LIST
          && id == NULL, "a list names no id");

    /* trailing slashes and .json, in that order */
    CHECK(ROUTE("/api/v1/webhook_endpoints/", GET)
          == LAGO_WEBHOOK_ROUTE_LIST, "trailing slash");
    CHECK(ROUTE("/api/v1/webhook_endpoints///", POST)
          == LAGO_WEBHOOK_ROUTE_CREATE, "trailing slashes");
    CHECK(ROUTE("/api/v1/webhook_endpoints.json", GET)
          == LAGO_WEBHOOK_ROUTE_LIST, ".json");
    CHECK(ROUTE("/api/v1/webhook_endpoints.json/", GET)
          == LAGO_WEBHOOK_ROUTE_LIST, ".json then a slash");
    CHECK(ROUTE("/api/v1/webhook_endpoints/.json", GET)
          == LAGO_WEBHOOK_ROUTE_NONE, "a slash then .json: an empty id");
    CHECK(ROUTE("/api/v1/webhook_endpoints.json.json", GET)
          == LAGO_WEBHOOK_ROUTE_NONE, ".json once only");
    CHECK(ROUTE("/api/v1/webhook_endpoints.xml", GET)
          == LAGO_WEBHOOK_ROUTE_NONE, "another format");

    /* the prefix */
    CHECK(ROUTE("/api/v1/", GET) == LAGO_WEBHOOK_ROUTE_NONE, "prefix only");
    CHECK(ROUTE("/api/v1", GET) == LAGO_WEBHOOK_ROUTE_NONE, "short prefix");
    CHECK(ROUTE("", GET) == LAGO_WEBHOOK_ROUTE_NONE, "empty path");
    CHECK(ROUTE("/", GET) == LAGO_WEBHOOK_ROUTE_NONE, "root");
    CHECK(ROUTE("/api/v2/webhook_endpoints", GET) == LAGO_WEBHOOK_ROUTE_NONE,
          "other version");
    CHECK(ROUTE("/API/v1/webhook_endpoints", GET) == LAGO_WEBHOOK_ROUTE_NONE,
          "case matters");
    CHECK(ROUTE("api/v1/webhook_endpoints", GET) == LAGO_WEBHOOK_ROUTE_NONE,
          "no leading slash");
    CHECK(ROUTE("/api/v1//webhook_endpoints", GET) == LAGO_WEBHOOK_ROUTE_NONE,
          "double slash inside");
    CHECK(ROUTE("/api/v1/webhook_endpointsx", GET) == LAGO_WEBHOOK_ROUTE_NONE,
          "longer name");
    CHECK(ROUTE("/api/v1/webhook_endpoint", GET) == LAGO_WEBHOOK_ROUTE_NONE,
          "shorter name");
    CHECK(ROUTE("/api/v1/webhook_endpoints\0", GET)
          == LAGO_WEBHOOK_ROUTE_NONE, "a NUL after the name");

    /* one record */
    CHECK(ROUTE("/api/v1/webhook_endpoints/" UUID, GET)
          == LAGO_WEBHOOK_ROUTE_SHOW && ID_IS(UUID), "GET id is show");
    CHECK(ROUTE("/api/v1/webhook_endpoints/" UUID, HEAD)
          == LAGO_WEBHOOK_ROUTE_SHOW && ID_IS(UUID), "HEAD id is show");
    CHECK(ROUTE("/api/v1/webhook_endpoints/" UUID, PUT)
          == LAGO_WEBHOOK_ROUTE_UPDATE && ID_IS(UUID), "PUT id is update");
    CHECK(ROUTE("/api/v1/webhook_endpoints/" UUID, PATCH)
          == LAGO_WEBHOOK_ROUTE_UPDATE && ID_IS(UUID), "PATCH id is update");
    CHECK(ROUTE("/api/v1/webhook_endpoints/" UUID, DELETE)
          == LAGO_WEBHOOK_ROUTE_DELETE && ID_IS(UUID), "DELETE id");
    CHECK(ROUTE("/api/v1/webhook_endpoints/" UUID, POST)
          == LAGO_WEBHOOK_ROUTE_NONE && id == NULL, "POST id is none");
    CHECK(ROUTE("/api/v1/webhook_endpoints/" UUID, DELETE|OTHER)
          == LAGO_WEBHOOK_ROUTE_NONE, "DELETE is DELETE alone");
    CHECK(ROUTE("/api/v1/webhook_endpoints/" UUID, OTHER)
          == LAGO_WEBHOOK_ROUTE_NONE, "other method on an id");
    CHECK(ROUTE("/api/v1/webhook_endpoints/" UUID ".json/", GET)
          == LAGO_WEBHOOK_ROUTE_SHOW && ID_IS(UUID), "id.json/");
    CHECK(ROUTE("/api/v1/webhook_endpoints/" UUID "//", DELETE)
          == LAGO_WEBHOOK_ROUTE_DELETE && ID_IS(UUID), "id//");

    /* any id: whether it is a UUID is the caller's to tell */
    CHECK(ROUTE("/api/v1/webhook_endpoints/x", GET)
          == LAGO_WEBHOOK_ROUTE_SHOW && ID_IS("x"), "one byte id");
    CHECK(ROUTE("/api/v1/webhook_endpoints/a b%00", GET)
          == LAGO_WEBHOOK_ROUTE_SHOW && ID_IS("a b%00"), "bytes kept");
    CHECK(ROUTE("/api/v1/webhook_endpoints/a\0b", PATCH)
          == LAGO_WEBHOOK_ROUTE_UPDATE && ID_IS("a\0b"), "a NUL in an id");
    CHECK(ROUTE("/api/v1/webhook_endpoints/x.json", GET)
          == LAGO_WEBHOOK_ROUTE_SHOW && ID_IS("x"), "x.json is x");
    CHECK(ROUTE("/api/v1/webhook_endpoints/.json.json", GET)
          == LAGO_WEBHOOK_ROUTE_SHOW && ID_IS(".json"), "id .json");
    CHECK(ROUTE("/api/v1/webhook_endpoints/a/b", GET)
          == LAGO_WEBHOOK_ROUTE_NONE && id == NULL, "a slash in the id");
    CHECK(ROUTE("/api/v1/webhook_endpoints/a/b", DELETE)
          == LAGO_WEBHOOK_ROUTE_NONE, "a slash in the id, DELETE");
    CHECK(ROUTE("/api/v1/webhook_endpoints//a", GET)
          == LAGO_WEBHOOK_ROUTE_NONE, "an empty segment first");

    /* the public key */
    CHECK(ROUTE("/api/v1/webhooks/public_key", GET)
          == LAGO_WEBHOOK_ROUTE_PUBLIC_KEY, "public key");
    CHECK(ROUTE("/api/v1/webhooks/public_key.json/", HEAD)
          == LAGO_WEBHOOK_ROUTE_PUBLIC_KEY, "public key, HEAD, .json/");
    CHECK(ROUTE("/api/v1/webhooks/public_key", POST)
          == LAGO_WEBHOOK_ROUTE_NONE, "POST public key");
    CHECK(ROUTE("/api/v1/webhooks/json_public_key", GET)
          == LAGO_WEBHOOK_ROUTE_JSON_PUBLIC_KEY, "json public key");
    CHECK(ROUTE("/api/v1/webhooks/json_public_key", DELETE)
          == LAGO_WEBHOOK_ROUTE_NONE, "DELETE json public key");
    CHECK(ROUTE("/api/v1/webhooks/public_keys", GET)
          == LAGO_WEBHOOK_ROUTE_NONE, "public_keys");
    CHECK(ROUTE("/api/v1/webhooks", GET) == LAGO_WEBHOOK_ROUTE_NONE,
          "webhooks alone");

    /* the path is read within its length only */
    CHECK(route("/api/v1/webhook_endpoints/x", 25, GET)
          == LAGO_WEBHOOK_ROUTE_LIST, "a prefix of a longer buffer");
}


static void
test_bearer(void)
{
    size_t                key_len;
    const unsigned char  *key;

    CHECK(BEARER("Bearer abc", "abc"), "Bearer key");
    CHECK(BEARER("bearer abc", "abc"), "the first word is not read");
    CHECK(BEARER("Token abc", "abc"), "any first word");
    CHECK(BEARER("  \tBearer \t  abc\t ", "abc"), "blanks around");
    CHECK(BEARER("Bearer abc def", "abc"), "the second word only");
    CHECK(BEARER("Bearer", NULL), "no key");
    CHECK(BEARER("Bearer   ", NULL), "blanks, no key");
    CHECK(BEARER("", NULL), "empty header");
    CHECK(BEARER("   ", NULL), "blanks only");
    CHECK(BEARER("abc", NULL), "one word is not a key");
    CHECK(BEARER("Bearer\tabc", "abc"), "a tab between");
    CHECK(lago_webhook_bearer(UNIT_S("Bearer a\0b c"), &key, &key_len) == 0
          && key_len == 3 && memcmp(key, "a\0b", 3) == 0,
          "a NUL is part of the key");
    CHECK(BEARER("Bearer\nabc", NULL), "a newline is not a blank");
    CHECK(bearer("Bearer abcdef", 10, "abc"), "within its length only");
}


static void
test_page(void)
{
    size_t          k;
    unsigned char   big[64];

    CHECK(PAGE("2", 0) == 2, "page 2");
    CHECK(PAGE("2abc", 0) == 2, "leading number");
    CHECK(PAGE("abc", 0) == 0, "no number");
    CHECK(PAGE("", 0) == 0, "empty");
    CHECK(PAGE("0", 0) == 0, "zero");
    CHECK(PAGE("000", 0) == 0, "zeros");
    CHECK(PAGE("007", 0) == 7, "leading zeros");
    CHECK(PAGE("-3", 0) == 0, "negative");
    CHECK(PAGE("  3", 0) == 3, "page skips spaces");
    CHECK(PAGE("++3", 0) == 3, "page skips '+'");
    CHECK(PAGE(" + 3", 0) == 3, "page skips spaces and '+' mixed");
    CHECK(PAGE("\t3", 0) == 0, "a tab is not skipped");
    CHECK(PAGE("  3", 1) == 0, "per_page does not skip spaces");
    CHECK(PAGE("+3", 1) == 0, "per_page does not skip '+'");
    CHECK(PAGE("50", 1) == 50, "per_page 50");
    CHECK(PAGE("1000000000", 0) == LAGO_WEBHOOK_PAGE_MAX, "the maximum");
    CHECK(PAGE("999999999", 0) == 999999999, "below the maximum");
    CHECK(PAGE("1000000001", 0) == LAGO_WEBHOOK_PAGE_MAX, "past it");
    CHECK(PAGE("99999999999999999999999999", 1) == LAGO_WEBHOOK_PAGE_MAX,
          "far past it");
    CHECK(PAGE("3\0" "4", 0) == 3, "a NUL ends the number");
    CHECK(lago_webhook_page_number(UNIT_S("12"), 0) == 12
          && lago_webhook_page_number((const unsigned char *) "12", 1, 0)
             == 1, "within its length only");

    for (k = 0; k < sizeof(big); k++) {
        big[k] = '9';
    }

    CHECK(lago_webhook_page_number(big, sizeof(big), 0)
          == LAGO_WEBHOOK_PAGE_MAX, "64 nines");
}


int
main(void)
{
    test_route();
    test_bearer();
    test_page();

    return UNIT_DONE();
}
