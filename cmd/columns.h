/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Column catalogues that -o selects from and --list-columns prints, as data
 * without any library: the binary builds its libsmartcols columns from them
 * (X(name, JSON type, flag, help): SCOLS_JSON_<type>, OUT_FL_<flag>), and
 * the man pages print them (cmd/tables.c, also built for the build machine
 * when cross-compiling).
 */
#ifndef BCACHE_CMD_COLUMNS_H
#define BCACHE_CMD_COLUMNS_H

/* bcache nvm dump: the allocation table */
#define BCH_NVM_DUMP_COLUMNS(X)							\
	X(device, STRING, , "device path")					\
	X(owner, NUMBER, RIGHT, "owner head index")				\
	X(uuid, STRING, , "owner uuid")						\
	X(ns, NUMBER, RIGHT, "namespace number j of heads[].recs[j]")		\
	X(slot, NUMBER, RIGHT, "record-page slot")				\
	X(k, NUMBER, RIGHT, "record index in the page")			\
	X(pgoff, STRING, RIGHT, "stored pgoff (address >> 12)")		\
	X(page, NUMBER, RIGHT, "namespace page")				\
	X(order, NUMBER, RIGHT, "allocation order")				\
	X(pages, NUMBER, RIGHT, "2^order pages")				\
	X(offset, NUMBER, RIGHT, "byte offset in the namespace")		\
	X(length, NUMBER, RIGHT, "length in bytes")				\
	X(valid, BOOLEAN, , "inside the namespace, aligned, order <= 19")	\
	X(record, STRING, , "the record as stored (u64)")			\
	X(ns_id, NUMBER, RIGHT, "the record's ns_id (nvmpg; v7: 0)")

#endif
