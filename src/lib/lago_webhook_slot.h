
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The Redis Cluster slot of a key: CRC16 (XMODEM) of its hash tag, the
 * bytes between the first '{' and the next '}' when there are any, or
 * of the whole key, modulo 16384.
 */


#ifndef _LAGO_WEBHOOK_SLOT_H_INCLUDED_
#define _LAGO_WEBHOOK_SLOT_H_INCLUDED_


#include <stddef.h>


#define LAGO_WEBHOOK_SLOTS  16384


unsigned int lago_webhook_slot(const unsigned char *key, size_t len);

/* CRC16 with polynomial 0x1021, initial value 0, no reflection */
unsigned int lago_webhook_crc16(const unsigned char *data, size_t len);


#endif /* _LAGO_WEBHOOK_SLOT_H_INCLUDED_ */
