// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping base K, on-media pointers and records (bcache-nvm-pages(5),
 * POINTERS).
 */
#include <errno.h>
#include <string.h>

#include <bcache/nvm.h>

#define OLH_FRESH BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET
#define R0_FRESH BCH_NVM_PAGES_SYS_RECS_HEAD_OFFSET
#define OW_FRESH (BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET + 40)

const char *bch_nvm_state_name(enum bch_nvm_state st)
{
	switch (st) {
	case BCH_NVM_STATE_NO_TABLE:
		return "no-owner-table";
	case BCH_NVM_STATE_FRESH:
		return "fresh";
	case BCH_NVM_STATE_ATTACHED:
		return "attached";
	case BCH_NVM_STATE_PARTIAL:
		return "partially-attached";
	case BCH_NVM_STATE_CORRUPT:
		return "corrupt";
	case BCH_NVM_STATE_NVMPG:
		return "offsets";
	}
	return "?";
}

const char *bch_ptr_form_name(enum bch_ptr_form f)
{
	switch (f) {
	case BCH_PTR_NULL:
		return "null";
	case BCH_PTR_OFFSET:
		return "offset";
	case BCH_PTR_ADDRESS:
		return "address";
	case BCH_PTR_INVALID:
		return "invalid";
	case BCH_PTR_NVMPG:
		return "nvmpg";
	}
	return "?";
}

static int is_addr(uint64_t v)
{
	return v >= BCH_NVM_KERNEL_ADDR_MIN;
}

void bch_nvm_base_establish(uint64_t owner_list_head, uint64_t head0_recs0,
			    uint64_t slot0_owner, struct bch_nvm_base *out)
{
	uint64_t ks[3];
	int nk = 0;

	memset(out, 0, sizeof(*out));
	out->owner_list_head = owner_list_head;
	out->head0_recs0 = head0_recs0;
	out->slot0_owner = slot0_owner;
	out->owner_list_head_converted = is_addr(owner_list_head) && owner_list_head >= OLH_FRESH;
	out->head0_recs0_converted = is_addr(head0_recs0) && head0_recs0 >= R0_FRESH;
	out->slot0_owner_converted = is_addr(slot0_owner) && slot0_owner >= OW_FRESH;
	if (out->owner_list_head_converted)
		ks[nk++] = owner_list_head - OLH_FRESH;
	if (out->head0_recs0_converted)
		ks[nk++] = head0_recs0 - R0_FRESH;
	if (out->slot0_owner_converted)
		ks[nk++] = slot0_owner - OW_FRESH;
	for (int i = 1; i < nk; i++)
		if (ks[i] != ks[0])
			out->disagree = true;

	if (owner_list_head == 0) {
		out->state = BCH_NVM_STATE_NO_TABLE;
	} else if (owner_list_head == OLH_FRESH) {
		out->state = nk ? BCH_NVM_STATE_PARTIAL : BCH_NVM_STATE_FRESH;
	} else if (out->owner_list_head_converted) {
		out->state = out->head0_recs0_converted && out->slot0_owner_converted &&
			     !out->disagree ? BCH_NVM_STATE_ATTACHED : BCH_NVM_STATE_PARTIAL;
	} else {
		out->state = BCH_NVM_STATE_CORRUPT;
	}
	/* K: from owner_list_head when converted, otherwise the other anchors. */
	if (nk) {
		out->k = ks[0];
		out->k_known = true;
	} else if (out->state == BCH_NVM_STATE_FRESH) {
		out->k = 0;
		out->k_known = true;
	}
}

int bch_nvm_ptr_decode(uint64_t raw, const struct bch_nvm_base *base,
		       uint64_t ns_bytes, struct bch_ptr *out)
{
	out->raw = raw;
	out->off = 0;
	if (raw == 0) {
		out->form = BCH_PTR_NULL;
		return 0;
	}
	if (base && base->lay && base->lay->nvmpg_ptrs) {
		out->form = BCH_PTR_INVALID;
		if (BCH_NVMPG_GET_NS_ID(raw) != base->ns_id)
			return -EXDEV;
		if (!BCH_NVMPG_GET_OFFSET(raw) || BCH_NVMPG_GET_OFFSET(raw) >= ns_bytes)
			return -ERANGE;
		out->form = BCH_PTR_NVMPG;
		out->off = BCH_NVMPG_GET_OFFSET(raw);
		return 0;
	}
	if (raw < ns_bytes) {
		out->form = BCH_PTR_OFFSET;
		out->off = raw;
		return 0;
	}
	out->form = BCH_PTR_INVALID;
	if (!is_addr(raw))
		return -ERANGE;
	if (!base || !base->k_known || base->k == 0)
		return -ENXIO;
	if (raw < base->k || raw - base->k == 0 || raw - base->k >= ns_bytes)
		return -ERANGE;
	out->form = BCH_PTR_ADDRESS;
	out->off = raw - base->k;
	return 0;
}

uint64_t bch_nvm_ptr_encode(uint64_t off, const struct bch_nvm_base *base)
{
	if (!off)
		return 0;
	if (base && base->lay && base->lay->nvmpg_ptrs)
		return BCH_NVMPG_OFFSET(base->ns_id, off);
	return base && base->k_known ? base->k + off : off;
}

int bch_nvm_lay_slot_of(const struct bch_nvm_layout *l, uint64_t off)
{
	if (off < BCH_NVM_PAGES_SYS_RECS_HEAD_OFFSET ||
	    (off - BCH_NVM_PAGES_SYS_RECS_HEAD_OFFSET) % BCH_NVM_PAGES_RECS_SIZE)
		return -EINVAL;
	off = (off - BCH_NVM_PAGES_SYS_RECS_HEAD_OFFSET) / BCH_NVM_PAGES_RECS_SIZE;
	if (off >= (uint64_t)l->max_slots)
		return -EINVAL;
	return (int)off;
}

int bch_nvm_lay_head_of(const struct bch_nvm_layout *l, uint64_t off)
{
	uint64_t first = bch_nvm_lay_head_offset(l, 0);

	if (off < first || (off - first) % l->head_size)
		return -EINVAL;
	off = (off - first) / l->head_size;
	if (off >= (uint64_t)l->max_heads)
		return -EINVAL;
	return (int)off;
}

int bch_nvm_slot_of(uint64_t off)
{
	return bch_nvm_lay_slot_of(&bch_nvm_layout_v7, off);
}

int bch_nvm_head_of(uint64_t off)
{
	return bch_nvm_lay_head_of(&bch_nvm_layout_v7, off);
}

void bch_nvm_rec_decode(uint64_t v, uint64_t k, struct bch_rec *out)
{
	bch_nvm_lay_rec_decode(&bch_nvm_layout_v7, v, k, out);
}

void bch_nvm_lay_rec_decode(const struct bch_nvm_layout *l, uint64_t v, uint64_t k,
			    struct bch_rec *out)
{
	uint64_t kpage = k >> 12;

	memset(out, 0, sizeof(*out));
	out->v = v;
	out->pgoff = bch_rec_pgoff(v);
	out->order = bch_rec_order(v);
	/* the mask has at most 12 bits */
	out->reserved = (unsigned int)((v >> l->rec_reserved_shift) & l->rec_reserved_mask);
	if (l->rec_ns_id_shift)
		out->ns_id = (v >> l->rec_ns_id_shift) & BCH_NVMPG_REC_NS_ID_MASK;
	out->empty = out->pgoff == 0;
	out->pages = out->order < 64 ? 1ULL << out->order : 0;
	if (out->empty)
		return;
	if (out->pgoff <= kpage && kpage) {
		out->below_base = true;
		return;
	}
	out->page = out->pgoff - kpage;
}
