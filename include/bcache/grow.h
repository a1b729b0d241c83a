/* SPDX-License-Identifier: GPL-2.0 */
/* Growing an array geometrically (amortised constant time per element). */
#ifndef BCACHE_GROW_H
#define BCACHE_GROW_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * Double the capacity *cap of the array *v of elements of size bytes (from
 * 4 when empty); *v and *cap are unchanged on failure.  0 or -ENOMEM.
 */
static inline int bch_grow(void **v, size_t *cap, size_t size)
{
	size_t n = *cap ? 2 * *cap : 4;
	void *p;

	if (n > SIZE_MAX / size)
		return -ENOMEM;
	p = realloc(*v, n * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = n;
	return 0;
}

#endif
