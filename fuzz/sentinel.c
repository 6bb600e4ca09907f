
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The Redis Sentinel readers on every reply hiredis's reader builds from
 * arbitrary bytes, and the +switch-master payload reader on the bytes
 * themselves (named after their own first word, so that "ours" is
 * reached).  An address read lies in the reply or the payload, with a
 * port in range; a kind is what the reply's shape says.
 */


#include "fuzz.h"
#include "resp.h"

#include "lago_webhook_sentinel.h"


static void fuzz_sentinel_reply(redisReply *reply);
static void fuzz_sentinel_switch(const unsigned char *p, size_t len,
    const unsigned char *name, size_t name_len);
static void fuzz_sentinel_addr(const lago_webhook_sentinel_addr_t *addr,
    const unsigned char *start, size_t len);
static size_t fuzz_sentinel_word(const unsigned char *p, size_t len);
static int fuzz_sentinel_no_double_space(const unsigned char *p, size_t len);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char  *s;

    (void) fuzz_resp_each(data, size, fuzz_sentinel_reply);

    s = fuzz_dup(data, size);

    fuzz_sentinel_switch(s, size, s, fuzz_sentinel_word(s, size));
    fuzz_sentinel_switch(s, size, (const unsigned char *) "mymaster", 8);

    free(s);

    return 0;
}


static void
fuzz_sentinel_reply(redisReply *reply)
{
    int                            subscribed;
    redisReply                    *payload;
    lago_webhook_sentinel_addr_t   addr;
    lago_webhook_sentinel_reply_e  kind;

    memset(&addr, 0, sizeof(addr));

    kind = lago_webhook_sentinel_master(reply, &addr);

    switch (kind) {

    case LAGO_WEBHOOK_SENTINEL_ERROR:
        FUZZ_CHECK(reply->type == REDIS_REPLY_ERROR, "an error");
        break;

    case LAGO_WEBHOOK_SENTINEL_NO_MASTER:
        FUZZ_CHECK(reply->type == REDIS_REPLY_NIL, "nil");
        break;

    case LAGO_WEBHOOK_SENTINEL_MASTER:
        FUZZ_CHECK(reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
                   && reply->element[0]->type == REDIS_REPLY_STRING
                   && reply->element[1]->type == REDIS_REPLY_STRING,
                   "[ip, port]");
        FUZZ_CHECK(addr.ip == (const unsigned char *) reply->element[0]->str
                   && addr.ip_len == reply->element[0]->len,
                   "the ip is the first element");
        fuzz_sentinel_addr(&addr, addr.ip, addr.ip_len);
        break;

    case LAGO_WEBHOOK_SENTINEL_BROKEN:
        FUZZ_CHECK(addr.ip == NULL && addr.port == 0,
                   "broken: nothing written");
        break;

    default:
        FUZZ_CHECK(0, "a kind get-master-addr-by-name gives");
    }

    for (subscribed = 0; subscribed < 2; subscribed++) {
        kind = lago_webhook_sentinel_watch(reply, subscribed);

        switch (kind) {

        case LAGO_WEBHOOK_SENTINEL_ERROR:
            FUZZ_CHECK(reply->type == REDIS_REPLY_ERROR, "an error");
            break;

        case LAGO_WEBHOOK_SENTINEL_SUBSCRIBED:
            FUZZ_CHECK(!subscribed && reply->elements == 3
                       && lago_webhook_sentinel_is(reply->element[0],
                                                   "subscribe")
                       && lago_webhook_sentinel_is(reply->element[1],
                                                   "+switch-master"),
                       "the confirmation");
            break;

        case LAGO_WEBHOOK_SENTINEL_MESSAGE:
            FUZZ_CHECK(subscribed && reply->elements == 3
                       && lago_webhook_sentinel_is(reply->element[0],
                                                   "message")
                       && lago_webhook_sentinel_is(reply->element[1],
                                                   "+switch-master")
                       && reply->element[2]->type == REDIS_REPLY_STRING,
                       "a message");

            payload = reply->element[2];

            fuzz_sentinel_switch((const unsigned char *) payload->str,
                                 payload->len,
                                 (const unsigned char *) payload->str,
                                 fuzz_sentinel_word((const unsigned char *)
                                                    payload->str,
                                                    payload->len));
            fuzz_sentinel_switch((const unsigned char *) payload->str,
                                 payload->len,
                                 (const unsigned char *) "mymaster", 8);
            break;

        case LAGO_WEBHOOK_SENTINEL_BROKEN:
            break;

        default:
            FUZZ_CHECK(0, "a kind the subscription gives");
        }
    }
}


static void
fuzz_sentinel_switch(const unsigned char *p, size_t len,
    const unsigned char *name, size_t name_len)
{
    int                           rc;
    size_t                        i, spaces;
    lago_webhook_sentinel_addr_t  addr;

    memset(&addr, 0, sizeof(addr));

    rc = lago_webhook_sentinel_switch(p, len, name, name_len, &addr);

    for (spaces = 0, i = 0; i < len; i++) {
        spaces += (p[i] == ' ');
    }

    if (rc == -1) {
        FUZZ_CHECK(addr.ip == NULL && addr.port == 0,
                   "malformed: nothing written");
        return;
    }

    FUZZ_CHECK(rc == 0 || rc == 1, "switch returns -1, 0 or 1");
    FUZZ_CHECK(spaces == 4 && len > 0 && p[0] != ' ' && p[len - 1] != ' '
               && fuzz_sentinel_no_double_space(p, len),
               "five fields, one space apart");

    if (rc == 0) {
        FUZZ_CHECK(addr.ip == NULL && addr.port == 0,
                   "another master's: nothing written");
        return;
    }

    FUZZ_CHECK(len > name_len && p[name_len] == ' ',
               "ours: the name is the first field");
    FUZZ_CHECK(addr.ip > p && addr.ip[-1] == ' '
               && memchr(addr.ip, ' ', addr.ip_len) == NULL
               && addr.ip + addr.ip_len < p + len
               && addr.ip[addr.ip_len] == ' ',
               "the new ip is the fourth field");

    fuzz_sentinel_addr(&addr, p, len);
}


static void
fuzz_sentinel_addr(const lago_webhook_sentinel_addr_t *addr,
    const unsigned char *start, size_t len)
{
    FUZZ_CHECK(addr->port >= 1 && addr->port <= 65535, "a port in range");
    FUZZ_CHECK(addr->ip >= start && addr->ip + addr->ip_len <= start + len,
               "the ip lies in what was read");

    fuzz_touch(addr->ip, addr->ip_len);
}


/* the length of the first word */

static size_t
fuzz_sentinel_word(const unsigned char *p, size_t len)
{
    size_t  n;

    for (n = 0; n < len && p[n] != ' '; n++) {
        /* void */
    }

    return n;
}


static int
fuzz_sentinel_no_double_space(const unsigned char *p, size_t len)
{
    size_t  i;

    for (i = 1; i < len; i++) {
        if (p[i] == ' ' && p[i - 1] == ' ') {
            return 0;
        }
    }

    return 1;
}
