
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * lago_webhook_record_unpack() on arbitrary bytes, as a Redis holding
 * anything could answer: a record it reads lies in the input, packs
 * within the room it asks for, and reads back the same; a record in the
 * form the writer writes packs back to exactly its bytes.
 */


#include "fuzz.h"

#include "lago_webhook_record.h"


static int fuzz_record_same(const lago_webhook_record_str_t *a,
    const lago_webhook_record_str_t *b);
static void fuzz_record_within(const lago_webhook_record_str_t *f,
    const unsigned char *s, size_t len);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                     canonical;
    size_t                  room, nuls, i;
    unsigned char          *s, *buf, *end;
    lago_webhook_record_t   rec, back;

    s = fuzz_dup(data, size);

    memset(&rec, 0, sizeof(rec));

    if (lago_webhook_record_unpack(&rec, s, size) != 0) {
        free(s);
        return 0;
    }

    fuzz_record_within(&rec.id, s, size);
    fuzz_record_within(&rec.url, s, size);
    fuzz_record_within(&rec.signature_algo, s, size);
    fuzz_record_within(&rec.name, s, size);
    fuzz_record_within(&rec.event_types, s, size);

    FUZZ_CHECK(rec.created_at >= 0
               && rec.created_at <= LAGO_WEBHOOK_RECORD_TIME_MAX,
               "created_at in range");
    FUZZ_CHECK(rec.name_null == (rec.name.data[-1] == 'N')
               && rec.event_types_null == (rec.event_types.data[-1] == 'N'),
               "null when it starts with N");

    /* packed again, within its room, read back the same */

    room = lago_webhook_record_len(&rec);

    buf = malloc(room);
    FUZZ_CHECK(buf != NULL, "out of memory");

    end = lago_webhook_record_pack(buf, &rec);
    FUZZ_CHECK((size_t) (end - buf) <= room, "the room is enough");

    memset(&back, 0, sizeof(back));

    FUZZ_CHECK(lago_webhook_record_unpack(&back, buf, end - buf) == 0,
               "a packed record reads");
    FUZZ_CHECK(fuzz_record_same(&rec.id, &back.id)
               && fuzz_record_same(&rec.url, &back.url)
               && fuzz_record_same(&rec.signature_algo,
                                   &back.signature_algo)
               && rec.name_null == back.name_null
               && rec.event_types_null == back.event_types_null
               && rec.created_at == back.created_at,
               "the same record");
    FUZZ_CHECK((rec.name_null && back.name.len == 0)
               || fuzz_record_same(&rec.name, &back.name), "the same name");
    FUZZ_CHECK((rec.event_types_null && back.event_types.len == 0)
               || fuzz_record_same(&rec.event_types, &back.event_types),
               "the same event types");

    /*
     * In the writer's form (N alone or S, created_at without leading
     * zeros, nothing after it): exactly the input's bytes.
     */

    for (nuls = 0, i = 0; i < size; i++) {
        nuls += (s[i] == '\0');
    }

    canonical = (nuls == LAGO_WEBHOOK_RECORD_FIELDS - 1)
                && (rec.name.data[-1] == 'S'
                    || (rec.name_null && rec.name.len == 0))
                && (rec.event_types.data[-1] == 'S'
                    || (rec.event_types_null && rec.event_types.len == 0));

    if (canonical) {
        /* the last field: created_at's digits, at the end */

        for (i = size; i > 0 && s[i - 1] != '\0'; i--) {
            /* void */
        }

        canonical = (s[i] != '0' || i == size - 1);
    }

    if (canonical) {
        FUZZ_CHECK((size_t) (end - buf) == size
                   && memcmp(buf, s, size) == 0,
                   "the writer's form packs back to its bytes");
    }

    free(buf);
    free(s);

    return 0;
}


static int
fuzz_record_same(const lago_webhook_record_str_t *a,
    const lago_webhook_record_str_t *b)
{
    return a->len == b->len && (a->len == 0
                                || memcmp(a->data, b->data, a->len) == 0);
}


static void
fuzz_record_within(const lago_webhook_record_str_t *f,
    const unsigned char *s, size_t len)
{
    FUZZ_CHECK(f->data >= s && f->data + f->len <= s + len,
               "a field lies in the input");
    FUZZ_CHECK(memchr(f->data, '\0', f->len) == NULL, "no NUL in a field");

    fuzz_touch(f->data, f->len);
}
