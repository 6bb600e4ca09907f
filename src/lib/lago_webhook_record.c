
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


#include <string.h>

#include "lago_webhook_record.h"


static unsigned char *lago_webhook_record_field(unsigned char *p,
    const lago_webhook_record_str_t *s);
static unsigned char *lago_webhook_record_time(unsigned char *p, int64_t t);


size_t
lago_webhook_record_nullable_len(size_t len, int is_null)
{
    return is_null ? 1 : len + 1;
}


unsigned char *
lago_webhook_record_nullable(unsigned char *p, const unsigned char *value,
    size_t len, int is_null)
{
    if (is_null) {
        *p++ = 'N';
        return p;
    }

    *p++ = 'S';

    if (len) {
        memcpy(p, value, len);
    }

    return p + len;
}


size_t
lago_webhook_record_len(const lago_webhook_record_t *rec)
{
    return rec->id.len + rec->url.len + rec->signature_algo.len
           + lago_webhook_record_nullable_len(rec->name.len, rec->name_null)
           + lago_webhook_record_nullable_len(rec->event_types.len,
                                              rec->event_types_null)
           + LAGO_WEBHOOK_RECORD_TIME_LEN + LAGO_WEBHOOK_RECORD_FIELDS - 1;
}


unsigned char *
lago_webhook_record_pack(unsigned char *p, const lago_webhook_record_t *rec)
{
    p = lago_webhook_record_field(p, &rec->id);
    *p++ = '\0';
    p = lago_webhook_record_field(p, &rec->url);
    *p++ = '\0';
    p = lago_webhook_record_field(p, &rec->signature_algo);
    *p++ = '\0';
    p = lago_webhook_record_nullable(p, rec->name.data, rec->name.len,
                                     rec->name_null);
    *p++ = '\0';
    p = lago_webhook_record_nullable(p, rec->event_types.data,
                                     rec->event_types.len,
                                     rec->event_types_null);
    *p++ = '\0';

    return lago_webhook_record_time(p, rec->created_at);
}


int
lago_webhook_record_unpack(lago_webhook_record_t *rec,
    const unsigned char *data, size_t len)
{
    size_t                i, flen[LAGO_WEBHOOK_RECORD_FIELDS];
    int64_t               t;
    const unsigned char  *p, *last, *field[LAGO_WEBHOOK_RECORD_FIELDS];

    p = data;
    last = p + len;

    for (i = 0; i < LAGO_WEBHOOK_RECORD_FIELDS; i++) {
        field[i] = p;

        p = (p < last) ? memchr(p, '\0', last - p) : NULL;
        if (p == NULL) {
            p = last;
        }

        flen[i] = p - field[i];

        if (i < LAGO_WEBHOOK_RECORD_FIELDS - 1) {
            if (p == last) {
                return -1;
            }

            p++;
        }
    }

    if (flen[3] == 0 || flen[4] == 0 || flen[5] == 0) {
        return -1;
    }

    t = 0;

    for (i = 0; i < flen[5]; i++) {
        if (field[5][i] < '0' || field[5][i] > '9') {
            return -1;
        }

        t = t * 10 + (field[5][i] - '0');

        if (t > LAGO_WEBHOOK_RECORD_TIME_MAX) {
            return -1;
        }
    }

    rec->id.data = field[0];
    rec->id.len = flen[0];
    rec->url.data = field[1];
    rec->url.len = flen[1];
    rec->signature_algo.data = field[2];
    rec->signature_algo.len = flen[2];

    rec->name_null = (field[3][0] == 'N');
    rec->name.data = field[3] + 1;
    rec->name.len = flen[3] - 1;

    rec->event_types_null = (field[4][0] == 'N');
    rec->event_types.data = field[4] + 1;
    rec->event_types.len = flen[4] - 1;

    rec->created_at = t;

    return 0;
}


static unsigned char *
lago_webhook_record_field(unsigned char *p,
    const lago_webhook_record_str_t *s)
{
    if (s->len) {
        memcpy(p, s->data, s->len);
    }

    return p + s->len;
}


/* signed decimal, as ngx_sprintf("%T") writes it */

static unsigned char *
lago_webhook_record_time(unsigned char *p, int64_t t)
{
    size_t         n;
    uint64_t       u;
    unsigned char  digits[LAGO_WEBHOOK_RECORD_TIME_LEN];

    if (t < 0) {
        *p++ = '-';
        u = (uint64_t) 0 - (uint64_t) t;

    } else {
        u = (uint64_t) t;
    }

    n = 0;

    do {
        digits[n++] = (unsigned char) ('0' + u % 10);
        u /= 10;
    } while (u);

    while (n) {
        *p++ = digits[--n];
    }

    return p;
}
