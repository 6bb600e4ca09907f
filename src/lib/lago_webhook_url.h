
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Checks on a webhook_url value, made the way Lago makes them, so that the
 * same values are accepted and refused as by Lago itself.
 */


#ifndef _LAGO_WEBHOOK_URL_H_INCLUDED_
#define _LAGO_WEBHOOK_URL_H_INCLUDED_


#include <stddef.h>


/*
 * 1 if the value is empty or white space only, else 0.  Like ActiveSupport's
 * blank?, Unicode white space (U+00A0, U+2028, U+3000...) counts, NUL not.
 */
int lago_webhook_url_is_blank(const unsigned char *s, size_t len);

/*
 * 1 if Lago's UrlValidator accepts the value: Ruby's URI.parse succeeds, the
 * result is a URI::HTTP or URI::HTTPS and its host is not empty; else 0.
 */
int lago_webhook_url_is_valid(const unsigned char *s, size_t len);


#endif /* _LAGO_WEBHOOK_URL_H_INCLUDED_ */
