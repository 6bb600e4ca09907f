
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * UUIDs: random (version 4) ids for new records, and the reading of an id
 * from a request path the way Lago reads it.
 */


#ifndef _LAGO_WEBHOOK_UUID_H_INCLUDED_
#define _LAGO_WEBHOOK_UUID_H_INCLUDED_


#include <stddef.h>


#define LAGO_WEBHOOK_UUID_LEN  36


/*
 * Writes a new random version 4 UUID, lower case 8-4-4-4-12, no NUL.
 * Returns 0, or -1 (errno set) if the kernel gave no random bytes.
 */
int lago_webhook_uuid_v4(unsigned char out[LAGO_WEBHOOK_UUID_LEN]);

/*
 * Forgets the random bytes read ahead for lago_webhook_uuid_v4(): a
 * forked child calls it before making ids, so that it makes other ids
 * than its parent.
 */
void lago_webhook_uuid_reset(void);

/* writes 16 bytes as lower case 8-4-4-4-12, no NUL */
void lago_webhook_uuid_format(unsigned char out[LAGO_WEBHOOK_UUID_LEN],
    const unsigned char bytes[16]);

/*
 * Reads a UUID in any of the forms PostgreSQL's uuid input takes: 32 hex
 * digits in either case, a '-' allowed after any group of 4 of them but
 * the last, the whole optionally in "{...}".  Writes the canonical lower
 * case 8-4-4-4-12 form and returns 0, or returns -1 (out untouched).
 */
int lago_webhook_uuid_normalize(unsigned char out[LAGO_WEBHOOK_UUID_LEN],
    const unsigned char *s, size_t len);


#endif /* _LAGO_WEBHOOK_UUID_H_INCLUDED_ */
