
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * hiredis builds every reply object, and every string in one, with a
 * malloc() of its own: a list page of ten records is 22 allocations and as
 * many frees per request, outside nginx's pools.
 *
 * A reader has one reply alive at a time: hiredis frees each reply once
 * its callback has returned, before it builds the next one.  So a reply is
 * built in a static block, an object a bump of a cursor, and the block
 * starts over when the reply is freed.  A reply that does not fit, or one
 * begun while another reader's reply still holds the block (an old
 * connection's, around a reconnect), is built with malloc() as hiredis
 * would: slower, never wrong.
 *
 * Each object is one piece: the redisReply, then its string (NUL-ended,
 * as hiredis gives it) or its element array.  Whether an object lies in
 * the block is a matter of its address.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lago_webhook_reply.h"


static void *lago_webhook_reply_create_string(const redisReadTask *task,
    char *str, size_t len);
static void *lago_webhook_reply_create_array(const redisReadTask *task,
    int elements);
static void *lago_webhook_reply_create_integer(const redisReadTask *task,
    long long value);
static void *lago_webhook_reply_create_nil(const redisReadTask *task);
static void lago_webhook_reply_free(void *obj);
static redisReply *lago_webhook_reply_object(const redisReadTask *task,
    size_t extra);
static void lago_webhook_reply_free_tree(redisReply *r);


/*
 * Named members: hiredis 1.x adds createDouble and createBool (RESP3
 * only, which is never asked for here), and they are left NULL there.
 */

redisReplyObjectFunctions  lago_webhook_reply_functions = {
    .createString = lago_webhook_reply_create_string,
    .createArray = lago_webhook_reply_create_array,
    .createInteger = lago_webhook_reply_create_integer,
    .createNil = lago_webhook_reply_create_nil,
    .freeObject = lago_webhook_reply_free
};


/* the block, aligned for a redisReply and an array of pointers */

typedef union {
    redisReply  reply;
    void       *pointer;
    long long   integer;
} lago_webhook_reply_unit_t;

#define LAGO_WEBHOOK_REPLY_ALIGN  8
#define LAGO_WEBHOOK_REPLY_UNITS                                              \
    (LAGO_WEBHOOK_REPLY_BLOCK / sizeof(lago_webhook_reply_unit_t))

static lago_webhook_reply_unit_t  lago_webhook_reply_block[
                                               LAGO_WEBHOOK_REPLY_UNITS];

/* bytes of the block in use, by the reply that holds it */
static size_t                      lago_webhook_reply_used;

/* the reply whose root lies in the block, NULL while the block is free */
static redisReply                 *lago_webhook_reply_holder;

/* the holder's objects that did not fit and were malloc()ed */
static size_t                      lago_webhook_reply_spilled;


int
lago_webhook_reply_in_block(const void *obj)
{
    uintptr_t  p, start;

    p = (uintptr_t) obj;
    start = (uintptr_t) lago_webhook_reply_block;

    return p >= start && p - start < sizeof(lago_webhook_reply_block);
}


static void *
lago_webhook_reply_create_string(const redisReadTask *task, char *str,
    size_t len)
{
    redisReply  *r;

    r = lago_webhook_reply_object(task, len + 1);
    if (r == NULL) {
        return NULL;
    }

    r->str = (char *) (r + 1);
    r->len = len;
    memcpy(r->str, str, len);
    r->str[len] = '\0';

    return r;
}


static void *
lago_webhook_reply_create_array(const redisReadTask *task, int elements)
{
    size_t       size;
    redisReply  *r;

    /*
     * hiredis takes counts up to INT_MAX from the wire: a count whose
     * array would not fit in a size_t (32-bit systems) is refused, as
     * calloc() refuses it for hiredis's own objects.
     */

    if ((size_t) elements > (SIZE_MAX - sizeof(redisReply))
                            / sizeof(redisReply *))
    {
        return NULL;
    }

    size = (size_t) elements * sizeof(redisReply *);

    r = lago_webhook_reply_object(task, size);
    if (r == NULL) {
        return NULL;
    }

    r->elements = (size_t) elements;

    if (elements > 0) {
        r->element = (redisReply **) (r + 1);

        /*
         * Zeroed, so that a reply cut short is freed with the elements it
         * has; calloc() already zeroed an array outside the block, without
         * touching its pages.
         */

        if (lago_webhook_reply_in_block(r)) {
            memset(r->element, 0, size);
        }
    }

    return r;
}


static void *
lago_webhook_reply_create_integer(const redisReadTask *task, long long value)
{
    redisReply  *r;

    r = lago_webhook_reply_object(task, 0);
    if (r == NULL) {
        return NULL;
    }

    r->integer = value;

    return r;
}


static void *
lago_webhook_reply_create_nil(const redisReadTask *task)
{
    redisReply  *r;

    /* the task's type is the bulk's or the array's that was null */

    r = lago_webhook_reply_object(task, 0);
    if (r == NULL) {
        return NULL;
    }

    r->type = REDIS_REPLY_NIL;

    return r;
}


/* hiredis frees roots only; their elements go with them */

static void
lago_webhook_reply_free(void *obj)
{
    redisReply  *r = obj;

    if (r != lago_webhook_reply_holder) {
        lago_webhook_reply_free_tree(r);
        return;
    }

    if (lago_webhook_reply_spilled) {
        lago_webhook_reply_free_tree(r);
        lago_webhook_reply_spilled = 0;
    }

    lago_webhook_reply_holder = NULL;
    lago_webhook_reply_used = 0;
}


/*
 * An object of the task's type with extra bytes after it, hung into its
 * parent array as hiredis's own functions do.
 */

static redisReply *
lago_webhook_reply_object(const redisReadTask *task, size_t extra)
{
    int                   in_block;
    size_t                size, rounded, room;
    redisReply           *r, *parent;
    const redisReadTask  *top;

    size = sizeof(redisReply) + extra;

    if (size < extra) {
        return NULL;
    }

    rounded = (size + LAGO_WEBHOOK_REPLY_ALIGN - 1)
              & ~((size_t) LAGO_WEBHOOK_REPLY_ALIGN - 1);

    if (task->parent == NULL) {
        in_block = (lago_webhook_reply_holder == NULL);

    } else {
        for (top = task; top->parent; top = top->parent) {
            /* void */
        }

        in_block = (lago_webhook_reply_holder != NULL
                    && top->obj == lago_webhook_reply_holder);
    }

    room = sizeof(lago_webhook_reply_block) - lago_webhook_reply_used;

    if (in_block && rounded >= size && rounded <= room) {
        r = (redisReply *) ((char *) lago_webhook_reply_block
                            + lago_webhook_reply_used);

        lago_webhook_reply_used += rounded;

        if (task->parent == NULL) {
            lago_webhook_reply_holder = r;
        }

        memset(r, 0, sizeof(redisReply));

    } else {
        r = calloc(1, size);
        if (r == NULL) {
            return NULL;
        }

        if (in_block && task->parent) {
            lago_webhook_reply_spilled++;
        }
    }

    r->type = task->type;

    if (task->parent) {
        parent = task->parent->obj;
        parent->element[task->idx] = r;
    }

    return r;
}


static void
lago_webhook_reply_free_tree(redisReply *r)
{
    size_t  i;

    if (r->type == REDIS_REPLY_ARRAY) {
        for (i = 0; i < r->elements; i++) {
            if (r->element[i]) {
                lago_webhook_reply_free_tree(r->element[i]);
            }
        }
    }

    if (!lago_webhook_reply_in_block(r)) {
        free(r);
    }
}
