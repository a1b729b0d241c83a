/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Column catalogues: one per table, as data without any library.  Each
 * X(ID, name, TYPE, flags, help) line gives the column's id (an enum
 * constant the command fills the cell by), its name (the JSON key; the text
 * header is the name in upper case), its type, its flags and its help.
 * The same lines drive text and JSON output, -o/--output, --list-columns,
 * completion and the man pages (cmd/tables.c, also built for the build
 * machine when cross-compiling).
 */
#ifndef BCACHE_CMD_COLUMNS_H
#define BCACHE_CMD_COLUMNS_H

/*
 * Column types.  JSON: STR and HEX ("0x...") are strings, BOOL true/false,
 * HEXV an array of "0x..." strings; NUM, BIG (a 64-bit field of the media)
 * and BYTES are numbers, except that an integer above 2^53 (only a 64-bit
 * field can hold one) is written as a string of decimal digits, so that no
 * JSON parser rounds it.  Text: numbers right-aligned, BYTES in human units
 * ("41.2 MiB"), raw with -b/--bytes.
 */
enum out_type { OUT_STR, OUT_NUM, OUT_BIG, OUT_HEX, OUT_BOOL, OUT_BYTES, OUT_HEXV };

/* Column flags. */
#define OUT_DEF 0x01	/* shown by default in text */
#define OUT_RIGHT 0x02	/* right-aligned (implied for numbers) */
#define OUT_TRUNC 0x04	/* text: may be truncated to fit the terminal */
#define OUT_WRAP 0x08	/* text: may be wrapped to fit the terminal */
#define OUT_TREEC 0x10	/* text: the tree column */

struct out_col {
	const char *name;
	unsigned char type;	/* enum out_type */
	unsigned char flags;	/* OUT_DEF, ... */
	const char *help;
};

#define OUT_COL_ENUM(id, name, type, flags, help) id,
#define OUT_COL_INFO(id, name, type, flags, help) [id] = { #name, OUT_##type, flags, help },
/* enum { ...ids..., prefix_NCOLS } and static const struct out_col var[] */
#define OUT_CATALOGUE(list, prefix, var)					\
	enum { list(OUT_COL_ENUM) prefix##_NCOLS };				\
	static const struct out_col var[] __attribute__((unused)) = {		\
		list(OUT_COL_INFO)						\
	}

/* nvm dump: allocations (one row per record) */
#define BCH_COLS_ALLOC(X)							\
	X(AC_OWNER, owner, NUM, OUT_DEF, "owner head index")			\
	X(AC_UUID, uuid, STR, 0, "owner uuid")					\
	X(AC_NS, ns, NUM, OUT_DEF, "namespace number j of heads[].recs[j]")	\
	X(AC_SLOT, slot, NUM, OUT_DEF, "record-page slot")			\
	X(AC_K, k, NUM, OUT_DEF, "record index in the page")			\
	X(AC_PGOFF, pgoff, HEX, OUT_DEF, "stored pgoff (address >> 12)")	\
	X(AC_PAGE, page, NUM, OUT_DEF, "namespace page")			\
	X(AC_ORDER, order, NUM, OUT_DEF, "allocation order")			\
	X(AC_PAGES, pages, NUM, OUT_DEF, "2^order pages")			\
	X(AC_OFFSET, offset, NUM, OUT_DEF, "byte offset in the namespace")	\
	X(AC_LENGTH, length, BYTES, OUT_DEF, "length in bytes")		\
	X(AC_VALID, valid, BOOL, 0, "inside the namespace, aligned, order <= 19") \
	X(AC_RECORD, record, HEX, 0, "the record as stored (u64)")		\
	X(AC_NS_ID, ns_id, NUM, 0, "the record's ns_id (nvmpg; v7: 0)")

/* nvm dump: owners (one row per owner head) */
#define BCH_COLS_OWNERS(X)							\
	X(OC_INDEX, index, NUM, OUT_DEF, "owner head index")			\
	X(OC_UUID, uuid, STR, OUT_DEF, "owner uuid")				\
	X(OC_LABEL, label, STR, OUT_DEF | OUT_TRUNC, "owner label")		\
	X(OC_STATE, state, NUM, 0, "nvmpg: the head's state (0 FREE, 1 ALLOC)")	\
	X(OC_FLAGS, flags, HEX, 0, "nvmpg: the head's flags")			\
	X(OC_RECS, recs, HEXV, OUT_DEF, "heads[].recs[]: first record page per namespace (text: the non-zero ones)") \
	X(OC_PAGES, record_pages, NUM, OUT_DEF, "record pages reached")	\
	X(OC_RECORDS, records, NUM, OUT_DEF, "allocation records")		\
	X(OC_ALLOC, pages_allocated, NUM, 0, "pages allocated")		\
	X(OC_SIZE, allocated, BYTES, OUT_DEF, "bytes allocated")

/* nvm dump: record pages reached by the owner-list walk */
#define BCH_COLS_RECPAGES(X)							\
	X(PC_SLOT, slot, NUM, OUT_DEF, "record-page slot")			\
	X(PC_OFFSET, offset, NUM, OUT_DEF, "byte offset of the page")		\
	X(PC_HEAD, head, NUM, OUT_DEF, "owner head index")			\
	X(PC_NS, ns, NUM, OUT_DEF, "namespace number")				\
	X(PC_OWNER, owner, HEX, OUT_DEF, "stored owner pointer")		\
	X(PC_NEXT, next, HEX, OUT_DEF, "stored next pointer")			\
	X(PC_MAGIC, magic_ok, BOOL, OUT_DEF, "the page's magic matches")	\
	X(PC_SIZE, size, NUM, OUT_DEF, "records the page holds")		\
	X(PC_USED, used, NUM, OUT_DEF, "records in use (stored)")		\
	X(PC_NONEMPTY, nonempty, NUM, OUT_DEF, "records in use (counted)")

/* nvm dump: stale record-page slots */
#define BCH_COLS_STALE(X)							\
	X(SS_SLOT, slot, NUM, OUT_DEF, "record-page slot")			\
	X(SS_OFFSET, offset, NUM, OUT_DEF, "byte offset of the page")		\
	X(SS_OWNER, owner, HEX, OUT_DEF, "stored owner pointer")		\
	X(SS_NEXT, next, HEX, OUT_DEF, "stored next pointer")			\
	X(SS_UUID, owner_uuid, STR, OUT_DEF, "stored owner uuid")		\
	X(SS_SIZE, size, NUM, OUT_DEF, "records the page holds")		\
	X(SS_USED, used, NUM, OUT_DEF, "records in use (stored)")		\
	X(SS_NONEMPTY, nonempty, NUM, OUT_DEF, "records in use (counted)")

/* nvm dump: free space per order */
#define BCH_COLS_FREESPACE(X)							\
	X(FSP_ORDER, order, NUM, OUT_DEF, "block order")			\
	X(FSP_BLOCKS, blocks, NUM, OUT_DEF, "free blocks of this order")	\
	X(FSP_PAGES, pages, NUM, OUT_DEF, "pages in them")			\
	X(FSP_BYTES, bytes, BYTES, OUT_DEF, "bytes in them")

/* nvm dump: free blocks in free-list order */
#define BCH_COLS_FREEBLOCKS(X)							\
	X(FB_ORDER, order, NUM, OUT_DEF, "block order")			\
	X(FB_PAGE, page, NUM, OUT_DEF, "first page of the highest block of the row") \
	X(FB_COUNT, count, NUM, OUT_DEF, "blocks in the row")			\
	X(FB_OFFSET, offset, NUM, OUT_DEF, "byte offset of page")

/* nvm dump: summary */
#define BCH_COLS_NVMSUM(X)							\
	X(NS_TOTAL, pages_total, NUM, OUT_DEF, "pages of the namespace")	\
	X(NS_RESERVED, reserved, NUM, OUT_DEF, "pages below the first allocatable one") \
	X(NS_ALLOC, allocated, NUM, OUT_DEF, "pages allocated")		\
	X(NS_FREE, free, NUM, OUT_DEF, "pages free")				\
	X(NS_RECORDS, records, NUM, OUT_DEF, "allocation records")		\
	X(NS_RECPAGES, record_pages, NUM, OUT_DEF, "record pages")		\
	X(NS_STALE, stale_slots, NUM, OUT_DEF, "stale record-page slots")	\
	X(NS_LORDER, largest_order, NUM, OUT_DEF, "order of the largest free block") \
	X(NS_LPAGE, largest_page, NUM, OUT_DEF, "its first page")

/* nvm dump --tree */
#define BCH_COLS_TREE(X)							\
	X(TC_NAME, name, STR, OUT_DEF | OUT_TREEC, "owner, record page or record") \
	X(TC_PAGE, page, NUM, OUT_DEF, "namespace page")			\
	X(TC_ORDER, order, NUM, OUT_DEF, "allocation order")			\
	X(TC_PAGES, pages, NUM, OUT_DEF, "2^order pages")			\
	X(TC_OFFSET, offset, NUM, OUT_DEF, "byte offset in the namespace")

/* nvm dump --hex */
#define BCH_COLS_HEX(X)								\
	X(HX_OFFSET, offset, STR, OUT_DEF | OUT_RIGHT, "byte offset (hex)")	\
	X(HX_HEX, hex, STR, OUT_DEF, "16 bytes in hex")			\
	X(HX_ASCII, ascii, STR, OUT_DEF, "the same bytes as ASCII")

/* a struct in text: one row per field */
#define BCH_COLS_FIELDS(X)							\
	X(FV_FIELD, field, STR, OUT_DEF, "field name")				\
	X(FV_VALUE, value, STR, OUT_DEF, "decoded value")

/* problems of every decoding command */
#define BCH_COLS_PROBLEMS(X)							\
	X(PR_CODE, code, STR, OUT_DEF, "problem code (--list-problems)")	\
	X(PR_SEVERITY, severity, STR, OUT_DEF, "error, warning or info")	\
	X(PR_OFFSET, offset, NUM, OUT_DEF, "byte offset on the device")	\
	X(PR_WHERE, where, STR, OUT_DEF | OUT_TRUNC, "struct.field")		\
	X(PR_MESSAGE, message, STR, OUT_DEF | OUT_WRAP, "what was found")

/* journal show: where the journal is */
#define BCH_COLS_JLOC(X)							\
	X(JL_CACHE, cache_device, STR, OUT_DEF, "the cache device (-C)")	\
	X(JL_OWNER, owner, NUM, OUT_DEF, "owner head index")			\
	X(JL_SET_UUID, set_uuid, STR, OUT_DEF, "cache set uuid")		\
	X(JL_MAGIC, magic, HEX, 0, "jset magic")				\
	X(JL_REGION, region_offset, NUM, OUT_DEF, "byte offset of the region")	\
	X(JL_BYTES, region_bytes, BYTES, OUT_DEF, "bytes of the region")	\
	X(JL_FINDS, kernel_finds_record, BOOL, 0, "the kernel finds the record") \
	X(JL_STRIDE, stride, STR, OUT_DEF, "bucket stride")			\
	X(JL_BUCKETS, buckets, NUM, OUT_DEF, "journal buckets")		\
	X(JL_BSIZE, bucket_size, NUM, 0, "bucket size in sectors")		\
	X(JL_BLOCK, block_size, NUM, 0, "block size in sectors")		\
	X(JL_BASE, base, STR, 0, "the base K (v7), none (nvmpg)")		\
	X(JL_REVISION, revision, STR, 0, "v7 or nvmpg")

/* journal show: jsets */
#define BCH_COLS_JSETS(X)							\
	X(JS_VIEW, view, STR, OUT_DEF, "kernel or media")			\
	X(JS_OFFSET, offset, NUM, OUT_DEF, "byte offset")			\
	X(JS_BUCKET, bucket, NUM, OUT_DEF, "journal bucket")			\
	X(JS_SEQ, seq, BIG, OUT_DEF, "sequence number")			\
	X(JS_LAST_SEQ, last_seq, BIG, OUT_DEF, "oldest seq still needed")	\
	X(JS_VERSION, version, NUM, 0, "jset version")				\
	X(JS_KEYS, keys, NUM, OUT_DEF, "u64s of keys")				\
	X(JS_NKEYS, nkeys, NUM, OUT_DEF, "keys")				\
	X(JS_CSUM, csum, HEX, 0, "stored checksum")				\
	X(JS_CSUMC, csum_computed, HEX, 0, "computed checksum")		\
	X(JS_CSUM_OK, csum_ok, BOOL, OUT_DEF, "checksum matches")		\
	X(JS_STATUS, status, STR, OUT_DEF, "replayed, stale, ...")		\
	X(JS_LEVEL, btree_level, NUM, 0, "btree root level")			\
	X(JS_ROOT, btree_root, STR, OUT_TRUNC, "btree root key")		\
	X(JS_UUIDB, uuid_bucket, STR, OUT_TRUNC, "uuid bucket key")		\
	X(JS_PRIO, prio_bucket, BIG, 0, "prio_bucket[0]")

/* journal show: keys (JSON: inside their jset) */
#define BCH_COLS_KEYS(X)							\
	X(KC_VIEW, view, STR, OUT_DEF, "kernel or media")			\
	X(KC_SEQ, seq, BIG, OUT_DEF, "jset seq")				\
	X(KC_INDEX, index, NUM, OUT_DEF, "key index in the jset")		\
	X(KC_INODE, inode, NUM, OUT_DEF, "inode")				\
	X(KC_START, start, BIG, OUT_DEF, "first sector")			\
	X(KC_SIZE, size, NUM, OUT_DEF, "sectors")				\
	X(KC_DIRTY, dirty, BOOL, OUT_DEF, "dirty")				\
	X(KC_PTRS, ptrs, NUM, OUT_DEF, "pointers")				\
	X(KC_KEY, key, STR, OUT_DEF | OUT_TRUNC, "the key in the kernel's text form")

/* journal show: summary per view */
#define BCH_COLS_JSUM(X)							\
	X(SC_VIEW, view, STR, OUT_DEF, "kernel, buckets or media")		\
	X(SC_NEWEST, newest_seq, BIG, OUT_DEF, "newest seq")			\
	X(SC_LAST_SEQ, last_seq, BIG, OUT_DEF, "oldest seq needed")		\
	X(SC_PRESENT, present, NUM, OUT_DEF, "jsets present")			\
	X(SC_MISSING, missing, NUM, OUT_DEF, "jsets missing")			\
	X(SC_MISSING_SEQS, missing_seqs, STR, OUT_DEF | OUT_TRUNC, "missing seqs")	\
	X(SC_STALE, stale, NUM, OUT_DEF, "stale jsets")			\
	X(SC_DUPS, duplicates, NUM, OUT_DEF, "duplicates")			\
	X(SC_INVALID, invalid, NUM, OUT_DEF, "invalid jsets")			\
	X(SC_READ, buckets_read, NUM, 0, "buckets read")			\
	X(SC_CUR_IDX, cur_idx, NUM, 0, "the kernel's cur_idx")			\
	X(SC_RESUME, resume_offset, NUM, 0, "where the kernel writes next")	\
	X(SC_FOUND_BY, found_by, STR, 0, "probe or linear scan")		\
	X(SC_COMPLETE, complete, BOOL, OUT_DEF, "no seq missing")

/* journal show without -C: inferred geometry */
#define BCH_COLS_JINFER(X)							\
	X(JI_REGION, region_offset, NUM, OUT_DEF, "byte offset of the region")	\
	X(JI_SEQ1, seq1_offset, NUM, OUT_DEF, "stride between consecutive jsets") \
	X(JI_STRIDE, stride, STR, OUT_DEF, "bucket stride")			\
	X(JI_BSIZE, bucket_size, NUM, OUT_DEF, "bucket size in sectors")	\
	X(JI_MIN, buckets_min, NUM, OUT_DEF, "fewest keys")			\
	X(JI_MAX, buckets_max, NUM, OUT_DEF, "most keys")			\
	X(JI_BLOCK, block_multiple, NUM, OUT_DEF, "jsets a multiple of")

/* nvm list */
#define BCH_COLS_LIST(X)							\
	X(NL_NAMESPACE, namespace, STR, OUT_DEF, "namespace name (namespaceX.Y)") \
	X(NL_MODE, mode, STR, OUT_DEF, "fsdax, devdax, raw or sector")		\
	X(NL_DEVICE, device, STR, OUT_DEF, "device node")			\
	X(NL_SIZE, size, BYTES, OUT_DEF, "bytes of the device node")		\
	X(NL_ALIGN, align, BYTES, OUT_DEF, "mapping alignment (fsdax, devdax)") \
	X(NL_DOFF, data_offset, BYTES, 0, "device byte 0 within the namespace") \
	X(NL_NVM, nvm_pages, BOOL, OUT_DEF, "carries an nvm-pages superblock") \
	X(NL_SET_UUID, set_uuid, STR, OUT_DEF, "set uuid of the superblock")	\
	X(NL_NR, this_namespace_nr, NUM, 0, "namespace number in the set")	\
	X(NL_STATE, state, STR, OUT_DEF | OUT_TRUNC, "fresh, attached, ...; none; or why unreadable") \
	X(NL_PHYS, phys, HEX, 0, "physical address of device byte 0 (root)")	\
	X(NL_LIVE, live_base, STR, 0, "fsdax: where this boot maps byte 0 (v7 base K), or why unknown") \
	X(NL_REV, revision, STR, OUT_DEF, "nvm-pages revision: v7 or nvmpg")

/* show: the journal bucket table d[] */
#define BCH_COLS_SHOWD(X)							\
	X(SD_INDEX, index, NUM, OUT_DEF, "index into d[]")			\
	X(SD_D, d, HEX, OUT_DEF, "the stored d[] value")			\
	X(SD_NS_ID, ns_id, NUM, OUT_DEF, "nvmpg: the namespace of the bucket")	\
	X(SD_OFFSET, offset, NUM, OUT_DEF, "nvmpg: the byte offset in that namespace")

/* show without a device: the bcache devices of the system */
#define BCH_COLS_SHOWLIST(X)							\
	X(SL_DEVICE, device, STR, OUT_DEF, "device node")			\
	X(SL_TYPE, type, STR, OUT_DEF, "cache, backing or namespace")		\
	X(SL_STATE, state, STR, OUT_DEF, "state in sysfs")			\
	X(SL_RUNNING, running, BOOL, OUT_DEF, "running (backing)")		\
	X(SL_BNAME, bname, STR, OUT_DEF, "the bcacheN device")			\
	X(SL_ATTACHED_DEV, attached_to_dev, STR, OUT_DEF, "the cache device attached to") \
	X(SL_ATTACHED_CSET, attached_to_cset, STR, 0, "the cache set attached to") \
	X(SL_UUID, uuid, STR, 0, "device uuid")					\
	X(SL_SET_UUID, set_uuid, STR, 0, "cache set uuid")			\
	X(SL_VERSION, version, NUM, 0, "superblock version")			\
	X(SL_LABEL, label, STR, 0, "label")					\
	X(SL_NAMESPACE, namespace, STR, 0, "the nvm-pages namespace")		\
	X(SL_CSUM_OK, csum_ok, BOOL, 0, "superblock checksum matches")

/* make: bcache cache/backing devices formatted */
#define BCH_COLS_MKBDEV(X)							\
	X(MB_TYPE, type, STR, OUT_DEF, "cache or backing")			\
	X(MB_VERSION, version, NUM, OUT_DEF, "superblock version")		\
	X(MB_UUID, uuid, STR, OUT_DEF, "device uuid")				\
	X(MB_SET_UUID, set_uuid, STR, OUT_DEF, "cache set uuid")		\
	X(MB_LABEL, label, STR, 0, "label")					\
	X(MB_BLOCK, block_size, NUM, OUT_DEF, "block size in sectors")		\
	X(MB_BUCKET, bucket_size, NUM, OUT_DEF, "bucket size in sectors")	\
	X(MB_NBUCKETS, nbuckets, NUM, OUT_DEF, "buckets")			\
	X(MB_FIRST, first_bucket, NUM, 0, "first bucket")			\
	X(MB_DOFF, data_offset, NUM, 0, "data offset in sectors (backing)")	\
	X(MB_MODE, cache_mode, STR, 0, "cache mode (backing)")			\
	X(MB_INCOMPAT, feature_incompat, HEX, 0, "incompatible features")	\
	X(MB_CSUM, csum, HEX, 0, "checksum")					\
	X(MB_WRITTEN, written, BOOL, OUT_DEF, "written (not --dry-run)")		\
	X(MB_BSECTORS, bucket_sectors, NUM, 0, "bucket size in sectors, decoded (cache)") \
	X(MB_REPLACEMENT, replacement, STR, 0, "lru, fifo or random (cache)")	\
	X(MB_DISCARD, discard, BOOL, 0, "the discard flag (cache)")

/* make: signatures found on a device */
#define BCH_COLS_MKSIG(X)							\
	X(MS_TYPE, type, STR, OUT_DEF, "signature type")			\
	X(MS_USAGE, usage, STR, OUT_DEF, "filesystem, raid, ...")		\
	X(MS_OFFSET, offset, NUM, OUT_DEF, "byte offset")			\
	X(MS_LENGTH, length, NUM, OUT_DEF, "bytes")				\
	X(MS_ACTION, action, STR, OUT_DEF, "wipe or refuse")

/* make: nvm-pages namespaces formatted */
#define BCH_COLS_MKNS(X)							\
	X(MN_SET_UUID, set_uuid, STR, OUT_DEF, "set uuid")			\
	X(MN_UUID, uuid, STR, OUT_DEF, "namespace uuid")			\
	X(MN_TOTAL_NR, total_namespaces_nr, NUM, 0, "namespaces in the set")	\
	X(MN_THIS_NR, this_namespace_nr, NUM, 0, "namespace number")		\
	X(MN_PAGE_SIZE, page_size, NUM, 0, "page size")			\
	X(MN_PAGES_OFFSET, pages_offset, NUM, OUT_DEF, "byte offset of page 0")	\
	X(MN_PAGES_TOTAL, pages_total, NUM, OUT_DEF, "pages")			\
	X(MN_SIZE, size, BYTES, OUT_DEF, "bytes of the pages")			\
	X(MN_OLH, owner_list_head, HEX, 0, "owner list head pointer")		\
	X(MN_CSUM, csum, HEX, 0, "superblock checksum")			\
	X(MN_REVISION, revision, STR, 0, "v7 or nvmpg")				\
	X(MN_WRITTEN, written, BOOL, OUT_DEF, "written (not --dry-run)")

/* register */
#define BCH_COLS_REG(X)								\
	X(RG_TYPE, type, STR, OUT_DEF, "namespace, cache or backing")		\
	X(RG_ATTR, attribute, STR, OUT_DEF, "the sysfs file written")		\
	X(RG_STATUS, status, STR, OUT_DEF, "registered, ...")			\
	X(RG_MESSAGE, message, STR, OUT_DEF | OUT_WRAP, "why")

/* nvm rebase: fields */
#define BCH_COLS_RBFIELDS(X)							\
	X(RF_PASS, pass, NUM, 0, "pass (an interrupted rebase finished first: 1)") \
	X(RF_DEVICE, device, STR, OUT_DEF, "device of the field")		\
	X(RF_OFFSET, offset, NUM, OUT_DEF, "byte offset")			\
	X(RF_WHERE, where, STR, OUT_DEF, "struct.field")			\
	X(RF_OLD, old, HEX, OUT_DEF, "value before")				\
	X(RF_NEW, new, HEX, OUT_DEF, "value after")

/* nvm rebase: one row per device and pass */
#define BCH_COLS_RBPASS(X)							\
	X(RP_DEVICE, device, STR, OUT_DEF, "device")				\
	X(RP_PASS, pass, NUM, OUT_DEF, "pass")					\
	X(RP_FROM, from, HEX, OUT_DEF, "base before")				\
	X(RP_TO, to, HEX, OUT_DEF, "base after")				\
	X(RP_FIELDS, fields, NUM, OUT_DEF, "fields changed")			\
	X(RP_RESUMED, resumed, BOOL, OUT_DEF, "an interrupted rebase resumed")	\
	X(RP_WRITTEN, written, BOOL, OUT_DEF, "written (not --dry-run)")

/* journal repair: d[] before and after */
#define BCH_COLS_JRLAYOUT(X)							\
	X(LY_STATE, state, STR, OUT_DEF, "before or after")			\
	X(LY_KEYS, keys, NUM, OUT_DEF, "journal buckets")			\
	X(LY_D0, d0, HEX, OUT_DEF, "d[0]")					\
	X(LY_D0_OFFSET, d0_offset, NUM, OUT_DEF, "d[0] in the region (bytes)")	\
	X(LY_STRIDE, stride, NUM, OUT_DEF, "d[1] - d[0] (bytes)")		\
	X(LY_CSUM, csum, HEX, OUT_DEF, "superblock checksum")

/* journal repair: jsets copied */
#define BCH_COLS_JRCOPY(X)							\
	X(CP_SEQ, seq, BIG, OUT_DEF, "jset seq")				\
	X(CP_FROM, from_offset, NUM, OUT_DEF, "byte offset before")		\
	X(CP_TO, to_offset, NUM, OUT_DEF, "byte offset after")			\
	X(CP_BYTES, bytes, NUM, OUT_DEF, "bytes")				\
	X(CP_BUCKET, bucket, NUM, OUT_DEF, "bucket of the new table")

/* journal repair: the verdict */
#define BCH_COLS_JRREPAIR(X)							\
	X(JR_CACHE, cache_device, STR, OUT_DEF, "the cache device")		\
	X(JR_ACTION, action, STR, OUT_DEF, "none, table, relocate, ...")	\
	X(JR_DRY_RUN, dry_run, BOOL, OUT_DEF, "--dry-run")			\
	X(JR_WRITTEN, written, BOOL, OUT_DEF, "written")			\
	X(JR_LAYOUTS, layouts_checked, NUM, OUT_DEF, "layouts checked")	\
	X(JR_RELOCATED, relocated, NUM, OUT_DEF, "jsets relocated")		\
	X(JR_CLEAN, clean, BOOL, OUT_DEF, "nothing left to repair")

/* attach, detach, set-label, set-cachemode: the attribute written */
#define BCH_COLS_SYSFS(X)							\
	X(SY_ATTRIBUTE, attribute, STR, OUT_DEF, "the sysfs file written")	\
	X(SY_VALUE, value, STR, OUT_DEF, "the value written")

/* tree: running cache sets */
#define BCH_COLS_SYSTREE(X)							\
	X(ST_DEVICE, device, STR, OUT_DEF | OUT_TREEC, "device node")		\
	X(ST_TYPE, type, STR, OUT_DEF, "cache, namespace or backing")		\
	X(ST_BNAME, bname, STR, OUT_DEF, "the bcacheN device")			\
	X(ST_STATE, state, STR, OUT_DEF, "state in sysfs")			\
	X(ST_SET_UUID, set_uuid, STR, OUT_DEF, "cache set uuid")

/* version */
#define BCH_COLS_VERSION(X)							\
	X(VC_PROGRAM, program, STR, OUT_DEF, "program name")			\
	X(VC_VERSION, version, STR, OUT_DEF, "version")

/* nvm map: the namespace as a whole (JSON: one object) */
#define BCH_COLS_MAPINFO(X)							\
	X(MI_TOTAL, pages_total, BIG, OUT_DEF, "pages of the namespace")	\
	X(MI_RESERVED, reserved, NUM, OUT_DEF, "pages [0, reserved) hold the metadata") \
	X(MI_CELL, cell_pages, BIG, OUT_DEF, "text: pages one cell of the map stands for") \
	X(MI_PER_ROW, cells_per_row, NUM, OUT_DEF, "text: cells in a row of the map") \
	X(MI_ROWS, rows, NUM, OUT_DEF, "text: rows of the map")

/* nvm map: the legend, one row per kind (per owner, per journal) */
#define BCH_COLS_MAPLEGEND(X)							\
	X(ML_SYMBOL, symbol, STR, OUT_DEF, "the character of its cells")	\
	X(ML_KIND, kind, STR, OUT_DEF, "header, record_page, stale_slot, reserved, allocation, journal or free") \
	X(ML_OWNER, owner, NUM, OUT_DEF, "owner head index")			\
	X(ML_UUID, uuid, STR, OUT_DEF, "owner uuid")				\
	X(ML_LABEL, label, STR, OUT_DEF | OUT_TRUNC, "owner label")		\
	X(ML_RUNS, runs, NUM, OUT_DEF, "runs of pages")			\
	X(ML_PAGES, pages, BIG, OUT_DEF, "pages")				\
	X(ML_SIZE, size, BYTES, OUT_DEF, "bytes")				\
	X(ML_NOTE, note, STR, OUT_DEF | OUT_TRUNC, "journal: the seqs on the media; free: the largest block")

/* nvm map: runs of pages in page order (JSON only) */
#define BCH_COLS_MAPRUNS(X)							\
	X(MR_START, start, BIG, OUT_DEF, "first page")				\
	X(MR_PAGES, pages, BIG, OUT_DEF, "pages")				\
	X(MR_KIND, kind, STR, OUT_DEF, "as in the legend")			\
	X(MR_OWNER, owner, NUM, OUT_DEF, "owner head index (record_page, allocation, journal)") \
	X(MR_ORDER, order, NUM, OUT_DEF, "allocation, journal, free: the order of its blocks")

/* journal show --map: one row per journal bucket */
#define BCH_COLS_JMAP(X)							\
	X(JM_REGION, region_offset, NUM, 0, "byte offset of the journal's region") \
	X(JM_BUCKET, bucket, NUM, OUT_DEF, "journal bucket (index into d[])")	\
	X(JM_OFFSET, offset, NUM, OUT_DEF, "byte offset of the bucket")	\
	X(JM_JSETS, jsets, NUM, OUT_DEF, "valid jsets in it (media view, one per seq)") \
	X(JM_SEQS, seqs, STR, OUT_DEF | OUT_TRUNC, "their seqs as ranges")	\
	X(JM_STATE, state, STR, OUT_DEF, "empty, stale or live")		\
	X(JM_READ, read_order, NUM, 0, "-C: when the kernel's read visits it (from 0)") \
	X(JM_KSEQ, kernel_seq, BIG, OUT_DEF, "-C: the newest seq the kernel's read credits it with") \
	X(JM_NOTE, note, STR, OUT_DEF | OUT_TRUNC, "-C: cur_idx, where the kernel resumes")

#endif
