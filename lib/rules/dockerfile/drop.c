/* drop.c - whether a privilege drop in an entrypoint script can be taken out. */
#include "drop.h"
#include "final-user.h"
#include "show.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "rules/check.h"
#include "shell/shell.h"

#include <stdint.h>
#include <string.h>

/* Words of a script that need root, or change what the system has: with them before the
 * drop, the script cannot start as the app's user. */
static const char *root_word(const char *text, size_t skip_from, size_t skip_to)
{
	static const char *const words[] = {"chown",
					    "chgrp",
					    "chmod",
					    "mount",
					    "umount",
					    "sysctl",
					    "ulimit",
					    "setcap",
					    "useradd",
					    "adduser",
					    "usermod",
					    "groupadd",
					    "addgroup",
					    "groupmod",
					    "apt-get",
					    "apt",
					    "apk",
					    "yum",
					    "dnf",
					    "microdnf",
					    "/etc/",
					    "/proc/sys",
					    "sudo",
					    "su",
					    "gosu",
					    "su-exec",
					    "setpriv",
					    "runuser",
					    "chroot",
					    "ldconfig",
					    "update-ca-certificates",
					    "iptables",
					    "ip"};
	size_t len = strlen(text);
	for (size_t i = 0; i < len;) {
		if (i >= skip_from && i < skip_to) {
			i = skip_to;
			continue;
		}
		/* a comment line says nothing */
		if (text[i] == '#' &&
		    (i == 0 || text[i - 1] == '\n' || text[i - 1] == ' ' || text[i - 1] == '\t')) {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
			size_t n = strlen(words[k]);
			bool path = words[k][0] == '/';
			if (strncmp(text + i, words[k], n) != 0 ||
			    (i > 0 && !path && strchr(" \t\n;&|(`$\"'", text[i - 1]) == NULL))
				continue;
			char after = text[i + n];
			if (path || after == '\0' || strchr(" \t\n;&|)`\"'", after))
				return words[k];
		}
		i++;
	}
	return NULL;
}

bool drop_set_before(const char *t, size_t at)
{
	size_t i = at;
	while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t'))
		i--;
	if (i < 2 || t[i - 1] != '-' || t[i - 2] != '-')
		return false;
	i -= 2;
	while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t'))
		i--;
	return i >= 3 && strncmp(t + i - 3, "set", 3) == 0;
}

/*
 * Why the drop in an entrypoint script cannot simply go, or NULL when it
 * can: the script must then run as the image's user from its start, so
 * nothing in it may need root (a chown of the data folder, a package
 * install, a write under /etc), the drop must be the `exec` that ends it,
 * and the user it drops to must be the one the image's USER line names.
 */
const char *drop_script_unsafe(struct check_ctx *ctx, const struct df_command *h)
{
	const struct sh_finding *f = h->f;
	const struct sh_cmd *c = f->cmd;
	/* `exec TOOL USER CMD`, or `set -- TOOL USER "$@"` that a later `exec "$@"` runs */
	bool exec = c->argc && strcmp(c->argv[0].value, "exec") == 0;
	bool set_args = c->argc && f->tool_index == 0 &&
			drop_set_before(h->t->text, c->argv[0].start) &&
			strstr(h->t->text, "exec \"$@\"");
	if (c->depth || !(exec || set_args) || f->tool_index >= f->inner_index)
		return "the drop is not the `exec` that ends the script, so what follows it would "
		       "run as another user";
	const char *word = root_word(h->t->text, c->start, c->end);
	if (word)
		return arena_printf(ctx->arena,
				    "the script also runs '%s', which needs root, or the "
				    "drop is not the only switch of user",
				    word);
	const struct df_image_user *iu = image_user(ctx);
	const char *who = f->owner ? show_expand(ctx, h->t->in, f->owner) : NULL;
	long uid = who ? df_id(who) : -1;
	if (who && uid < 0)
		uid = df_account_uid(ctx->df, who, SIZE_MAX, false);
	bool same = (iu->name && who && strncmp(iu->name, who, strcspn(who, ":")) == 0 &&
		     iu->name[strcspn(who, ":")] == '\0') ||
		    (uid >= 0 && uid == iu->uid);
	if (!same)
		return arena_printf(ctx->arena,
				    "it drops to '%s', not to uid %ld, the user the image's "
				    "USER line names",
				    who ? who : "?", iu->uid);
	return NULL;
}

static bool is_root(const char *u)
{
	if (!u)
		return true;
	size_t n = strcspn(u, ":");
	return (n == 4 && strncmp(u, "root", 4) == 0) || (n == 1 && u[0] == '0');
}

const char *drop_blocks_user(struct check_ctx *ctx)
{
	for (size_t i = 0; ctx->df && i < ctx->df->nentry; i++) {
		const struct df_command *h = &ctx->df->entry[i];
		const struct sh_finding *f = h->f;
		if (f->kind != SH_PRIV_DROP || is_root(f->owner) || !h->t->in_script ||
		    f->cmd->root_only)
			continue;
		const char *why = drop_script_unsafe(ctx, h);
		if (why)
			return arena_printf(ctx->arena,
					    "%s switches user with '%s' and needs to start as "
					    "root: %s",
					    h->t->path, f->tool, why);
	}
	return NULL;
}

bool drop_withhold_user(struct check_ctx *ctx, struct diag *d)
{
	const char *blocked = d ? drop_blocks_user(ctx) : NULL;
	if (!blocked)
		return false;
	d->message = arena_printf(ctx->arena, "%s; not fixed here: %s", d->message, blocked);
	d->fix = NULL;
	d->no_edit = "the entrypoint drops privileges and needs root before it does";
	return true;
}
