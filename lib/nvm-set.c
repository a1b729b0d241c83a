// SPDX-License-Identifier: GPL-2.0
/*
 * Set checks across namespaces (bcache-nvm-pages(5), SETS), for either
 * revision: the fields sit at the same offsets in both, and the messages
 * name them as the namespace's revision does (total_ns, this_ns for nvmpg).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <bcache/fields.h>
#include <bcache/nvm-set.h>


static int check_pair(struct bch_nvm_ns *a, struct bch_nvm_ns *b)
{
	const struct bch_nvm_pages_sb *x = &a->sbi.sb, *y = &b->sbi.sb;
	const struct bch_nvm_layout *l = b->lay;
	char u[37], v[37];

	/* a set is one revision: nothing else compares across revisions */
	if (a->lay != b->lay)
		return bch_problem_add(&b->problems, BCH_P_SET_REVISION, BCH_NVM_PAGES_SB_OFFSET,
				       "sb", "the revision is %s, %s is %s", l->name,
				       a->path, a->lay->name);
	if (memcmp(x->set_uuid, y->set_uuid, 16)) {
		bch_uuid_format(y->set_uuid, u);
		bch_uuid_format(x->set_uuid, v);
		return bch_problem_add(&b->problems, BCH_P_SET_UUID, BCH_NVM_SB_AT(set_uuid),
				       "sb.set_uuid", "set_uuid is %s, %s has %s", u,
				       a->path, v);
	}
	if (x->total_namespaces_nr != y->total_namespaces_nr)
		return bch_nvm_sb_problem(&b->problems, BCH_P_SET_TOTAL,
					  BCH_NVM_SB_AT(total_namespaces_nr), l->total_name,
					  "%s is %u, %s has %u", l->total_name,
					  y->total_namespaces_nr, a->path, x->total_namespaces_nr);
	if (x->this_namespace_nr == y->this_namespace_nr)
		return bch_nvm_sb_problem(&b->problems, BCH_P_SET_DUP_NR,
					  BCH_NVM_SB_AT(this_namespace_nr), l->this_name,
					  "%s is %u, as on %s", l->this_name,
					  y->this_namespace_nr, a->path);
	return 0;
}

static int check_missing(struct bch_nvm_ns *const *ns, size_t n, struct bch_nvm_ns *first)
{
	uint32_t total = first->sbi.sb.total_namespaces_nr;
	int rc = 0;

	if (total > 64)
		return 0;	/* a wild total is reported by the superblock checks */
	for (uint32_t nr = 0; nr < total && !rc; nr++) {
		bool found = false;

		for (size_t i = 0; i < n && !found; i++)
			found = ns[i] && ns[i]->lay == first->lay &&
				ns[i]->sbi.sb.this_namespace_nr == nr &&
				!memcmp(ns[i]->sbi.sb.set_uuid, first->sbi.sb.set_uuid, 16);
		if (!found)
			rc = bch_nvm_sb_problem(&first->problems, BCH_P_SET_MISSING,
						BCH_NVM_SB_AT(total_namespaces_nr),
						first->lay->total_name,
						"namespace %u of %u of this set was not given",
						nr, total);
	}
	return rc;
}

int bch_nvm_set_check(struct bch_nvm_ns *const *ns, size_t n)
{
	struct bch_nvm_ns *first = NULL;
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		if (!ns[i])
			continue;
		if (!first) {
			first = ns[i];
			continue;
		}
		for (size_t j = 0; j < i && !rc; j++)
			if (ns[j])
				rc = check_pair(ns[j], ns[i]);
	}
	if (!rc && first && n > 1)
		rc = check_missing(ns, n, first);
	return rc;
}
