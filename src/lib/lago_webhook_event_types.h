
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The webhook event type names that Lago knows, and the normalisation Lago
 * applies to each element of event_types before checking it.
 */


#ifndef _LAGO_WEBHOOK_EVENT_TYPES_H_INCLUDED_
#define _LAGO_WEBHOOK_EVENT_TYPES_H_INCLUDED_


#include <stddef.h>


typedef struct {
    const unsigned char  *data;
    size_t                len;
} lago_webhook_event_type_str_t;


/* 1 if the (already normalised) name is one of Lago's event types, else 0 */
int lago_webhook_event_type_is_known(const unsigned char *s, size_t len);

/*
 * Ruby's to_s.strip.downcase of one string element: writes the result to
 * dst (room for len bytes; dst may be s itself) and returns its length.
 */
size_t lago_webhook_event_type_normalize(unsigned char *dst,
    const unsigned char *s, size_t len);

/* the number of known names, and the i-th in byte order (NULL past it) */
size_t lago_webhook_event_type_count(void);
const char *lago_webhook_event_type_name(size_t i);

/*
 * Ruby's Array#uniq: removes every element equal (same bytes) to an earlier
 * one, keeping the order of the rest, and returns the new number of
 * elements.  scratch must have room for n entries.  O(n log n), so a long
 * array sent on purpose costs little.
 */
size_t lago_webhook_event_types_dedup(lago_webhook_event_type_str_t *items,
    size_t n, size_t *scratch);


#endif /* _LAGO_WEBHOOK_EVENT_TYPES_H_INCLUDED_ */
