
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * A webhook endpoint as the store keeps it (the README's "Data model"):
 * its fields joined by NUL bytes, lago_id, webhook_url, signature_algo,
 * name, event_types, created_at (Unix seconds, in decimal); name and
 * event_types start with 'N' for null, or with 'S' before the value.
 */


#ifndef _LAGO_WEBHOOK_RECORD_H_INCLUDED_
#define _LAGO_WEBHOOK_RECORD_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define LAGO_WEBHOOK_RECORD_FIELDS    6

/* the longest created_at written: "-9223372036854775808" */
#define LAGO_WEBHOOK_RECORD_TIME_LEN  20

/*
 * The latest created_at read back, 9999-12-31T23:59:59Z: the writers of
 * dates budget four year digits.
 */
#define LAGO_WEBHOOK_RECORD_TIME_MAX  253402300799LL


typedef struct {
    const unsigned char  *data;
    size_t                len;
} lago_webhook_record_str_t;


typedef struct {
    lago_webhook_record_str_t  id;
    lago_webhook_record_str_t  url;
    lago_webhook_record_str_t  signature_algo;
    lago_webhook_record_str_t  name;
    lago_webhook_record_str_t  event_types;
    int64_t                    created_at;
    int                        name_null;
    int                        event_types_null;
} lago_webhook_record_t;


/* the length of name or event_types as stored: 1, or 1 + len */
size_t lago_webhook_record_nullable_len(size_t len, int is_null);

/*
 * Writes name or event_types as stored, "N" for null or 'S' and the
 * value, and returns the end of what it wrote.
 */
unsigned char *lago_webhook_record_nullable(unsigned char *p,
    const unsigned char *value, size_t len, int is_null);

/*
 * The room a packed record takes at most (its created_at counted at its
 * longest), and the record packed: returns the end of what it wrote.
 */
size_t lago_webhook_record_len(const lago_webhook_record_t *rec);
unsigned char *lago_webhook_record_pack(unsigned char *p,
    const lago_webhook_record_t *rec);

/*
 * Reads a stored record in place: the fields point into data, which must
 * outlive the record's use.  Returns 0, or -1 when the bytes are not a
 * record: fewer than six fields, an empty name or event_types, or a
 * created_at that is not only digits or past LAGO_WEBHOOK_RECORD_TIME_MAX.
 * created_at ends at a sixth NUL, if any: what follows it is ignored.
 * A name or event_types that starts with neither 'N' nor 'S' reads as a
 * value (its first byte dropped).
 */
int lago_webhook_record_unpack(lago_webhook_record_t *rec,
    const unsigned char *data, size_t len);


#endif /* _LAGO_WEBHOOK_RECORD_H_INCLUDED_ */
