
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Tests of the event type table, the normalisation of one element and the
 * dedup helper (API spec section 5.2).
 */


#include <stdlib.h>

#include "unit.h"

#include "lago_webhook_event_types.h"


/* webhook_event_types.txt as it is, in its own order: a second copy */

static const char  *spec_names[] = {
    "alert.triggered",
    "billable_metric.created",
    "billable_metric.updated",
    "billable_metric.deleted",
    "customer.created",
    "customer.updated",
    "customer.accounting_provider_created",
    "customer.accounting_provider_error",
    "customer.crm_provider_created",
    "customer.crm_provider_error",
    "customer.payment_provider_created",
    "customer.payment_provider_error",
    "customer.checkout_url_generated",
    "customer.tax_provider_error",
    "customer.vies_check",
    "credit_note.created",
    "credit_note.generated",
    "credit_note.provider_refund_failure",
    "dunning_campaign.finished",
    "event.error",
    "events.errors",
    "feature.created",
    "feature.updated",
    "feature.deleted",
    "fee.created",
    "fee.tax_provider_error",
    "invoice.created",
    "invoice.one_off_created",
    "invoice.paid_credit_added",
    "invoice.generated",
    "invoice.drafted",
    "invoice.ready_to_finalize",
    "invoice.voided",
    "invoice.deleted",
    "invoice.payment_dispute_lost",
    "invoice.payment_status_updated",
    "invoice.payment_overdue",
    "invoice.payment_failure",
    "invoice.resynced",
    "integration.provider_error",
    "order.created",
    "order.executed",
    "order_form.created",
    "order_form.signed",
    "order_form.expired",
    "order_form.voided",
    "payment.succeeded",
    "payment.requires_action",
    "payment_provider.error",
    "payment_receipt.created",
    "payment_receipt.generated",
    "payment_request.created",
    "payment_request.payment_failure",
    "payment_request.payment_status_updated",
    "plan.created",
    "plan.updated",
    "plan.deleted",
    "quote.created",
    "quote.approved",
    "quote.voided",
    "subscription.canceled",
    "subscription.incomplete",
    "subscription.terminated",
    "subscription.started",
    "subscription.updated",
    "subscription.termination_alert",
    "subscription.trial_ended",
    "subscription.usage_threshold_reached",
    "wallet.created",
    "wallet.depleted_ongoing_balance",
    "wallet.terminated",
    "wallet.updated",
    "wallet_transaction.created",
    "wallet_transaction.updated",
    "wallet_transaction.payment_failure",
};


static int
normalizes_to(const unsigned char *in, size_t len, const char *want)
{
    size_t          n;
    unsigned char   buf[256];

    n = lago_webhook_event_type_normalize(buf, in, len);

    return n == strlen(want) && memcmp(buf, want, n) == 0;
}


static int
dedup_gives(const char **in, size_t n, const char **want, size_t nwant)
{
    size_t                          i, got;
    size_t                          scratch[16];
    lago_webhook_event_type_str_t   items[16];

    for (i = 0; i < n; i++) {
        items[i].data = (const unsigned char *) in[i];
        items[i].len = strlen(in[i]);
    }

    got = lago_webhook_event_types_dedup(items, n, scratch);
    if (got != nwant) {
        return 0;
    }

    for (i = 0; i < got; i++) {
        if (items[i].len != strlen(want[i])
            || memcmp(items[i].data, want[i], items[i].len) != 0)
        {
            return 0;
        }
    }

    /* the kept elements are the first occurrences themselves */
    for (i = 0; i < got; i++) {
        size_t  j;

        for (j = 0; j < n; j++) {
            if (strcmp(in[j], want[i]) == 0) {
                break;
            }
        }

        if ((const char *) items[i].data != in[j]) {
            return 0;
        }
    }

    return 1;
}


static void
test_table(void)
{
    size_t       i, n;
    const char  *a, *b;
    char         name[128];

    n = sizeof(spec_names) / sizeof(spec_names[0]);

    CHECK(n == 75, "the spec list has 75 names");
    CHECK(lago_webhook_event_type_count() == 75, "count() == 75");

    for (i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "known: %s", spec_names[i]);
        CHECK(lago_webhook_event_type_is_known(
                  (const unsigned char *) spec_names[i],
                  strlen(spec_names[i])),
              name);
    }

    for (i = 0; i + 1 < lago_webhook_event_type_count(); i++) {
        a = lago_webhook_event_type_name(i);
        b = lago_webhook_event_type_name(i + 1);
        snprintf(name, sizeof(name), "sorted: %s < %s", a, b);
        CHECK(strcmp(a, b) < 0, name);
    }

    for (i = 0; i < lago_webhook_event_type_count(); i++) {
        size_t  j;
        int     found;

        a = lago_webhook_event_type_name(i);
        found = 0;
        for (j = 0; j < n; j++) {
            found |= strcmp(a, spec_names[j]) == 0;
        }

        snprintf(name, sizeof(name), "in the spec list: %s", a);
        CHECK(found, name);
    }

    CHECK(lago_webhook_event_type_name(75) == NULL, "name(75) == NULL");
    CHECK(lago_webhook_event_type_name((size_t) -1) == NULL, "name(-1)");

    CHECK(!lago_webhook_event_type_is_known(UNIT_S("")), "'' unknown");
    CHECK(!lago_webhook_event_type_is_known(UNIT_S("*")), "'*' unknown");
    CHECK(!lago_webhook_event_type_is_known(UNIT_S("a.b")), "a.b unknown");
    CHECK(!lago_webhook_event_type_is_known(UNIT_S("c")), "c unknown");
    CHECK(!lago_webhook_event_type_is_known(UNIT_S("invoice")),
          "prefix unknown");
    CHECK(!lago_webhook_event_type_is_known(UNIT_S("invoice.create")),
          "shorter unknown");
    CHECK(!lago_webhook_event_type_is_known(UNIT_S("invoice.createdx")),
          "longer unknown");
    CHECK(!lago_webhook_event_type_is_known(UNIT_S("invoice.created ")),
          "not trimmed unknown");
    CHECK(!lago_webhook_event_type_is_known(UNIT_S("Invoice.Created")),
          "not lower-cased unknown");
    CHECK(!lago_webhook_event_type_is_known(UNIT_S("invoice.created\0")),
          "trailing NUL unknown");
    CHECK(!lago_webhook_event_type_is_known(UNIT_S("aaa")), "before all");
    CHECK(!lago_webhook_event_type_is_known(UNIT_S("zzz")), "after all");
    CHECK(lago_webhook_event_type_is_known(UNIT_S("alert.triggered")),
          "first");
    CHECK(lago_webhook_event_type_is_known(
              UNIT_S("wallet_transaction.updated")), "last");
    CHECK(lago_webhook_event_type_is_known(UNIT_S("events.errors"))
          && lago_webhook_event_type_is_known(UNIT_S("event.error")),
          "event.error and events.errors");
}


static void
test_normalize(void)
{
    size_t         n;
    unsigned char  buf[64];

    CHECK(normalizes_to(UNIT_S("invoice.created"), "invoice.created"),
          "plain");
    CHECK(normalizes_to(UNIT_S("  Invoice.Created  "), "invoice.created"),
          "strip and downcase");
    CHECK(normalizes_to(UNIT_S("INVOICE.CREATED"), "invoice.created"),
          "upper case");
    CHECK(normalizes_to(UNIT_S("\t\n\v\f\r plan.created \r\n"),
                        "plan.created"), "all ASCII white space");
    CHECK(normalizes_to(UNIT_S("\0\0 plan.created\0 \0"), "plan.created"),
          "leading and trailing NUL");
    CHECK(lago_webhook_event_type_normalize(buf, UNIT_S(" a\0b ")) == 3
          && memcmp(buf, "a\0b", 3) == 0, "inner NUL and space kept");
    CHECK(normalizes_to(UNIT_S("A B"), "a b"), "inner space kept");
    CHECK(normalizes_to(UNIT_S(""), ""), "empty");
    CHECK(normalizes_to(UNIT_S("   "), ""), "blank becomes empty");
    CHECK(normalizes_to(UNIT_S("\0"), ""), "NUL only becomes empty");
    CHECK(normalizes_to(UNIT_S("*"), "*"), "star kept");
    CHECK(normalizes_to(UNIT_S(" * "), "*"), "star trimmed");
    CHECK(normalizes_to(UNIT_S("A.B"), "a.b"), "a.b");
    CHECK(normalizes_to(UNIT_S("@[`{"), "@[`{"),
          "only A-Z is mapped");
    CHECK(normalizes_to(UNIT_S("\xc3\x89V\xc3\x89NEMENT"),
                        "\xc3\xa9v\xc3\xa9nement"),
          "Latin-1 letters lower-cased like Ruby's downcase");
    CHECK(normalizes_to(UNIT_S("\xce\xa3\xd0\x96\xc5\x81\xc3\x97"),
                        "\xcf\x83\xd0\xb6\xc5\x82\xc3\x97"),
          "Greek, Cyrillic, Latin Extended-A lower-cased, the sign kept");
    CHECK(normalizes_to(UNIT_S("\xe2\x84\xaa\xc3"),
                        "\xe2\x84\xaa\xc3"),
          "three-byte and truncated sequences left as they are");
    CHECK(normalizes_to(UNIT_S("\xc2\xa0x\xc2\xa0"), "\xc2\xa0x\xc2\xa0"),
          "Unicode spaces not stripped");

    memcpy(buf, "  Wallet.Created ", 17);
    n = lago_webhook_event_type_normalize(buf, buf, 17);
    CHECK(n == 14 && memcmp(buf, "wallet.created", 14) == 0, "in place");

    n = lago_webhook_event_type_normalize(buf, UNIT_S(" Fee.Created "));
    CHECK(lago_webhook_event_type_is_known(buf, n), "normalised is known");
}


static void
test_dedup(void)
{
    size_t                          i, j, n, got, ref;
    size_t                         *scratch;
    const char                     *in1[] = { "a", "b", "a", "c", "b" };
    const char                     *want1[] = { "a", "b", "c" };
    const char                     *in2[] = { "x", "x", "x" };
    const char                     *want2[] = { "x" };
    const char                     *in3[] = { "", "a", "", "ab", "a", "b" };
    const char                     *want3[] = { "", "a", "ab", "b" };
    const char                     *in4[] = { "c", "b", "a" };
    const char                     *in5[] = { "only" };
    unsigned char                  *pool;
    lago_webhook_event_type_str_t  *items, *copy;

    CHECK(dedup_gives(in1, 5, want1, 3), "a b a c b -> a b c");
    CHECK(dedup_gives(in2, 3, want2, 1), "x x x -> x");
    CHECK(dedup_gives(in3, 6, want3, 4), "empty strings and prefixes");
    CHECK(dedup_gives(in4, 3, in4, 3), "no duplicates: order kept");
    CHECK(dedup_gives(in5, 1, in5, 1), "one element");
    CHECK(lago_webhook_event_types_dedup(NULL, 0, NULL) == 0, "none");

    /* many elements against a quadratic reference */

    n = 5000;
    pool = malloc(n * 2);
    items = malloc(n * sizeof(*items));
    copy = malloc(n * sizeof(*copy));
    scratch = malloc(n * sizeof(*scratch));

    if (pool == NULL || items == NULL || copy == NULL || scratch == NULL) {
        CHECK(0, "malloc");
        return;
    }

    srand(42);

    for (i = 0; i < n; i++) {
        pool[2 * i] = (unsigned char) ('a' + rand() % 26);
        pool[2 * i + 1] = (unsigned char) ('a' + rand() % 26);
        items[i].data = pool + 2 * i;
        items[i].len = 1 + (size_t) (rand() % 2);
    }

    ref = 0;
    for (i = 0; i < n; i++) {
        for (j = 0; j < ref; j++) {
            if (copy[j].len == items[i].len
                && memcmp(copy[j].data, items[i].data, items[i].len) == 0)
            {
                break;
            }
        }

        if (j == ref) {
            copy[ref++] = items[i];
        }
    }

    got = lago_webhook_event_types_dedup(items, n, scratch);

    CHECK(got == ref, "random: same count as the reference");
    CHECK(got == ref
          && memcmp(items, copy, got * sizeof(*items)) == 0,
          "random: same elements, same order, first occurrences");

    free(pool);
    free(items);
    free(copy);
    free(scratch);
}


int
main(void)
{
    test_table();
    test_normalize();
    test_dedup();

    return UNIT_DONE();
}
