/*
 * serve-patch.c - /mutate: a JSONPatch (RFC 6902) that adds to a pod spec
 * what the fixes of NR202, NR210 and NR211 write, and the seccomp profile
 * Pod Security Standards restricted and OpenShift's restricted-v2 want:
 *
 *   pod:        runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}
 *   container:  allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}
 *
 * Only "add" operations, each to a key the object does not have (or "ALL"
 * appended to a drop list), so nothing the author wrote is removed or
 * changed. Where adding would turn an object the API server accepts into
 * one it rejects, or a pod that starts into one the kubelet refuses,
 * nothing is added: allowPrivilegeEscalation: false with privileged: true or
 * CAP_SYS_ADMIN (the API server's validation refuses the pair), and
 * runAsNonRoot: true over an explicit runAsUser: 0. Windows pods take none.
 */
#include "serve.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *spec_path(enum review_kind k)
{
	switch (k) {
	case RK_POD:
		return "/spec";
	case RK_CRONJOB:
		return "/spec/jobTemplate/spec/template/spec";
	default:
		return "/spec/template/spec";
	}
}

static const json_t *at(const json_t *obj, const char *pointer)
{
	char key[64];
	const json_t *n = obj;
	for (const char *p = pointer; n && *p == '/';) {
		p++;
		size_t len = strcspn(p, "/");
		if (len >= sizeof(key))
			return NULL;
		memcpy(key, p, len);
		key[len] = 0;
		n = json_object_get(n, key);
		p += len;
	}
	return n;
}

static void add(json_t *ops, const char *path, json_t *value)
{
	json_array_append_new(
	    ops, json_pack("{s:s,s:s,s:o}", "op", "add", "path", path, "value", value));
}

static bool is_int(const json_t *v, long long want)
{
	return json_is_integer(v) && json_integer_value(v) == want;
}

static bool lists_cap(const json_t *list, const char *name)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *e = json_array_get(list, i);
		if (!json_is_string(e))
			continue;
		const char *v = json_string_value(e);
		if (strncasecmp(v, "CAP_", 4) == 0)
			v += 4;
		if (strcasecmp(v, name) == 0)
			return true;
	}
	return false;
}

static void container(json_t *ops, const char *base, const char *list, size_t i, const json_t *c)
{
	char path[256];
	const json_t *sc = json_object_get(c, "securityContext");
	const json_t *caps = json_object_get(sc, "capabilities");
	bool priv = json_is_true(json_object_get(sc, "privileged")) ||
		    lists_cap(json_object_get(caps, "add"), "SYS_ADMIN");
	if (!json_is_object(sc)) {
		if (sc && !json_is_null(sc))
			return; /* not an object: the API server says what is wrong */
		json_t *v = json_object();
		json_object_set_new(v, "allowPrivilegeEscalation", json_false());
		json_object_set_new(v, "capabilities", json_pack("{s:[s]}", "drop", "ALL"));
		snprintf(path, sizeof(path), "%s/%s/%zu/securityContext", base, list, i);
		add(ops, path, v);
		return;
	}
	if (!json_object_get(sc, "allowPrivilegeEscalation") && !priv) {
		snprintf(path, sizeof(path), "%s/%s/%zu/securityContext/allowPrivilegeEscalation",
			 base, list, i);
		add(ops, path, json_false());
	}
	if (!caps || json_is_null(caps)) {
		snprintf(path, sizeof(path), "%s/%s/%zu/securityContext/capabilities", base, list,
			 i);
		add(ops, path, json_pack("{s:[s]}", "drop", "ALL"));
		return;
	}
	if (!json_is_object(caps))
		return;
	const json_t *drop = json_object_get(caps, "drop");
	if (!drop || json_is_null(drop)) {
		snprintf(path, sizeof(path), "%s/%s/%zu/securityContext/capabilities/drop", base,
			 list, i);
		add(ops, path, json_pack("[s]", "ALL"));
	} else if (json_is_array(drop) && !lists_cap(drop, "ALL")) {
		snprintf(path, sizeof(path), "%s/%s/%zu/securityContext/capabilities/drop/-", base,
			 list, i);
		add(ops, path, json_string("ALL"));
	}
}

/* True when a container runs as uid 0 by an explicit runAsUser (its own, or the pod's). */
static bool explicit_root(const json_t *spec, const json_t *psc)
{
	static const char *const lists[] = {"containers", "initContainers"};
	for (size_t l = 0; l < 2; l++) {
		const json_t *cs = json_object_get(spec, lists[l]);
		for (size_t i = 0; i < json_array_size(cs); i++) {
			const json_t *sc =
			    json_object_get(json_array_get(cs, i), "securityContext");
			const json_t *u = json_object_get(sc, "runAsUser");
			if (is_int(u ? u : json_object_get(psc, "runAsUser"), 0))
				return true;
		}
	}
	return false;
}

static void pod(json_t *ops, const char *base, const json_t *obj, const json_t *spec)
{
	char path[256];
	const json_t *psc = json_object_get(spec, "securityContext");
	if (psc && !json_is_null(psc) && !json_is_object(psc))
		return;
	const json_t *ann = json_object_get(json_object_get(obj, "metadata"), "annotations");
	bool want_non_root = !json_object_get(psc, "runAsNonRoot") && !explicit_root(spec, psc);
	/* The old annotation and the field must agree: leave a pod that uses the annotation. */
	bool want_seccomp = !json_object_get(psc, "seccompProfile") &&
			    !json_object_get(ann, "seccomp.security.alpha.kubernetes.io/pod");
	if (!json_is_object(psc)) {
		json_t *v = json_object();
		if (want_non_root)
			json_object_set_new(v, "runAsNonRoot", json_true());
		if (want_seccomp)
			json_object_set_new(v, "seccompProfile",
					    json_pack("{s:s}", "type", "RuntimeDefault"));
		snprintf(path, sizeof(path), "%s/securityContext", base);
		if (json_object_size(v))
			add(ops, path, v);
		else
			json_decref(v);
		return;
	}
	if (want_non_root) {
		snprintf(path, sizeof(path), "%s/securityContext/runAsNonRoot", base);
		add(ops, path, json_true());
	}
	if (want_seccomp) {
		snprintf(path, sizeof(path), "%s/securityContext/seccompProfile", base);
		add(ops, path, json_pack("{s:s}", "type", "RuntimeDefault"));
	}
}

void patch_build(const struct review *r, enum review_kind k, json_t *ops)
{
	const json_t *object = r->object;
	bool only_ephemeral = r->sub_resource != NULL;
	const char *base = spec_path(k);
	const json_t *spec = at(object, base);
	if (!json_is_object(spec))
		return;
	const json_t *os = json_object_get(json_object_get(spec, "os"), "name");
	if (json_is_string(os) && strcmp(json_string_value(os), "windows") == 0)
		return;
	static const char *const lists[] = {"initContainers", "containers"};
	if (only_ephemeral) {
		const json_t *cs = json_object_get(spec, "ephemeralContainers");
		for (size_t i = 0; i < json_array_size(cs); i++) {
			const json_t *c = json_array_get(cs, i);
			const json_t *name = json_object_get(c, "name");
			if (json_is_object(c) && json_is_string(name) &&
			    review_new_ephemeral(r, json_string_value(name)))
				container(ops, base, "ephemeralContainers", i, c);
		}
		return;
	}
	pod(ops, base, object, spec);
	for (size_t l = 0; l < 2; l++) {
		const json_t *cs = json_object_get(spec, lists[l]);
		for (size_t i = 0; i < json_array_size(cs); i++)
			if (json_is_object(json_array_get(cs, i)))
				container(ops, base, lists[l], i, json_array_get(cs, i));
	}
}
