
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * JSON string escaping as Lago's responses have it (Rails' ActiveSupport
 * JSON encoding), so that bodies are byte for byte what Lago sends.
 */


#ifndef _LAGO_WEBHOOK_JSON_ESCAPE_H_INCLUDED_
#define _LAGO_WEBHOOK_JSON_ESCAPE_H_INCLUDED_


#include <stddef.h>


/* the length of the escaped content of s, without the quotes */
size_t lago_webhook_json_escaped_len(const unsigned char *s, size_t len);

/*
 * The most that len bytes can take escaped, without looking at them: a
 * control character becomes 6 bytes (\u00xx), and nothing takes more.
 */
#define LAGO_WEBHOOK_JSON_ESCAPED_MAX(len)  ((len) * 6)

/*
 * Writes the escaped content of s (no quotes) to dst, which must have room
 * for lago_webhook_json_escaped_len(s, len) bytes (at most
 * LAGO_WEBHOOK_JSON_ESCAPED_MAX(len)); returns the end of it.
 */
unsigned char *lago_webhook_json_escape(unsigned char *dst,
    const unsigned char *s, size_t len);


#endif /* _LAGO_WEBHOOK_JSON_ESCAPE_H_INCLUDED_ */
