
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * hiredis reply objects built in a block of the process's own instead of
 * one malloc() each.
 */


#ifndef _LAGO_WEBHOOK_REPLY_H_INCLUDED_
#define _LAGO_WEBHOOK_REPLY_H_INCLUDED_


#include <hiredis/hiredis.h>


/* the size of the block: a list page of 100 records fits */
#define LAGO_WEBHOOK_REPLY_BLOCK  (64 * 1024)


/*
 * Reply functions for a hiredis reader (reader->fn).  They build the same
 * redisReply objects as hiredis's own, so replies read as before; but a
 * reply must be freed with the reader's freeObject(), as hiredis does,
 * never with freeReplyObject().
 */
extern redisReplyObjectFunctions  lago_webhook_reply_functions;

/* whether the object lies in the block (for the tests) */
int lago_webhook_reply_in_block(const void *obj);


#endif /* _LAGO_WEBHOOK_REPLY_H_INCLUDED_ */
