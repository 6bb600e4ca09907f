
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Shared by the libFuzzer harnesses: an invariant that does not hold is
 * reported with its place and ends the run with abort(), which libFuzzer
 * records as a crash together with the input.
 */


#ifndef _LAGO_WEBHOOK_FUZZ_H_INCLUDED_
#define _LAGO_WEBHOOK_FUZZ_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define FUZZ_CHECK(cond, what)                                                \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: invariant failed: %s\n",                  \
                    __FILE__, __LINE__, what);                                \
            abort();                                                          \
        }                                                                     \
    } while (0)


/*
 * Reads every byte of [p, p + len) so that AddressSanitizer reports memory
 * that is not (or no longer) there; returns a sum nobody needs.
 */

static inline unsigned
fuzz_touch(const unsigned char *p, size_t len)
{
    size_t             i;
    volatile unsigned  sum;

    sum = 0;

    for (i = 0; i < len; i++) {
        sum += p[i];
    }

    return sum;
}


/* a copy of the input in a heap block of exactly its size */

static inline unsigned char *
fuzz_dup(const uint8_t *data, size_t size)
{
    unsigned char  *p;

    p = malloc(size ? size : 1);
    FUZZ_CHECK(p != NULL, "out of memory");

    if (size) {
        memcpy(p, data, size);
    }

    return p;
}


/* the value of a hex digit of either case, or -1 */

static inline int
fuzz_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }

    return -1;
}


#endif /* _LAGO_WEBHOOK_FUZZ_H_INCLUDED_ */
