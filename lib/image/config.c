/* config.c - an image config's JSON: what of it the rules use, and text that is not UTF-8; an
 * image as it starts, before anything of it is read. */
#include "image-internal.h"
#include "unroot/arena.h"

#include <string.h>

const char *image_json_encoding(const char *text, size_t len)
{
	const unsigned char *u = (const unsigned char *)text;
	if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff)))
		return "is UTF-16 text (it starts with a byte-order mark), but image JSON is UTF-8 "
		       "(RFC 8259, the OCI image spec): the runtimes cannot read it either";
	if (len >= 2 && (u[0] == 0 || u[1] == 0))
		return "is UTF-16 or UTF-32 text (it has NUL bytes), but image JSON is UTF-8 "
		       "(RFC 8259, the OCI image spec): the runtimes cannot read it either";
	return NULL;
}

/* Strings a config's Entrypoint, Cmd or Env may hold, at most. */
#define MAX_STRINGS 100000

/* Strings of a JSON array into the arena; false when it is not an array of strings. */
static bool str_array(struct arena *a, json_t *arr, const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!arr || json_is_null(arr))
		return true;
	if (!json_is_array(arr))
		return false;
	size_t cnt = json_array_size(arr);
	if (cnt > MAX_STRINGS)
		return false;
	*out = arena_alloc(a, (cnt + 1) * sizeof(**out));
	if (!*out)
		return false;
	for (size_t i = 0; i < cnt; i++) {
		json_t *s = json_array_get(arr, i);
		if (!json_is_string(s))
			return false;
		(*out)[i] = arena_strdup(a, json_string_value(s));
	}
	*n = cnt;
	return true;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The parts of an image config the rules use. Returns NULL, or why it is not a config. */
const char *image_config_apply(struct arena *a, struct image *img, json_t *cfg, const char *name)
{
	struct image_view *v = &img->view;
	if (!json_is_object(cfg))
		return arena_printf(a, "'%s' is not an image config: it is not a JSON object",
				    name);
	json_t *c = json_object_get(cfg, "config");
	if (!c || json_is_null(c))
		c = json_object_get(cfg, "Config"); /* older docker configs */
	if (!c && (json_object_get(cfg, "User") || json_object_get(cfg, "Entrypoint") ||
		   json_object_get(cfg, "Cmd")))
		c = cfg; /* the "config" section on its own */
	const char *user = c ? jstr(c, "User") : NULL;
	v->user = arena_strdup(a, user ? user : "");
	v->user_known = true;
	if (c && !json_is_null(c) && !json_is_object(c))
		return arena_printf(a, "'%s': \"config\" is not an object", name);
	if (c && json_is_object(c)) {
		static const char *const lists[] = {"Entrypoint", "Cmd", "Env"};
		for (size_t i = 0; i < 3; i++)
			if (json_array_size(json_object_get(c, lists[i])) > MAX_STRINGS)
				return arena_printf(a,
						    "'%s': %s has more than %d strings, the limit",
						    name, lists[i], MAX_STRINGS);
		if (!str_array(a, json_object_get(c, "Entrypoint"), &v->entrypoint,
			       &v->nentrypoint) ||
		    !str_array(a, json_object_get(c, "Cmd"), &v->cmd, &v->ncmd) ||
		    !str_array(a, json_object_get(c, "Env"), &v->env, &v->nenv))
			return arena_printf(
			    a, "'%s': Entrypoint, Cmd and Env must be arrays of strings", name);
		const char *wd = jstr(c, "WorkingDir");
		v->workdir = wd && *wd ? arena_strdup(a, wd) : NULL;
		json_t *vol = json_object_get(c, "Volumes");
		if (json_is_object(vol)) {
			size_t cnt = json_object_size(vol), i = 0;
			v->volumes = arena_alloc(a, (cnt + 1) * sizeof(*v->volumes));
			const char *key;
			json_t *val;
			json_object_foreach(vol, key, val)
			{
				(void)val;
				if (v->volumes && i < cnt)
					v->volumes[i++] = arena_strdup(a, key);
			}
			v->nvolumes = i;
		}
	}
	const char *os = jstr(cfg, "os"), *arch = jstr(cfg, "architecture");
	if (!img->platform && os && arch)
		img->platform = arena_printf(a, "%s/%s", os, arch);
	return NULL;
}

void image_begin(struct image *img, const char *name)
{
	memset(img, 0, sizeof(*img));
	img->path = name;
	img->view.origin = name;
	img->view.from_image = true;
	img->view.uid = img->view.gid = -1;
}
