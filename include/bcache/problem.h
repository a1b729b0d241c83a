/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Typed validation problems.  The library never prints: validators append
 * problems (code, severity, location, message) to a bch_problems list and the
 * command decides how to show them.
 */
#ifndef BCACHE_PROBLEM_H
#define BCACHE_PROBLEM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum bch_severity {
	BCH_SEV_INFO = 0,
	BCH_SEV_WARN = 1,
	BCH_SEV_ERROR = 2,
};

/* Problem codes: stable identifiers, documented in bcache-nvm(8). */
#define BCH_PROBLEM_CODES(X)                                                   \
	X(SB_MAGIC, ERROR, "superblock magic mismatch")                        \
	X(SB_CSUM, ERROR, "superblock checksum mismatch")                      \
	X(SB_OFFSET, ERROR, "sb_offset does not locate the superblock")        \
	X(SB_KEYS, WARN, "keys is not zero")                                   \
	X(SB_KEYS_RANGE, ERROR, "keys runs past the superblock page")          \
	X(SB_TOTAL_NS, ERROR, "total_namespaces_nr is not 1")                  \
	X(SB_THIS_NS_RANGE, ERROR, "this_namespace_nr >= total_namespaces_nr") \
	X(SB_THIS_NS_NONZERO, ERROR, "this_namespace_nr is not 0")             \
	X(SB_PAGE_SIZE, ERROR, "page_size is not 4096")                        \
	X(SB_PAGES_TOTAL, ERROR, "pages_total exceeds the device size")        \
	X(SB_PAGES_OFFSET, WARN, "pages_offset is not 16 MiB")                 \
	X(SB_NS_START, WARN, "ns_start is not zero")                           \
	X(SB_UNUSED_FIELD, WARN, "field without v7 meaning is not zero")       \
	X(SB_OLH_NULL, ERROR, "owner_list_head is 0 on namespace 0")           \
	X(SB_OLH_WILD, ERROR, "owner_list_head is neither 8192 nor an address") \
	X(SB_HEADER_OFFSET, ERROR, "set_header_offset is not OFFSET(this_ns, 8192)") \
	X(NVMPG_V13_BUG, INFO, "an unmodified v13 kernel's free lists break on this namespace (BUG or offset 0)") \
	X(NVMPG_V13_REPLAY, INFO, "an unmodified v13 kernel never replays a journal once d[0] is set") \
	X(DEV_TOO_SMALL, ERROR, "namespace smaller than 16 MiB + 1 page")      \
	X(BASE_DISAGREE, ERROR, "anchors disagree on the mapping base K")      \
	X(BASE_PARTIAL, ERROR, "first attach only partly persisted")           \
	X(ATTACHED, INFO, "namespace was attached by a kernel")                \
	X(BASE_LIVE, ERROR, "stored base K differs from this boot's mapping: registration crashes the kernel") \
	X(BASE_LIVE_UNKNOWN, INFO, "this boot's mapping of the namespace cannot be told") \
	X(OL_SIZE, ERROR, "owner table size is not its maximum (v7 72, nvmpg 67)") \
	X(OL_USED, ERROR, "owner table used out of range")                     \
	X(OL_FULL, ERROR, "owner table is full")                               \
	X(OL_DUP_UUID, WARN, "duplicate owner uuid")                           \
	X(OL_SYS_HEAD, INFO, "heads[0] differs from what make -M writes")      \
	X(OL_TAIL_NONZERO, WARN, "head beyond used is not zero")               \
	X(OL_HEAD_STATE, WARN, "head state is neither FREE nor ALLOC")          \
	X(OL_HEAD_FREE, INFO, "head below used is FREE: the kernel skips it")   \
	X(PTR_RANGE, ERROR, "pointer outside the namespace")                   \
	X(PTR_NO_BASE, ERROR, "address pointer but the base K is unknown")     \
	X(PTR_SLOT, ERROR, "record-page pointer not on a slot boundary")       \
	X(PTR_FORM, WARN, "pointer form differs from the namespace state")     \
	X(PTR_NS_ID, ERROR, "nvmpg offset names another namespace")            \
	X(CHAIN_LOOP, ERROR, "record-page chain loops")                        \
	X(CHAIN_SHARED, ERROR, "record page linked from two chains")           \
	X(RP_MAGIC, ERROR, "record-page magic mismatch")                       \
	X(RP_OWNER_UUID, ERROR, "record-page owner_uuid differs from the head") \
	X(RP_UUID_TRUNC, ERROR, "owner_uuid is a NUL-truncated copy (kernel strncpy quirk)") \
	X(RP_OWNER, ERROR, "record-page owner is not its head")                \
	X(RP_SIZE, ERROR, "record-page size is not 1013")                      \
	X(RP_USED, WARN, "record-page used differs from the record count")     \
	X(RP_USED_RANGE, ERROR, "record-page used exceeds size")               \
	X(RP_USED_REGISTER, ERROR, "record-list used differs from the record count: v13 refuses to register") \
	X(REC_BELOW_BASE, ERROR, "record pgoff at or below the base K")        \
	X(REC_ORDER, ERROR, "record order above the buddy maximum")            \
	X(REC_RANGE, ERROR, "record outside [pages_offset, pages_total)")      \
	X(REC_ALIGN, ERROR, "record not aligned to its order")                 \
	X(REC_OVERLAP, ERROR, "records overlap")                               \
	X(REC_META, ERROR, "record overlaps the metadata and record-page slot area") \
	X(REC_FRESH, ERROR, "record in a FRESH namespace")                     \
	X(REC_EMPTY_BITS, WARN, "empty record with order or reserved bits")    \
	X(REC_RESERVED, WARN, "record reserved bits set")                      \
	X(REC_V12, WARN, "record looks namespace-relative (v12/v13)")          \
	X(REC_NS_ID, ERROR, "record ns_id is not this namespace")              \
	X(SLOT_STALE, INFO, "stale record-page slot")                          \
	X(SLOT_ORPHAN, WARN, "unlinked record page holds records")             \
	X(CSB_OFFSET, ERROR, "cache superblock offset is not 8")               \
	X(CSB_MAGIC, ERROR, "cache superblock magic mismatch")                 \
	X(CSB_KEYS, ERROR, "cache superblock keys above 256")                  \
	X(CSB_CSUM, ERROR, "cache superblock checksum mismatch")               \
	X(CSB_UUID, ERROR, "cache superblock uuid is zero")                    \
	X(CSB_BLOCK_LBS, ERROR, "block size below the logical block size")     \
	X(CSB_VERSION, ERROR, "cache superblock version unknown")              \
	X(CSB_FEATURES, ERROR, "unknown feature bits")                         \
	X(CSB_NBUCKETS, ERROR, "nbuckets out of range")                        \
	X(CSB_GEOMETRY, ERROR, "block or bucket size invalid")                 \
	X(CSB_DEV_SMALL, ERROR, "device smaller than nbuckets * bucket_size")  \
	X(CSB_SET_UUID, ERROR, "cache set uuid is zero")                       \
	X(CSB_NR_IN_SET, ERROR, "nr_in_set / nr_this_dev not sane")            \
	X(CSB_D_SEQUENTIAL, ERROR, "journal buckets not sequential")           \
	X(CSB_JOURNAL_BUCKETS, ERROR, "too many journal buckets")              \
	X(CSB_FIRST_BUCKET, ERROR, "first bucket before the end of the superblock") \
	X(CSB_NVDIMM_VERSION, ERROR, "NVDIMM_META with version below 5")       \
	X(CSB_NVDIMM_DISCARD, ERROR, "CACHE_DISCARD with NVDIMM_META")         \
	X(CSB_NVDIMM_D, ERROR, "d[] mix kernel addresses (v7) and nvmpg offsets, or are 0") \
	X(CSB_KEYS_CLAMP, INFO, "keys differs from what the kernel writes")    \
	X(CSB_NOT_NVDIMM, ERROR, "cache superblock not in NVDIMM mode")        \
	X(J_NO_BASE, ERROR, "namespace never attached: no base K")             \
	X(J_NOT_WRITTEN, INFO, "no journal written yet: formatted, never registered") \
	X(J_CACHE_COPY, WARN, "cache device smaller than its buckets: a truncated copy") \
	X(J_NO_OWNER, ERROR, "no owner head with the cache set uuid")          \
	X(J_NO_RECORD, ERROR, "d[0] matches no record of the owner")           \
	X(J_KERNEL_LOOKUP, ERROR, "the kernel's allocation lookup misses the record") \
	X(J_LEAKED_REGION, WARN, "owner has more than one journal region")     \
	X(J_BASE, INFO, "d[0] is inside the region's first page, not its start") \
	X(J_STRIDE, INFO, "journal bucket stride")                             \
	X(J_STRIDE_IRREGULAR, ERROR, "d[] stride is neither bytes nor bucket bytes") \
	X(J_BUCKET_RANGE, ERROR, "journal bucket outside the region or namespace") \
	X(J_VERSION, WARN, "jset version is not 1")                            \
	X(J_TOO_BIG, ERROR, "jset too big")                                    \
	X(J_BAD_CSUM, ERROR, "jset checksum mismatch")                         \
	X(J_KEY_OVERRUN, ERROR, "key overruns the jset payload")               \
	X(J_KEY_SIZE, WARN, "key size inconsistent")                           \
	X(J_PTR_DEV, WARN, "pointer to a device other than 0")                 \
	X(J_SEQ_CONFLICT, ERROR, "two valid jsets with the same seq differ")   \
	X(J_LAST_SEQ, ERROR, "jset last_seq above seq")                        \
	X(J_MISSING, ERROR, "journal entries missing from the replay range")   \
	X(J_STALE, INFO, "stale jsets")                                        \
	X(J_KERNEL_MISSES, ERROR, "the kernel's replay misses jsets on the media") \
	X(J_RESUME_OVERWRITES, WARN, "the kernel resumes writing inside live jsets") \
	X(J_NO_JOURNAL, ERROR, "no journal entries found")                     \
	X(J_WORK_CAP, ERROR, "journal analysis stopped at its work cap")       \
	X(J_TRUNCATED, ERROR, "the journal region runs past the end of the device") \
	X(J_EMPTY_REGIONS, INFO, "allocations without jset magic not shown")   \
	X(J_REGIONS_CAP, WARN, "allocations not scanned: overlap or cap")      \
	X(J_REPAIR_NOT_NEEDED, INFO, "the kernel already replays the whole range") \
	X(J_REPAIR_LOST, ERROR, "jsets of the replay range are not intact on the media") \
	X(J_REPAIR_NO_LAYOUT, ERROR, "no layout in the allocation replays the whole range") \
	X(J_REPAIR_UNLOCATED, ERROR, "the kernel cannot locate the journal region") \
	X(J_REPAIR_SB, ERROR, "the cache superblock fails the kernel's checks") \
	X(J_REPAIR_NOT_SYNC, ERROR, "CACHE_SYNC is not set: the kernel replays nothing") \
	X(J_REPAIR_BUSY, ERROR, "the cache set or device is registered with the kernel") \
	X(J_REPAIR_REBASE, ERROR, "the namespace's base K is not the live K: rebase first") \
	X(SET_UUID, ERROR, "set members have different set uuids")             \
	X(SET_DUP_NR, ERROR, "two set members have the same namespace number") \
	X(SET_TOTAL, ERROR, "set members disagree on total_namespaces_nr")     \
	X(SET_MISSING, WARN, "set member missing")                             \
	X(SET_REVISION, ERROR, "set members are of different nvm-pages revisions") \
	X(DROPPED, INFO, "more entries than a list holds: the rest are not listed")

enum bch_problem_code {
#define BCH_PROBLEM_ENUM(name, sev, text) BCH_P_##name,
	BCH_PROBLEM_CODES(BCH_PROBLEM_ENUM)
#undef BCH_PROBLEM_ENUM
	BCH_P__COUNT
};

struct bch_problem {
	enum bch_problem_code code;
	enum bch_severity severity;
	uint64_t offset;	/* byte offset on the device */
	char where[48];		/* structure.field, e.g. "heads[1].recs[0]" */
	char message[200];	/* one line, with stored and expected values */
	int device;		/* index of the device within a set */
};

struct bch_problems {
	struct bch_problem *v;
	size_t n, cap;
	size_t dropped;		/* problems beyond the cap */
	size_t max;		/* 0: default cap */
	int device;		/* device index stamped on new problems */
};

const char *bch_problem_name(enum bch_problem_code code);	/* "SB_CSUM" */
const char *bch_problem_text(enum bch_problem_code code);
enum bch_severity bch_problem_default_severity(enum bch_problem_code code);
const char *bch_severity_name(enum bch_severity sev);	/* "error" ... */
int bch_problem_lookup(const char *name);	/* code or -ENOENT */

/* Append a problem; returns 0, or -ENOMEM.  Over the cap it counts drops. */
int bch_problem_add(struct bch_problems *ps, enum bch_problem_code code,
		    uint64_t offset, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int bch_problem_vadd(struct bch_problems *ps, enum bch_problem_code code,
		     uint64_t offset, const char *where, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
void bch_problems_free(struct bch_problems *ps);
size_t bch_problems_count(const struct bch_problems *ps, enum bch_severity min);
int bch_problems_has(const struct bch_problems *ps, enum bch_problem_code code);

#endif
