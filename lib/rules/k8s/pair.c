/*
 * pair.c - what a paired image view means for a container: the identity the
 * process gets and whether it reaches a path the image set up. Used by the
 * rules that need an image (NR206, NR207, NR209).
 */
#include "pair.h"
#include "unroot/yaml.h"

static bool in_groups(const struct k8s_container *c, long gid, long primary)
{
	if (gid == primary)
		return true;
	const struct k8s_secctx *sc = &c->sc;
	if (k8s_set(&sc->fs_group) && sc->fs_group.i == gid)
		return true;
	const struct k8s_field *sg = &sc->supplemental_groups;
	if (k8s_set(sg) && sg->node && sg->node->kind == Y_SEQ)
		for (size_t i = 0; i < sg->node->nitems; i++) {
			struct k8s_scalar s;
			if (k8s_type_of(sg->node->items[i], &s) == K8S_T_INT && s.fits_int &&
			    s.i == gid)
				return true;
		}
	return false;
}

void pair_identity(const struct k8s_container *c, const struct image_view *v,
		   struct pair_identity *out)
{
	const struct k8s_secctx *sc = &c->sc;
	out->uid = k8s_set(&sc->run_as_user) ? sc->run_as_user.i : v->uid;
	/*
	 * runAsUser drops the image's group: the gid then comes from runAsGroup,
	 * else the image's passwd entry for that uid (not known for a
	 * Dockerfile), else 0.
	 */
	if (k8s_set(&sc->run_as_group))
		out->gid = sc->run_as_group.i;
	else if (k8s_set(&sc->run_as_user))
		out->gid = sc->run_as_user.i == v->uid && v->gid >= 0 ? v->gid : 0;
	else
		out->gid = v->gid;
}

bool pair_reaches(const struct k8s_container *c, const struct pair_identity *id,
		  const struct owned_path *p)
{
	if (p->uid >= 0 && p->uid == id->uid)
		return true;
	bool group_bits = p->mode < 0 || (p->mode & 070) != 0;
	if (p->gid >= 0 && group_bits && in_groups(c, p->gid, id->gid))
		return true;
	return p->mode >= 0 && (p->mode & 07) != 0;
}
