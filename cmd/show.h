/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by show and journal. */
#ifndef BCACHE_CMD_SHOW_H
#define BCACHE_CMD_SHOW_H

#include <bcache/problem.h>

#include "output.h"

/* The problems of one device as a table (text: only when there are any). */
int show_problems(struct out *o, const char *path, const struct bch_problems *ps);

#endif
