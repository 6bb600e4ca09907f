
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Webhook event type names and the normalisation of event_types elements.
 */


#include <stddef.h>
#include <string.h>

#include "lago_webhook_event_types.h"


/*
 * The 75 names of webhook_event_types.txt (Lago's list of webhook event
 * types, kept with the API spec), sorted in byte order so that a lookup is
 * a binary search.  The list changes with Lago; keep it sorted when adding.
 */

static const char  *lago_webhook_event_type_names[] = {
    "alert.triggered",
    "billable_metric.created",
    "billable_metric.deleted",
    "billable_metric.updated",
    "credit_note.created",
    "credit_note.generated",
    "credit_note.provider_refund_failure",
    "customer.accounting_provider_created",
    "customer.accounting_provider_error",
    "customer.checkout_url_generated",
    "customer.created",
    "customer.crm_provider_created",
    "customer.crm_provider_error",
    "customer.payment_provider_created",
    "customer.payment_provider_error",
    "customer.tax_provider_error",
    "customer.updated",
    "customer.vies_check",
    "dunning_campaign.finished",
    "event.error",
    "events.errors",
    "feature.created",
    "feature.deleted",
    "feature.updated",
    "fee.created",
    "fee.tax_provider_error",
    "integration.provider_error",
    "invoice.created",
    "invoice.deleted",
    "invoice.drafted",
    "invoice.generated",
    "invoice.one_off_created",
    "invoice.paid_credit_added",
    "invoice.payment_dispute_lost",
    "invoice.payment_failure",
    "invoice.payment_overdue",
    "invoice.payment_status_updated",
    "invoice.ready_to_finalize",
    "invoice.resynced",
    "invoice.voided",
    "order.created",
    "order.executed",
    "order_form.created",
    "order_form.expired",
    "order_form.signed",
    "order_form.voided",
    "payment.requires_action",
    "payment.succeeded",
    "payment_provider.error",
    "payment_receipt.created",
    "payment_receipt.generated",
    "payment_request.created",
    "payment_request.payment_failure",
    "payment_request.payment_status_updated",
    "plan.created",
    "plan.deleted",
    "plan.updated",
    "quote.approved",
    "quote.created",
    "quote.voided",
    "subscription.canceled",
    "subscription.incomplete",
    "subscription.started",
    "subscription.terminated",
    "subscription.termination_alert",
    "subscription.trial_ended",
    "subscription.updated",
    "subscription.usage_threshold_reached",
    "wallet.created",
    "wallet.depleted_ongoing_balance",
    "wallet.terminated",
    "wallet.updated",
    "wallet_transaction.created",
    "wallet_transaction.payment_failure",
    "wallet_transaction.updated",
};

#define LAGO_WEBHOOK_EVENT_TYPE_COUNT                                         \
    (sizeof(lago_webhook_event_type_names)                                    \
     / sizeof(lago_webhook_event_type_names[0]))


static int lago_webhook_event_type_cmp(const unsigned char *a, size_t alen,
    const unsigned char *b, size_t blen);
static int lago_webhook_event_types_less(
    const lago_webhook_event_type_str_t *items, size_t a, size_t b,
    int by_value);
static void lago_webhook_event_types_sort(
    const lago_webhook_event_type_str_t *items, size_t *idx, size_t n,
    int by_value);


int
lago_webhook_event_type_is_known(const unsigned char *s, size_t len)
{
    int          c;
    size_t       lo, hi, mid;
    const char  *name;

    lo = 0;
    hi = LAGO_WEBHOOK_EVENT_TYPE_COUNT;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        name = lago_webhook_event_type_names[mid];

        c = lago_webhook_event_type_cmp(s, len, (const unsigned char *) name,
                                        strlen(name));
        if (c == 0) {
            return 1;
        }

        if (c < 0) {
            hi = mid;

        } else {
            lo = mid + 1;
        }
    }

    return 0;
}


/* the lower case of a code point below U+0800, in the alphabets above */

static unsigned int
lago_webhook_event_type_lower(unsigned int cp)
{
    if ((cp >= 0xc0 && cp <= 0xde && cp != 0xd7)       /* Latin-1 */
        || (cp >= 0x391 && cp <= 0x3ab && cp != 0x3a2)  /* Greek */
        || (cp >= 0x410 && cp <= 0x42f))                /* Cyrillic */
    {
        return cp + 0x20;
    }

    if (cp >= 0x400 && cp <= 0x40f) {
        return cp + 0x50;
    }

    if (cp == 0x386) {
        return 0x3ac;
    }

    if (cp >= 0x388 && cp <= 0x38a) {
        return cp + 0x25;
    }

    if (cp == 0x38c) {
        return 0x3cc;
    }

    if (cp == 0x38e || cp == 0x38f) {
        return cp + 0x3f;
    }

    if (cp == 0x178) {
        return 0xff;
    }

    /* Greek and Cyrillic capitals whose small letter is elsewhere */

    switch (cp) {
    case 0x37f: return 0x3f3;
    case 0x3cf: return 0x3d7;
    case 0x3f4: return 0x3b8;
    case 0x3f9: return 0x3f2;
    case 0x4c0: return 0x4cf;
    }

    if (cp >= 0x3fd && cp <= 0x3ff) {
        return cp - 0x82;
    }

    /*
     * The rest pair each capital with the small letter right after it.
     * U+0130 (capital I with dot) is left alone: its lower case, "i" with
     * a combining dot, is longer.
     */

    if ((cp >= 0x100 && cp <= 0x12f && cp % 2 == 0)
        || (cp >= 0x132 && cp <= 0x137 && cp % 2 == 0)
        || (cp >= 0x139 && cp <= 0x148 && cp % 2 == 1)
        || (cp >= 0x14a && cp <= 0x177 && cp % 2 == 0)
        || (cp >= 0x179 && cp <= 0x17e && cp % 2 == 1)
        || cp == 0x370 || cp == 0x372 || cp == 0x376
        || (cp >= 0x3d8 && cp <= 0x3ee && cp % 2 == 0)
        || cp == 0x3f7 || cp == 0x3fa
        || (cp >= 0x460 && cp <= 0x480 && cp % 2 == 0)
        || (cp >= 0x48a && cp <= 0x4be && cp % 2 == 0)
        || (cp >= 0x4c1 && cp <= 0x4cd && cp % 2 == 1)
        || (cp >= 0x4d0 && cp <= 0x4fe && cp % 2 == 0))
    {
        return cp + 1;
    }

    return cp;
}


size_t
lago_webhook_event_type_normalize(unsigned char *dst, const unsigned char *s,
    size_t len)
{
    size_t        start, end, i;
    unsigned int  cp;

    /*
     * String#strip removes leading and trailing NUL, tab, LF, VT, FF, CR and
     * space (leading NUL too since Ruby 3.0), and nothing else: Unicode
     * spaces stay.
     */

    start = 0;
    end = len;

    while (start < end
           && (s[start] == '\0' || s[start] == ' '
               || (s[start] >= '\t' && s[start] <= '\r')))
    {
        start++;
    }

    while (end > start
           && (s[end - 1] == '\0' || s[end - 1] == ' '
               || (s[end - 1] >= '\t' && s[end - 1] <= '\r')))
    {
        end--;
    }

    /*
     * String#downcase maps all of Unicode.  ASCII and the two-byte
     * alphabets (Latin-1, Latin Extended-A, Greek, Cyrillic) are mapped
     * here; their lower case has the same UTF-8 length, so copying
     * forwards keeps dst == s safe.  No known name has such letters: this
     * only decides how they show in the list of invalid names.
     */

    for (i = start; i < end; i++) {
        if (s[i] >= 'A' && s[i] <= 'Z') {
            dst[i - start] = (unsigned char) (s[i] | 0x20);
            continue;
        }

        if (s[i] >= 0xc2 && s[i] <= 0xdf && i + 1 < end
            && (s[i + 1] & 0xc0) == 0x80)
        {
            cp = (unsigned int) (s[i] & 0x1f) << 6 | (s[i + 1] & 0x3f);
            cp = lago_webhook_event_type_lower(cp);
            dst[i - start] = (unsigned char) (0xc0 | (cp >> 6));
            dst[i - start + 1] = (unsigned char) (0x80 | (cp & 0x3f));
            i++;
            continue;
        }

        dst[i - start] = s[i];
    }

    return end - start;
}


size_t
lago_webhook_event_type_count(void)
{
    return LAGO_WEBHOOK_EVENT_TYPE_COUNT;
}


const char *
lago_webhook_event_type_name(size_t i)
{
    if (i >= LAGO_WEBHOOK_EVENT_TYPE_COUNT) {
        return NULL;
    }

    return lago_webhook_event_type_names[i];
}


size_t
lago_webhook_event_types_dedup(lago_webhook_event_type_str_t *items,
    size_t n, size_t *scratch)
{
    size_t  i, kept;

    if (n < 2) {
        return n;
    }

    /*
     * Sort the indexes by value, then by index, so that the first of each
     * run of equal values is the one to keep; keep those indexes, put them
     * back in order and compact.  A quadratic scan would let one request
     * with a long event_types array hold a worker for seconds.
     */

    for (i = 0; i < n; i++) {
        scratch[i] = i;
    }

    lago_webhook_event_types_sort(items, scratch, n, 1);

    kept = 1;

    for (i = 1; i < n; i++) {
        if (lago_webhook_event_type_cmp(items[scratch[i]].data,
                                        items[scratch[i]].len,
                                        items[scratch[i - 1]].data,
                                        items[scratch[i - 1]].len)
            != 0)
        {
            scratch[kept++] = scratch[i];
        }
    }

    lago_webhook_event_types_sort(items, scratch, kept, 0);

    /* scratch[i] >= i, so moving forwards never overwrites a kept item */

    for (i = 0; i < kept; i++) {
        items[i] = items[scratch[i]];
    }

    return kept;
}


/* byte order, a prefix first, like Ruby's String#<=> */

static int
lago_webhook_event_type_cmp(const unsigned char *a, size_t alen,
    const unsigned char *b, size_t blen)
{
    int  c;

    c = (alen == 0 || blen == 0) ? 0 : memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0) {
        return c;
    }

    return (alen > blen) - (alen < blen);
}


static int
lago_webhook_event_types_less(const lago_webhook_event_type_str_t *items,
    size_t a, size_t b, int by_value)
{
    int  c;

    if (by_value) {
        c = lago_webhook_event_type_cmp(items[a].data, items[a].len,
                                        items[b].data, items[b].len);
        if (c != 0) {
            return c < 0;
        }
    }

    return a < b;
}


/* heap sort: no recursion, no allocation, O(n log n) in the worst case */

static void
lago_webhook_event_types_sort(const lago_webhook_event_type_str_t *items,
    size_t *idx, size_t n, int by_value)
{
    size_t  start, end, root, child, tmp;

    if (n < 2) {
        return;
    }

    start = n / 2;
    end = n;

    for ( ;; ) {

        if (start > 0) {
            start--;

        } else {
            end--;
            if (end == 0) {
                return;
            }

            tmp = idx[end];
            idx[end] = idx[0];
            idx[0] = tmp;
        }

        root = start;

        for ( ;; ) {
            child = 2 * root + 1;
            if (child >= end) {
                break;
            }

            if (child + 1 < end
                && lago_webhook_event_types_less(items, idx[child],
                                                 idx[child + 1], by_value))
            {
                child++;
            }

            if (!lago_webhook_event_types_less(items, idx[root], idx[child],
                                               by_value))
            {
                break;
            }

            tmp = idx[root];
            idx[root] = idx[child];
            idx[child] = tmp;
            root = child;
        }
    }
}
