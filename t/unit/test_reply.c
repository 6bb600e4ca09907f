
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Tests of the hiredis reply functions: a real hiredis reader fed RESP
 * builds every kind of reply with them; each reads as hiredis's own would,
 * lies in the block when it can, and gives the block back when freed.
 * Replies that do not fit, and two readers at once, fall back to malloc();
 * built with -fsanitize=address (make test), a leak or a bad free fails.
 */


#include <stdlib.h>

#include "unit.h"

#include "lago_webhook_reply.h"


static redisReader *
reader(void)
{
    return redisReaderCreateWithFunctions(&lago_webhook_reply_functions);
}


/* feeds the whole text and takes one reply, NULL when there is none */

static redisReply *
read_reply(redisReader *r, const char *text, size_t len)
{
    void  *reply;

    reply = NULL;

    if (redisReaderFeed(r, text, len) != REDIS_OK
        || redisReaderGetReply(r, &reply) != REDIS_OK)
    {
        return NULL;
    }

    return reply;
}


#define READ(r, lit)  read_reply((r), (lit), sizeof(lit) - 1)


static void
free_reply(redisReader *r, redisReply *reply)
{
    r->fn->freeObject(reply);
}


static int
is_string(redisReply *e, int type, const char *s)
{
    return e != NULL && e->type == type && e->len == strlen(s)
           && memcmp(e->str, s, e->len) == 0 && e->str[e->len] == '\0';
}


/* an array of n bulk strings "v<i>" padded with 'x' to len bytes each */

static char *
big_array(size_t n, size_t len, size_t *size)
{
    char    *text, *p;
    size_t   i, k;

    text = malloc(32 + n * (len + 32));
    if (text == NULL) {
        return NULL;
    }

    p = text + sprintf(text, "*%zu\r\n", n);

    for (i = 0; i < n; i++) {
        p += sprintf(p, "$%zu\r\n", len);
        k = (size_t) sprintf(p, "v%zu", i);
        memset(p + k, 'x', len - k);
        p += len;
        *p++ = '\r';
        *p++ = '\n';
    }

    *size = p - text;

    return text;
}


static int
big_array_reads(redisReply *reply, size_t n, size_t len)
{
    char    want[32];
    size_t  i, k;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != n)
    {
        return 0;
    }

    for (i = 0; i < n; i++) {
        k = (size_t) sprintf(want, "v%zu", i);

        if (reply->element[i]->type != REDIS_REPLY_STRING
            || reply->element[i]->len != len
            || memcmp(reply->element[i]->str, want, k) != 0
            || reply->element[i]->str[len - 1] != 'x'
            || reply->element[i]->str[len] != '\0')
        {
            return 0;
        }
    }

    return 1;
}


int
main(void)
{
    int           fed;
    char         *text;
    size_t        i, size, in_block, n;
    redisReader  *r, *r2;
    redisReply   *reply, *reply2, *first;

    r = reader();
    CHECK(r != NULL, "a reader with the reply functions");

    /* every kind of reply, each in the block and at its start */

    first = READ(r, "+OK\r\n");
    CHECK(is_string(first, REDIS_REPLY_STATUS, "OK"), "status");
    CHECK(lago_webhook_reply_in_block(first), "status in the block");
    free_reply(r, first);

    reply = READ(r, "-ERR no script\r\n");
    CHECK(is_string(reply, REDIS_REPLY_ERROR, "ERR no script"), "error");
    CHECK(reply == first, "a freed reply gives the block back");
    free_reply(r, reply);

    reply = READ(r, ":-42\r\n");
    CHECK(reply && reply->type == REDIS_REPLY_INTEGER
          && reply->integer == -42, "integer");
    CHECK(reply == first, "integer at the block's start");
    free_reply(r, reply);

    reply = READ(r, "$-1\r\n");
    CHECK(reply && reply->type == REDIS_REPLY_NIL, "nil bulk");
    free_reply(r, reply);

    reply = READ(r, "*-1\r\n");
    CHECK(reply && reply->type == REDIS_REPLY_NIL, "nil array");
    free_reply(r, reply);

    reply = READ(r, "*0\r\n");
    CHECK(reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 0
          && reply->element == NULL, "empty array");
    free_reply(r, reply);

    reply = READ(r, "$0\r\n\r\n");
    CHECK(is_string(reply, REDIS_REPLY_STRING, ""), "empty string");
    free_reply(r, reply);

    reply = READ(r, "$5\r\na\0b\r\n\r\n");
    CHECK(reply && reply->type == REDIS_REPLY_STRING && reply->len == 5
          && memcmp(reply->str, "a\0b\r\n", 5) == 0 && reply->str[5] == '\0',
          "binary string");
    free_reply(r, reply);

    /* a create's answer, and a nested array with every element type */

    reply = READ(r, "*4\r\n:1\r\n:0\r\n:0\r\n:0\r\n");
    CHECK(reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 4
          && reply->element[0]->integer == 1
          && reply->element[3]->type == REDIS_REPLY_INTEGER,
          "array of integers");
    CHECK(reply && lago_webhook_reply_in_block(reply->element[3]),
          "its elements in the block");
    free_reply(r, reply);

    reply = READ(r, "*3\r\n$3\r\nabc\r\n*2\r\n$-1\r\n+x\r\n:7\r\n");
    CHECK(reply && reply->elements == 3
          && is_string(reply->element[0], REDIS_REPLY_STRING, "abc")
          && reply->element[1]->type == REDIS_REPLY_ARRAY
          && reply->element[1]->elements == 2
          && reply->element[1]->element[0]->type == REDIS_REPLY_NIL
          && is_string(reply->element[1]->element[1], REDIS_REPLY_STATUS, "x")
          && reply->element[2]->integer == 7, "nested array");
    free_reply(r, reply);

    /* a list page, fed a byte at a time */

    text = big_array(10, 300, &size);
    CHECK(text != NULL, "page text");

    if (text) {
        reply = NULL;
        fed = 1;

        for (i = 0; i < size && reply == NULL && fed; i++) {
            fed = redisReaderFeed(r, text + i, 1) == REDIS_OK
                  && redisReaderGetReply(r, (void **) &reply) == REDIS_OK;
        }

        CHECK(fed && i == size && big_array_reads(reply, 10, 300),
              "a page fed a byte at a time");

        in_block = 0;
        for (n = 0; reply && n < reply->elements; n++) {
            in_block += lago_webhook_reply_in_block(reply->element[n]);
        }

        CHECK(reply == first && in_block == 10, "the page in the block");
        free_reply(r, reply);
        free(text);
    }

    /* a reply bigger than the block: what does not fit is malloc()ed */

    text = big_array(400, 300, &size);
    CHECK(text != NULL, "big reply text");

    if (text) {
        reply = read_reply(r, text, size);
        CHECK(big_array_reads(reply, 400, 300),
              "a reply bigger than the block");

        in_block = 0;
        for (n = 0; reply && n < reply->elements; n++) {
            in_block += lago_webhook_reply_in_block(reply->element[n]);
        }

        CHECK(reply == first && in_block > 100 && in_block < 400,
              "its first elements in the block, the rest not");
        free_reply(r, reply);

        reply = READ(r, "+OK\r\n");
        CHECK(reply == first, "the block back after a spilled reply");
        free_reply(r, reply);
        free(text);
    }

    text = big_array(1, LAGO_WEBHOOK_REPLY_BLOCK, &size);
    CHECK(text != NULL, "huge string text");

    if (text) {
        reply = read_reply(r, text, size);
        CHECK(big_array_reads(reply, 1, LAGO_WEBHOOK_REPLY_BLOCK),
              "a string bigger than the block");
        CHECK(reply && !lago_webhook_reply_in_block(reply->element[0]),
              "that string malloc()ed");
        free_reply(r, reply);
        free(text);
    }

    /* a root array bigger than the block: all of it malloc()ed */

    {
        int     ints_ok;
        char   *q;
        size_t  count = 10000;

        text = malloc(16 + count * 16);
        CHECK(text != NULL, "big root text");

        if (text) {
            q = text + sprintf(text, "*%zu\r\n", count);

            for (i = 0; i < count; i++) {
                q += sprintf(q, ":%zu\r\n", i);
            }

            reply = read_reply(r, text, q - text);
            CHECK(reply && reply->elements == count
                  && !lago_webhook_reply_in_block(reply)
                  && !lago_webhook_reply_in_block(reply->element[0]),
                  "a root array bigger than the block, outside it");

            ints_ok = (reply != NULL);
            for (i = 0; reply && i < count; i++) {
                ints_ok &= reply->element[i]->type == REDIS_REPLY_INTEGER
                           && reply->element[i]->integer == (long long) i;
            }

            CHECK(ints_ok, "its integers");
            free_reply(r, reply);

            reply = READ(r, "+OK\r\n");
            CHECK(reply == first, "the block untouched by it");
            free_reply(r, reply);
            free(text);
        }
    }

    /*
     * A nested array whose element array no longer fits, after a string
     * that filled the block nearly: it is malloc()ed, its small elements
     * still fit in the block.
     */

    {
        char   *q;
        size_t  fill;

        fill = LAGO_WEBHOOK_REPLY_BLOCK - 1024;

        text = malloc(fill + 4096);
        CHECK(text != NULL, "nested spill text");

        if (text) {
            q = text + sprintf(text, "*2\r\n$%zu\r\n", fill);
            memset(q, 'a', fill);
            q += fill;
            q += sprintf(q, "\r\n*200\r\n");

            for (i = 0; i < 200; i++) {
                q += sprintf(q, ":%zu\r\n", i);
            }

            reply = read_reply(r, text, q - text);
            CHECK(reply && reply == first && reply->elements == 2
                  && reply->element[0]->len == fill
                  && !lago_webhook_reply_in_block(reply->element[1])
                  && lago_webhook_reply_in_block(
                                             reply->element[1]->element[0])
                  && reply->element[1]->elements == 200
                  && reply->element[1]->element[199]->integer == 199,
                  "a spilled array holding elements in the block");
            free_reply(r, reply);

            reply = READ(r, "+OK\r\n");
            CHECK(reply == first, "the block back after a nested spill");
            free_reply(r, reply);

            /* the same cut short by a protocol error: nothing leaks */

            q = text + sprintf(text, "*3\r\n$%zu\r\n", fill);
            memset(q, 'a', fill);
            q += fill;
            q += sprintf(q, "\r\n$2000\r\n");
            memset(q, 'b', 2000);
            q += 2000;
            q += sprintf(q, "\r\n:zz\r\n");

            r2 = reader();
            reply2 = read_reply(r2, text, q - text);
            CHECK(reply2 == NULL && r2->err == REDIS_ERR_PROTOCOL,
                  "a protocol error after a spilled element");
            redisReaderFree(r2);

            reply = READ(r, "+OK\r\n");
            CHECK(reply == first, "the block back after that error");
            free_reply(r, reply);
            free(text);
        }
    }

    /* two readers: the second builds with malloc() while the first holds */

    r2 = reader();
    CHECK(r2 != NULL, "a second reader");

    reply = READ(r, "*2\r\n$3\r\nabc\r\n");
    CHECK(reply == NULL, "half a reply on the first reader");

    reply2 = READ(r2, "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    CHECK(reply2 && reply2->elements == 2
          && is_string(reply2->element[1], REDIS_REPLY_STRING, "b")
          && !lago_webhook_reply_in_block(reply2)
          && !lago_webhook_reply_in_block(reply2->element[0]),
          "the second reader's reply outside the block");

    reply = READ(r, "$3\r\ndef\r\n");
    CHECK(reply == first && reply->elements == 2
          && is_string(reply->element[1], REDIS_REPLY_STRING, "def"),
          "the first reader's reply completed in the block");

    free_reply(r2, reply2);
    free_reply(r, reply);

    /* a reader freed with half a reply frees it and gives the block back */

    reply = READ(r, "*3\r\n$3\r\nabc\r\n*2\r\n:1\r\n");
    CHECK(reply == NULL, "half a nested reply");
    redisReaderFree(r);

    reply2 = READ(r2, "+OK\r\n");
    CHECK(reply2 == first, "the block back after a reader was freed");
    free_reply(r2, reply2);

    /* a protocol error midway frees the reply in progress */

    reply2 = READ(r2, "*2\r\n$1\r\na\r\n?oops\r\n");
    CHECK(reply2 == NULL && r2->err == REDIS_ERR_PROTOCOL, "protocol error");
    redisReaderFree(r2);

    r = reader();
    reply = READ(r, ":1\r\n");
    CHECK(reply == first, "the block back after a protocol error");
    free_reply(r, reply);
    redisReaderFree(r);

    return UNIT_DONE();
}
