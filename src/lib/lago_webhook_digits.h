
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * A decimal number as Redis writes one in a reply's text (a slot, a
 * port): digits only, no sign, no space.  libc only.
 */


#ifndef _LAGO_WEBHOOK_DIGITS_H_INCLUDED_
#define _LAGO_WEBHOOK_DIGITS_H_INCLUDED_


#include <stddef.h>


/* at most max (well below LONG_MAX), or -1: nothing, another byte, over */

static inline long
lago_webhook_digits(const unsigned char *p, size_t len, long max)
{
    long    n;
    size_t  i;

    if (len == 0) {
        return -1;
    }

    n = 0;

    for (i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return -1;
        }

        n = n * 10 + (p[i] - '0');

        if (n > max) {
            return -1;
        }
    }

    return n;
}


#endif /* _LAGO_WEBHOOK_DIGITS_H_INCLUDED_ */
