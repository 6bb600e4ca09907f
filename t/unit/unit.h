
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * A minimal test harness for the pure C helpers: CHECK() counts passes and
 * failures and prints each failure with its place; UNIT_DONE() prints the
 * one summary line and gives the exit status.
 */


#ifndef _LAGO_WEBHOOK_UNIT_H_INCLUDED_
#define _LAGO_WEBHOOK_UNIT_H_INCLUDED_


#include <stdio.h>
#include <string.h>


static unsigned long  unit_passed;
static unsigned long  unit_failed;


#define CHECK(cond, name)                                                     \
    do {                                                                      \
        if (cond) {                                                           \
            unit_passed++;                                                    \
        } else {                                                              \
            unit_failed++;                                                    \
            fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, name);   \
        }                                                                     \
    } while (0)

/* a string literal as (const unsigned char *, size_t), NULs included */
#define UNIT_S(lit)  (const unsigned char *) (lit), (sizeof(lit) - 1)

#define UNIT_DONE()                                                           \
    (printf("%lu passed, %lu failed\n", unit_passed, unit_failed),            \
     unit_failed ? 1 : 0)


#endif /* _LAGO_WEBHOOK_UNIT_H_INCLUDED_ */
