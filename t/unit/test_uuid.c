
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Tests of the UUID helpers: formatting, version 4 generation, and the
 * reading of ids in PostgreSQL's accepted spellings.
 */


#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#include "unit.h"

#include "lago_webhook_uuid.h"


#define CANON  "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"


static int
normalizes(const char *in, size_t len)
{
    unsigned char  out[LAGO_WEBHOOK_UUID_LEN];

    memset(out, 'x', sizeof(out));

    return lago_webhook_uuid_normalize(out, (const unsigned char *) in, len)
           == 0
           && memcmp(out, CANON, LAGO_WEBHOOK_UUID_LEN) == 0;
}


static int
refused(const char *in, size_t len)
{
    unsigned char  out[LAGO_WEBHOOK_UUID_LEN];

    memset(out, 'x', sizeof(out));

    return lago_webhook_uuid_normalize(out, (const unsigned char *) in, len)
           == -1
           && out[0] == 'x';
}


#define OK(lit)   CHECK(normalizes(lit, sizeof(lit) - 1), "accepts " lit)
#define BAD(lit)  CHECK(refused(lit, sizeof(lit) - 1), "refuses " lit)


static int
cmp36(const void *a, const void *b)
{
    return memcmp(a, b, LAGO_WEBHOOK_UUID_LEN);
}


static int
is_v4(const unsigned char *u)
{
    size_t  i;

    for (i = 0; i < LAGO_WEBHOOK_UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (u[i] != '-') {
                return 0;
            }

        } else if (!((u[i] >= '0' && u[i] <= '9')
                     || (u[i] >= 'a' && u[i] <= 'f')))
        {
            return 0;
        }
    }

    return u[14] == '4'
           && (u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b');
}


int
main(void)
{
    size_t          i, count, ones[128], n;
    unsigned char   out[LAGO_WEBHOOK_UUID_LEN + 1], *many;
    unsigned char   bytes[16];
    int             all_v4, all_ok;

    /* format */

    for (i = 0; i < 16; i++) {
        bytes[i] = (unsigned char) (i * 17);
    }

    out[LAGO_WEBHOOK_UUID_LEN] = '#';
    lago_webhook_uuid_format(out, bytes);
    CHECK(memcmp(out, "00112233-4455-6677-8899-aabbccddeeff", 36) == 0,
          "format: 8-4-4-4-12 lower case");
    CHECK(out[LAGO_WEBHOOK_UUID_LEN] == '#', "format writes 36 bytes only");

    memset(bytes, 0xff, sizeof(bytes));
    lago_webhook_uuid_format(out, bytes);
    CHECK(memcmp(out, "ffffffff-ffff-ffff-ffff-ffffffffffff", 36) == 0,
          "format: all ones");

    memset(bytes, 0, sizeof(bytes));
    lago_webhook_uuid_format(out, bytes);
    CHECK(memcmp(out, "00000000-0000-0000-0000-000000000000", 36) == 0,
          "format: nil UUID");

    /* v4: shape, version and variant, no repeats, bits look random */

    n = 20000;
    many = malloc(n * LAGO_WEBHOOK_UUID_LEN);
    if (many == NULL) {
        CHECK(0, "malloc");
        return UNIT_DONE();
    }

    all_ok = 1;
    all_v4 = 1;
    memset(ones, 0, sizeof(ones));

    for (i = 0; i < n; i++) {
        unsigned char  *u = many + i * LAGO_WEBHOOK_UUID_LEN;
        size_t          j;

        all_ok &= lago_webhook_uuid_v4(u) == 0;
        all_v4 &= is_v4(u);

        for (j = 0; j < 32; j++) {
            unsigned char  h = u[j < 8 ? j : j < 12 ? j + 1 : j < 16 ? j + 2
                                 : j < 20 ? j + 3 : j + 4];
            unsigned       v = (unsigned) (h <= '9' ? h - '0' : h - 'a' + 10);

            ones[j * 4] += (v >> 3) & 1;
            ones[j * 4 + 1] += (v >> 2) & 1;
            ones[j * 4 + 2] += (v >> 1) & 1;
            ones[j * 4 + 3] += v & 1;
        }
    }

    CHECK(all_ok, "uuid_v4 returns 0");
    CHECK(all_v4, "uuid_v4: lower-case 8-4-4-4-12, version 4, variant 10");

    qsort(many, n, LAGO_WEBHOOK_UUID_LEN, cmp36);
    count = 0;
    for (i = 1; i < n; i++) {
        count += memcmp(many + (i - 1) * LAGO_WEBHOOK_UUID_LEN,
                        many + i * LAGO_WEBHOOK_UUID_LEN,
                        LAGO_WEBHOOK_UUID_LEN) == 0;
    }
    CHECK(count == 0, "uuid_v4: no repeats in 20000");

    /*
     * Bits 48-51 are the version (0100) and 64-65 the variant (10); every
     * other bit must be set about half the time (20000 draws: a 45%-55%
     * window is more than 14 standard deviations wide).
     */

    all_ok = 1;
    for (i = 0; i < 128; i++) {
        if (i >= 48 && i <= 51) {
            all_ok &= ones[i] == (i == 49 ? n : 0);

        } else if (i == 64 || i == 65) {
            all_ok &= ones[i] == (i == 64 ? n : 0);

        } else {
            all_ok &= ones[i] > n * 45 / 100 && ones[i] < n * 55 / 100;
        }
    }
    CHECK(all_ok, "uuid_v4: fixed bits fixed, the other 122 random");

    free(many);

    /*
     * The read-ahead bytes: a child forked while some are left, and that
     * calls lago_webhook_uuid_reset(), makes other ids than its parent.
     */

    {
        int            fds[2], status, piped;
        pid_t          pid;
        unsigned char  parent[LAGO_WEBHOOK_UUID_LEN];
        unsigned char  child[LAGO_WEBHOOK_UUID_LEN];

        piped = pipe(fds) == 0;
        all_ok = lago_webhook_uuid_v4(parent) == 0 && piped;

        pid = all_ok ? fork() : -1;

        if (pid == 0) {
            lago_webhook_uuid_reset();
            status = lago_webhook_uuid_v4(child) == 0
                     && write(fds[1], child, sizeof(child))
                        == (ssize_t) sizeof(child);
            _exit(status ? 0 : 1);
        }

        all_ok &= pid > 0
                  && lago_webhook_uuid_v4(parent) == 0
                  && read(fds[0], child, sizeof(child))
                     == (ssize_t) sizeof(child)
                  && waitpid(pid, &status, 0) == pid
                  && WIFEXITED(status) && WEXITSTATUS(status) == 0;

        if (piped) {
            close(fds[0]);
            close(fds[1]);
        }

        CHECK(all_ok && memcmp(parent, child, sizeof(child)) != 0,
              "uuid_v4: a forked child that resets makes other ids");
    }

    /* normalize: accepted spellings */

    OK(CANON);
    OK("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");
    OK("A0eeBC99-9c0B-4eF8-bB6d-6Bb9bD380a11");
    OK("a0eebc999c0b4ef8bb6d6bb9bd380a11");
    OK("A0EEBC999C0B4EF8BB6D6BB9BD380A11");
    OK("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}");
    OK("{a0eebc999c0b4ef8bb6d6bb9bd380a11}");
    OK("{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}");
    OK("a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11");
    OK("{a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11}");
    OK("a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11");
    OK("a0eebc999c0b4ef8bb6d6bb9bd38-0a11");
    OK("a0ee-bc999c0b4ef8bb6d6bb9bd380a11");

    /* normalize: refused */

    BAD("");
    BAD("{}");
    BAD("{");
    BAD("}");
    BAD("-");
    BAD("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-");
    BAD("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-}");
    BAD("a0eebc999c0b4ef8bb6d6bb9bd380a11-");
    BAD("-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    BAD("a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11");
    BAD("a0eebc99-9c0b-4ef8-bb6d--6bb9bd380a11");
    BAD("a0-eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    BAD("a0eeb-c99-9c0b-4ef8-bb6d-6bb9bd380a11");
    BAD("a0eebc999c0b4ef8bb6d6bb9bd380a1");
    BAD("a0eebc999c0b4ef8bb6d6bb9bd380a111");
    BAD("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1");
    BAD("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111");
    BAD("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g");
    BAD("g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    BAD("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1 ");
    BAD(" a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    BAD("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 ");
    BAD("a0eebc99 9c0b 4ef8 bb6d 6bb9bd380a11");
    BAD("a0eebc99_9c0b_4ef8_bb6d_6bb9bd380a11");
    BAD("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    BAD("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}");
    BAD("{{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}}");
    BAD("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}}");
    BAD("(a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11)");
    BAD("[a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11]");
    BAD("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\0");
    BAD("a0eebc99-9c0b-4ef8-bb6d-6bb9bd38\0a11");
    BAD("urn:uuid:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    BAD("0xa0eebc999c0b4ef8bb6d6bb9bd380a");
    BAD("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11.json");
    BAD("\xc3\xa0" "0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    BAD("1");
    BAD("webhook_endpoints");

    /* the length is honoured: nothing is read past it */

    CHECK(lago_webhook_uuid_normalize(out,
              (const unsigned char *) CANON "ff", 36) == 0
          && memcmp(out, CANON, 36) == 0, "normalize honours len");
    CHECK(lago_webhook_uuid_normalize(out, (const unsigned char *) CANON, 35)
          == -1, "normalize: one short");

    return UNIT_DONE();
}
