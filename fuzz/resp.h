
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Shared by the harnesses of the Redis reply readers: the replies that
 * hiredis's reader builds from the fuzz bytes, as it builds them from
 * what a server sends.
 */


#ifndef _LAGO_WEBHOOK_FUZZ_RESP_H_INCLUDED_
#define _LAGO_WEBHOOK_FUZZ_RESP_H_INCLUDED_


#include <hiredis/hiredis.h>

#include "fuzz.h"


/*
 * hiredis 0.14 allocates an array's element pointers as soon as it reads
 * the count, up to INT_MAX of them: an input announcing more than this
 * anywhere is skipped, or it would only measure the allocator.
 */
#define FUZZ_RESP_ELEMENTS_MAX  1024


static inline int
fuzz_resp_small(const uint8_t *data, size_t size)
{
    size_t        i;
    unsigned long n;

    for (i = 0; i < size; i++) {
        if (data[i] != '*') {
            continue;
        }

        for (n = 0, i++; i < size && data[i] >= '0' && data[i] <= '9'; i++) {
            n = n * 10 + (data[i] - '0');

            if (n > FUZZ_RESP_ELEMENTS_MAX) {
                return 0;
            }
        }

        i--;
    }

    return 1;
}


/*
 * Calls fn on each reply read from the bytes, fed in one piece, until
 * the reader wants more or finds them broken; returns how many.
 */

static inline size_t
fuzz_resp_each(const uint8_t *data, size_t size, void (*fn)(redisReply *))
{
    void         *reply;
    size_t        n;
    redisReader  *r;

    if (!fuzz_resp_small(data, size)) {
        return 0;
    }

    r = redisReaderCreate();
    FUZZ_CHECK(r != NULL, "out of memory");

    n = 0;

    if (redisReaderFeed(r, (const char *) data, size) == REDIS_OK) {

        for ( ;; ) {
            reply = NULL;

            if (redisReaderGetReply(r, &reply) != REDIS_OK
                || reply == NULL)
            {
                break;
            }

            fn(reply);
            freeReplyObject(reply);
            n++;
        }
    }

    redisReaderFree(r);

    return n;
}


#endif /* _LAGO_WEBHOOK_FUZZ_RESP_H_INCLUDED_ */
