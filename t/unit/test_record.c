
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Tests of the stored record format: the exact bytes a record is packed
 * into, their reading back, and the bytes that are not a record.
 */


#include "unit.h"

#include "lago_webhook_record.h"


#define UUID  "8d6a0c1e-1f2b-4c3d-9e4f-5a6b7c8d9e0f"


static void
set(lago_webhook_record_str_t *s, const char *value)
{
    s->data = (const unsigned char *) value;
    s->len = value ? strlen(value) : 0;
}


static int
str_is(const lago_webhook_record_str_t *s, const char *value)
{
    return s->len == strlen(value) && memcmp(s->data, value, s->len) == 0;
}


/* packs rec into buf, checks the room it asked for; returns the length */

static size_t
pack(const lago_webhook_record_t *rec, unsigned char *buf, size_t size)
{
    size_t          len;
    unsigned char  *end;

    len = lago_webhook_record_len(rec);

    if (len > size) {
        return (size_t) -1;
    }

    memset(buf, 0xa5, size);
    end = lago_webhook_record_pack(buf, rec);

    if ((size_t) (end - buf) > len || (len < size && buf[len] != 0xa5)) {
        return (size_t) -1;
    }

    return end - buf;
}


static int
same(const lago_webhook_record_t *a, const lago_webhook_record_t *b)
{
    return a->id.len == b->id.len
           && memcmp(a->id.data, b->id.data, a->id.len) == 0
           && a->url.len == b->url.len
           && memcmp(a->url.data, b->url.data, a->url.len) == 0
           && a->signature_algo.len == b->signature_algo.len
           && memcmp(a->signature_algo.data, b->signature_algo.data,
                     a->signature_algo.len) == 0
           && a->name_null == b->name_null
           && (a->name_null
               || (a->name.len == b->name.len
                   && memcmp(a->name.data, b->name.data, a->name.len) == 0))
           && a->event_types_null == b->event_types_null
           && (a->event_types_null
               || (a->event_types.len == b->event_types.len
                   && memcmp(a->event_types.data, b->event_types.data,
                             a->event_types.len) == 0))
           && a->created_at == b->created_at;
}


#define UNPACK(rec, lit)                                                      \
    lago_webhook_record_unpack((rec), UNIT_S(lit))


static void
test_nullable(void)
{
    unsigned char  buf[16], *end;

    CHECK(lago_webhook_record_nullable_len(5, 1) == 1, "null length");
    CHECK(lago_webhook_record_nullable_len(5, 0) == 6, "value length");
    CHECK(lago_webhook_record_nullable_len(0, 0) == 1, "empty value length");

    end = lago_webhook_record_nullable(buf, (const unsigned char *) "x", 1,
                                       1);
    CHECK(end - buf == 1 && buf[0] == 'N', "null is N");

    end = lago_webhook_record_nullable(buf, NULL, 0, 1);
    CHECK(end - buf == 1 && buf[0] == 'N', "null with no value");

    end = lago_webhook_record_nullable(buf, (const unsigned char *) "abc", 3,
                                       0);
    CHECK(end - buf == 4 && memcmp(buf, "Sabc", 4) == 0, "S and the value");

    end = lago_webhook_record_nullable(buf, NULL, 0, 0);
    CHECK(end - buf == 1 && buf[0] == 'S', "an empty value is S");
}


static void
test_pack(void)
{
    size_t                 len;
    unsigned char          buf[512];
    lago_webhook_record_t  rec, back;

    static const char  full[] =
        UUID "\0https://foo.bar\0hmac\0SMy hook\0"
        "Sinvoice.created,customer.created\0" "1700000000";

    static const char  nulls[] =
        UUID "\0http://a\0jwt\0N\0N\0" "0";

    memset(&rec, 0, sizeof(rec));
    set(&rec.id, UUID);
    set(&rec.url, "https://foo.bar");
    set(&rec.signature_algo, "hmac");
    set(&rec.name, "My hook");
    set(&rec.event_types, "invoice.created,customer.created");
    rec.created_at = 1700000000;

    len = pack(&rec, buf, sizeof(buf));
    CHECK(len == sizeof(full) - 1 && memcmp(buf, full, len) == 0,
          "the exact bytes of a record");
    CHECK(lago_webhook_record_len(&rec) == sizeof(full) - 1 - 10 + 20,
          "the room: the fields, five NULs and twenty digits");

    memset(&back, 0, sizeof(back));
    CHECK(lago_webhook_record_unpack(&back, buf, len) == 0
          && same(&rec, &back), "the record reads back");
    CHECK(back.id.data == buf && back.name.data == buf + 59,
          "read in place");

    /* null name and event types, created_at 0 */
    set(&rec.url, "http://a");
    set(&rec.signature_algo, "jwt");
    rec.name_null = 1;
    rec.event_types_null = 1;
    rec.created_at = 0;

    len = pack(&rec, buf, sizeof(buf));
    CHECK(len == sizeof(nulls) - 1 && memcmp(buf, nulls, len) == 0,
          "the exact bytes of nulls");
    CHECK(lago_webhook_record_unpack(&back, buf, len) == 0
          && same(&rec, &back) && back.name_null && back.event_types_null
          && back.name.len == 0 && back.event_types.len == 0,
          "nulls read back");

    /* empty strings are not nulls */
    set(&rec.name, "");
    set(&rec.event_types, "");
    rec.name_null = 0;
    rec.event_types_null = 0;

    len = pack(&rec, buf, sizeof(buf));
    CHECK(len == sizeof(UUID "\0http://a\0jwt\0S\0S\0" "0") - 1
          && memcmp(buf, UUID "\0http://a\0jwt\0S\0S\0" "0", len) == 0,
          "empty strings are S");
    CHECK(lago_webhook_record_unpack(&back, buf, len) == 0
          && same(&rec, &back) && !back.name_null && !back.event_types_null,
          "empty strings read back");

    /* the latest date read back; an older one; the writer's extremes */
    rec.created_at = LAGO_WEBHOOK_RECORD_TIME_MAX;
    len = pack(&rec, buf, sizeof(buf));
    CHECK(len > 12 && memcmp(buf + len - 12, "253402300799", 12) == 0
          && lago_webhook_record_unpack(&back, buf, len) == 0
          && back.created_at == LAGO_WEBHOOK_RECORD_TIME_MAX,
          "9999-12-31T23:59:59Z");

    rec.created_at = LAGO_WEBHOOK_RECORD_TIME_MAX + 1;
    len = pack(&rec, buf, sizeof(buf));
    CHECK(lago_webhook_record_unpack(&back, buf, len) == -1,
          "a second later is not read");

    rec.created_at = 7;
    len = pack(&rec, buf, sizeof(buf));
    CHECK(buf[len - 2] == '\0' && buf[len - 1] == '7', "one digit");

    rec.created_at = -42;
    len = pack(&rec, buf, sizeof(buf));
    CHECK(memcmp(buf + len - 4, "\0-42", 4) == 0
          && lago_webhook_record_unpack(&back, buf, len) == -1,
          "negative: written with its sign, not read");

    rec.created_at = INT64_MIN;
    len = pack(&rec, buf, sizeof(buf));
    CHECK(len != (size_t) -1
          && memcmp(buf + len - 20, "-9223372036854775808", 20) == 0,
          "the smallest fits its room");

    rec.created_at = INT64_MAX;
    len = pack(&rec, buf, sizeof(buf));
    CHECK(len != (size_t) -1
          && memcmp(buf + len - 19, "9223372036854775807", 19) == 0,
          "the largest");
}


static void
test_unpack(void)
{
    lago_webhook_record_t  rec;

    memset(&rec, 0, sizeof(rec));

    CHECK(UNPACK(&rec, "i\0u\0a\0Sn\0Se\0" "12") == 0
          && str_is(&rec.id, "i") && str_is(&rec.url, "u")
          && str_is(&rec.signature_algo, "a") && str_is(&rec.name, "n")
          && str_is(&rec.event_types, "e") && rec.created_at == 12
          && !rec.name_null && !rec.event_types_null, "a short record");

    CHECK(UNPACK(&rec, "\0\0\0N\0N\0" "1") == 0 && rec.id.len == 0
          && rec.url.len == 0 && rec.signature_algo.len == 0,
          "empty id, url and algorithm are read");

    /* not records */
    CHECK(UNPACK(&rec, "") == -1, "nothing");
    CHECK(UNPACK(&rec, "i\0u\0a\0Sn\0Se") == -1, "five fields");
    CHECK(UNPACK(&rec, "i\0u\0a\0Sn\0Se\0") == -1, "empty created_at");
    CHECK(UNPACK(&rec, "i\0u\0a\0\0Se\0" "1") == -1, "empty name");
    CHECK(UNPACK(&rec, "i\0u\0a\0Sn\0\0" "1") == -1, "empty event types");
    CHECK(UNPACK(&rec, "i\0u\0a\0Sn\0Se\0" "1a") == -1, "not a number");
    CHECK(UNPACK(&rec, "i\0u\0a\0Sn\0Se\0" "-1") == -1, "a sign");
    CHECK(UNPACK(&rec, "i\0u\0a\0Sn\0Se\0" " 1") == -1, "a space");
    CHECK(UNPACK(&rec, "i\0u\0a\0Sn\0Se\0" "253402300800") == -1,
          "past 9999");
    CHECK(UNPACK(&rec, "i\0u\0a\0Sn\0Se\0" "99999999999999999999999") == -1,
          "a number past 64 bits");
    CHECK(UNPACK(&rec, "i\0u\0a\0Sn\0Se\0" "000000000000000000000000000001")
          == 0 && rec.created_at == 1, "leading zeros");

    /* read as the writer's readers always have */
    CHECK(UNPACK(&rec, "i\0u\0a\0Sn\0Se\0" "5\0junk\0more") == 0
          && rec.created_at == 5, "what follows a sixth NUL is ignored");
    CHECK(UNPACK(&rec, "i\0u\0a\0Nn\0Se\0" "5") == 0 && rec.name_null
          && str_is(&rec.name, "n"), "N with bytes after it is null");
    CHECK(UNPACK(&rec, "i\0u\0a\0Xn\0?e\0" "5") == 0 && !rec.name_null
          && str_is(&rec.name, "n") && !rec.event_types_null
          && str_is(&rec.event_types, "e"),
          "another first byte reads as a value");
}


int
main(void)
{
    test_nullable();
    test_pack();
    test_unpack();

    return UNIT_DONE();
}
