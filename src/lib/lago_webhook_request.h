
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * What a request's bytes say before any key is looked up: the route (a
 * path and a method: an action and the id it names), the API key of an
 * Authorization header, and the page arguments of a list.
 */


#ifndef _LAGO_WEBHOOK_REQUEST_H_INCLUDED_
#define _LAGO_WEBHOOK_REQUEST_H_INCLUDED_


#include <stddef.h>


/* the methods a route tells apart, as bits; any other is OTHER */
#define LAGO_WEBHOOK_METHOD_GET     0x0001
#define LAGO_WEBHOOK_METHOD_HEAD    0x0002
#define LAGO_WEBHOOK_METHOD_POST    0x0004
#define LAGO_WEBHOOK_METHOD_PUT     0x0008
#define LAGO_WEBHOOK_METHOD_PATCH   0x0010
#define LAGO_WEBHOOK_METHOD_DELETE  0x0020
#define LAGO_WEBHOOK_METHOD_OTHER   0x0040


/* far beyond any real organization; keeps offset arithmetic in range */
#define LAGO_WEBHOOK_PAGE_MAX       1000000000


typedef enum {
    LAGO_WEBHOOK_ROUTE_NONE = -1,             /* no such route: a 404 */
    LAGO_WEBHOOK_ROUTE_CREATE = 0,
    LAGO_WEBHOOK_ROUTE_LIST,
    LAGO_WEBHOOK_ROUTE_SHOW,
    LAGO_WEBHOOK_ROUTE_UPDATE,
    LAGO_WEBHOOK_ROUTE_DELETE,
    LAGO_WEBHOOK_ROUTE_PUBLIC_KEY,
    LAGO_WEBHOOK_ROUTE_JSON_PUBLIC_KEY
} lago_webhook_route_e;


/*
 * Lago's routes under /api/v1/ for a path (nginx's decoded URI, without
 * its arguments) and the method bits above.  Rails ignores trailing
 * slashes and takes ".json" as the format, so both reach the same action.
 * For show, update and delete, *id and *id_len are the id's bytes as the
 * path has them (never empty, no '/'), pointing into path; otherwise they
 * are left alone.
 */
lago_webhook_route_e lago_webhook_route(const unsigned char *path,
    size_t len, unsigned int method, const unsigned char **id,
    size_t *id_len);

/*
 * The API key of an Authorization header's value: Lago takes its second
 * word (words separated by spaces and tabs) and ignores the first.
 * Returns 0 and the key, pointing into value, or -1 when there is none.
 */
int lago_webhook_bearer(const unsigned char *value, size_t len,
    const unsigned char **key, size_t *key_len);

/*
 * Lago's (Ruby to_i) reading of a page or per_page value, already
 * percent-decoded: a leading number is read ("2abc" is 2); page skips
 * leading spaces and '+' first, per_page does not.  Returns the number,
 * at most LAGO_WEBHOOK_PAGE_MAX, or 0 when there is none or it is 0
 * (the caller then uses its default).
 */
unsigned long lago_webhook_page_number(const unsigned char *value,
    size_t len, int per_page);


#endif /* _LAGO_WEBHOOK_REQUEST_H_INCLUDED_ */
