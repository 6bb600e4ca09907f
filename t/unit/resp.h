
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Shared by the tests of the Redis reply readers: a reply built by
 * hiredis's reader from RESP text, as it builds one from what a server
 * sends.
 */


#ifndef _LAGO_WEBHOOK_UNIT_RESP_H_INCLUDED_
#define _LAGO_WEBHOOK_UNIT_RESP_H_INCLUDED_


#include <hiredis/hiredis.h>


/*
 * The one reply in the text, NULL when there is none.  It lives until the
 * next call (what was read points into it), or until reply_free().
 */

static void  *last_reply;


static void
reply_free(void)
{
    if (last_reply) {
        freeReplyObject(last_reply);
        last_reply = NULL;
    }
}


static redisReply *
reply_of(const char *text, size_t len)
{
    void         *reply;
    redisReader  *r;

    reply_free();

    reply = NULL;
    r = redisReaderCreate();

    if (r == NULL
        || redisReaderFeed(r, text, len) != REDIS_OK
        || redisReaderGetReply(r, &reply) != REDIS_OK)
    {
        reply = NULL;
    }

    if (r) {
        redisReaderFree(r);
    }

    last_reply = reply;

    return reply;
}

#define REPLY(lit)  reply_of((lit), sizeof(lit) - 1)


#endif /* _LAGO_WEBHOOK_UNIT_RESP_H_INCLUDED_ */
