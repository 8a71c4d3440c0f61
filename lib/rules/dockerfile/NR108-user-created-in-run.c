/* NR108 user-created-in-run: accounts created or changed in a RUN of the final image. */
#include "edit.h"
#include "final-user.h"
#include "show.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "unroot/lint.h"
#include "rules/check.h"
#include "unroot/source.h"
#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>

static const char *what(const struct sh_finding *f)
{
	switch (f->kind) {
	case SH_USER_ADD:
		return "creates the user";
	case SH_GROUP_ADD:
		return "creates the group";
	case SH_USER_MOD:
		return "changes the user";
	default:
		return "changes the group";
	}
}

/*
 * A RUN that writes lines into /etc/passwd (`echo ... >> /etc/passwd`,
 * `cat >`, `tee [-a]`) writes accounts as useradd does. A chmod of the
 * file is NR114's matter, and `sed -i` edits entries that are there.
 */
static bool passwd_append(const struct sh_finding *f)
{
	return f->kind == SH_PASSWD_WRITE &&
	       (strcmp(f->tool, ">>") == 0 || strcmp(f->tool, ">") == 0 ||
		strcmp(f->tool, "tee") == 0);
}

static bool account_cmd(const struct sh_finding *f)
{
	return f->kind == SH_USER_ADD || f->kind == SH_GROUP_ADD || f->kind == SH_USER_MOD ||
	       f->kind == SH_GROUP_MOD;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A word that closes a compound command: nothing may be left between it and an operator. */
static bool closing_word(const char *t, size_t at, size_t len)
{
	static const char *const words[] = {"fi",   "done", "esac", "then", "else",
					    "elif", "do",   "}",    ")"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i]);
		if (at + n <= len && strncmp(t + at, words[i], n) == 0 &&
		    (at + n == len || blank(t[at + n]) || t[at + n] == ';'))
			return true;
	}
	return at < len && (t[at] == ')' || t[at] == '}' || t[at] == '&' || t[at] == '|');
}

/*
 * Where an account command stands in its RUN line, for taking it out and
 * leaving valid shell: alone (the instruction goes), or joined by `&&` or
 * `;` to the command after it (it goes with that operator) or, the last
 * one, to the command before it (it goes with the operator before it).
 */
struct place {
	const struct df_instr *in;
	bool alone, first; /* alone in the RUN; nothing before it */
	size_t to_next;	   /* text offset of the next command, after the operator; 0: none */
	size_t from_prev;  /* text offset of the end of the command before; 0: none */
	size_t a, b;	   /* the command's own text span */
};

/* False when its place is anything else (a pipe, `||`, an if, a subshell, a heredoc, an exec
 * form, a script). */
static bool place_of(const struct df_command *h, struct place *pl)
{
	const struct df_instr *in = h->t->in;
	const struct sh_cmd *c = h->f->cmd;
	if (h->t->in_script || !h->t->logical || in->json || in->nheredocs || c->depth ||
	    in->cmd != DF_RUN)
		return false;
	const char *t = h->t->text;
	size_t len = strlen(t), a = c->start, b = c->end;
	if (a > b || b > len)
		return false;
	*pl = (struct place){.in = in, .a = a, .b = b};
	size_t q = a, p = b;
	while (q > 0 && blank(t[q - 1]))
		q--;
	while (p < len && blank(t[p]))
		p++;
	pl->first = q == 0;
	if (q == 0 && p == len) {
		pl->alone = true;
		return true;
	}
	size_t after_op = 0;
	if (p + 1 < len && t[p] == '&' && t[p + 1] == '&')
		after_op = 2;
	else if (p < len && t[p] == ';' && (p + 1 >= len || t[p + 1] != ';'))
		after_op = 1;
	size_t before_op = (q >= 2 && t[q - 1] == '&' && t[q - 2] == '&')	       ? 2
			   : (q >= 1 && t[q - 1] == ';' && (q < 2 || t[q - 2] != ';')) ? 1
										       : 0;
	if (after_op) {
		size_t next = p + after_op;
		while (next < len && blank(t[next]))
			next++;
		if (next < len && !closing_word(t, next, len))
			pl->to_next = next;
	}
	if (before_op) {
		size_t r = q - before_op;
		while (r > 0 && blank(t[r - 1]))
			r--;
		if (r > 0 && !closing_word(t, r - 1, len))
			pl->from_prev = r;
	}
	/* a command between others needs the way to the next; the last, the way from the one
	 * before */
	return pl->first ? pl->to_next > 0 : pl->to_next > 0 || (p == len && pl->from_prev > 0);
}

/* The whole instruction, its line and newline with it. */
static bool whole_instr(struct check_ctx *ctx, const struct df_instr *in, size_t *rs, size_t *re)
{
	const char *data = ctx->src->data;
	size_t ls = in->start, le = in->end;
	while (ls > 0 && blank(data[ls - 1]))
		ls--;
	if (ls > 0 && data[ls - 1] != '\n')
		return false;
	while (le < ctx->src->len && data[le] != '\n')
		le++;
	*rs = ls;
	*re = le < ctx->src->len ? le + 1 : le;
	return true;
}

/*
 * The spans that take the n account commands of one instruction out, in
 * order: each goes up to the next command when a command is left after the
 * last of them; else each goes from the end of the
 * command before it, so that the last operator goes too; and when no
 * command is left at all, the instruction goes (the same edit for each).
 */
static bool spans(struct check_ctx *ctx, const struct place *pl, size_t n, size_t *rs, size_t *re)
{
	const struct df_instr *in = pl[0].in;
	bool last_has_next = pl[n - 1].to_next > 0;
	if (last_has_next) {
		for (size_t k = 0; k < n; k++) {
			rs[k] = df_text_to_src(in, pl[k].a);
			re[k] = df_text_to_src(in, pl[k].to_next);
		}
		return true;
	}
	/* the removed run at the end starts at command m */
	size_t m = n - 1;
	while (m > 0 && pl[m - 1].to_next == pl[m].a)
		m--;
	for (size_t k = 0; k < m; k++) {
		if (!pl[k].to_next)
			return false;
		rs[k] = df_text_to_src(in, pl[k].a);
		re[k] = df_text_to_src(in, pl[k].to_next);
	}
	if (pl[m].first || pl[m].alone) {
		/* nothing is left before the run: the instruction goes */
		for (size_t k = m; k < n; k++)
			if (!whole_instr(ctx, in, &rs[k], &re[k]))
				return false;
		return true;
	}
	if (!pl[m].from_prev)
		return false;
	for (size_t k = m; k < n; k++) {
		rs[k] = df_text_to_src(in, k == m ? pl[m].from_prev : pl[k - 1].b);
		re[k] = df_text_to_src(in, pl[k].b);
	}
	return true;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == '$' || c == '/';
}

struct span {
	size_t start, end;
};

static int by_start(const void *x, const void *y)
{
	size_t a = ((const struct span *)x)->start, b = ((const struct span *)y)->start;
	return (a > b) - (a < b);
}

static bool known(const struct strmap *m, const char *p, size_t n)
{
	char word[256];
	size_t v;
	if (!n || n >= sizeof(word))
		return false;
	memcpy(word, p, n);
	word[n] = '\0';
	return strmap_get(m, word, &v);
}

/*
 * Whether a word of data[from, to) is one of the accounts' names (a path
 * that ends in one, /app, is no use of the account), or is the home folder
 * an account command may have made, /home/NAME. One pass over the text.
 */
static bool named(const char *data, size_t from, size_t to, const struct strmap *names)
{
	for (size_t i = from; i < to;) {
		if (!name_char(data[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < to && name_char(data[j]))
			j++;
		if (known(names, data + i, j - i))
			return true;
		for (size_t k = i; k + 6 <= j; k++)
			if (memcmp(data + k, "/home/", 6) == 0) {
				size_t e = k + 6;
				while (e < j && data[e] != '/')
					e++;
				if (known(names, data + k + 6, e - k - 6))
					return true;
			}
		i = j;
	}
	return false;
}

/*
 * The removals of every account command, when all of them can go: each in a
 * place removal() takes, with a name written out, and no name they create
 * or use written anywhere else in the Dockerfile but the final USER line,
 * which the USER rules make numeric. Else none: a later `chown app` or
 * `--chown=app` would fail once the account is gone.
 */
static bool removals(struct check_ctx *ctx, size_t *rs, size_t *re)
{
	const struct df_command *h = ctx->df->run;
	size_t n = ctx->df->nrun;
	struct final_user fu;
	bool user_fixed = final_user_get(ctx, &fu) && !fu.from_base && fu.user_is_name &&
			  final_user_fix(ctx) && fu.line->cmd == DF_USER;
	/* past a few hundred, a Dockerfile is no one's hand-written build: no edits */
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += account_cmd(h[i].f);
	if (count > 256)
		return false;
	struct place *pl = arena_alloc(ctx->scratch, n * sizeof(*pl));
	size_t *idx = arena_alloc(ctx->scratch, n * sizeof(*idx));
	if (!pl || !idx)
		return false;
	for (size_t i = 0; i < n; i++)
		rs[i] = re[i] = 0;
	for (size_t i = 0; i < n;) {
		/* the account commands of one instruction, together */
		size_t np = 0, j = i;
		for (; j < n && (j == i || h[j].t->in == h[i].t->in); j++) {
			const struct sh_finding *f = h[j].f;
			if (!account_cmd(f))
				continue;
			if (!f->name || !*f->name || strchr(f->name, '$') || df_id(f->name) >= 0 ||
			    !place_of(&h[j], &pl[np]))
				return false;
			idx[np++] = j;
		}
		size_t *s1 = arena_alloc(ctx->scratch, 2 * (np ? np : 1) * sizeof(*s1));
		if (!s1 || (np && !spans(ctx, pl, np, s1, s1 + np)))
			return false;
		for (size_t k = 0; k < np; k++) {
			rs[idx[k]] = s1[k];
			re[idx[k]] = s1[np + k];
		}
		i = j;
	}
	/* the names they create or use, looked up once for every word outside the removed
	 * spans and the final USER line */
	struct strmap accounts;
	strmap_init(&accounts, ctx->scratch);
	struct span *sp = arena_alloc(ctx->scratch, (n + 1) * sizeof(*sp));
	size_t nsp = 0;
	if (!sp)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct sh_finding *f = h[i].f;
		if (!account_cmd(f))
			continue;
		sp[nsp++] = (struct span){rs[i], re[i]};
		const char *list[3] = {f->name, f->gid_name, f->groups};
		for (size_t k = 0; k < 3; k++)
			for (const char *p = list[k]; p && *p;) {
				size_t len = strcspn(p, ",");
				const char *name = arena_strndup(ctx->scratch, p, len);
				if (!name || (len && !strmap_put(&accounts, name, 1)))
					return false;
				p += len + (p[len] == ',');
			}
	}
	if (user_fixed)
		sp[nsp++] = (struct span){fu.line->start, fu.line->end};
	qsort(sp, nsp, sizeof(*sp), by_start);
	size_t at = 0;
	for (size_t i = 0; i < nsp; i++) {
		if (sp[i].start > at && named(ctx->src->data, at, sp[i].start, &accounts))
			return false;
		if (sp[i].end > at)
			at = sp[i].end;
	}
	return !named(ctx->src->data, at, ctx->src->len, &accounts);
}

static const char *script_where(struct check_ctx *ctx, const struct df_command *h)
{
	if (!h->t->in_script)
		return "";
	unsigned line, col;
	source_position(ctx->src, h->t->in->start, &line, &col);
	return arena_printf(ctx->arena, " (in a script that %s on line %u of %s runs)",
			    h->t->in->keyword, line, ctx->path);
}

/*
 * No edit: the line written may name a user other lines use; the fix is
 * the USER line the USER rules give, and the message says it.
 */
static void report_passwd(struct check_ctx *ctx, const struct rule *self,
			  const struct df_command *h)
{
	size_t s, e;
	df_command_span(h, &s, &e);
	const char *cmd = show_command(ctx, h);
	diag_add(ctx->diags, self, h->t->path, h->t->src, s, e,
		 "'%s' writes an account into /etc/passwd in a RUN step of the final image%s, "
		 "as useradd would: the image then depends on that entry, although OpenShift "
		 "runs it under an arbitrary uid the entry does not name, and Kubernetes' "
		 "runAsUser replaces it; drop the line, say who "
		 "runs the process with '%s' and give the app's files to group 0 instead",
		 cmd ? cmd : h->f->tool, script_where(ctx, h), final_user_fix(ctx));
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct df_command *h = ctx->df->run;
	size_t n = ctx->df->nrun;
	size_t *rs = n ? arena_alloc(ctx->scratch, 2 * n * sizeof(*rs)) : NULL;
	bool remove = rs && removals(ctx, rs, rs + n);
	for (size_t i = 0; i < n; i++) {
		const struct sh_finding *f = h[i].f;
		if (passwd_append(f)) {
			report_passwd(ctx, self, &h[i]);
			continue;
		}
		if (!account_cmd(f))
			continue;
		const char *fix = final_user_fix(ctx);
		size_t s, e;
		df_command_span(&h[i], &s, &e);
		const char *cmd = show_command(ctx, &h[i]);
		const char *where = script_where(ctx, &h[i]);
		struct diag *d = diag_add(
		    ctx->diags, self, h[i].t->path, h[i].t->src, s, e,
		    "'%s' %s '%s' in a RUN step of the final image%s: the image then depends on "
		    "that account, although OpenShift runs it under an arbitrary uid that is in no "
		    "/etc/passwd entry and Kubernetes' runAsUser replaces it, and the tool may be "
		    "missing from the base image; say who runs the process with '%s' and give the "
		    "app's files to group 0 instead",
		    cmd ? cmd : f->tool, what(f),
		    f->name ? show_word(ctx, h[i].t->in, f->name) : "?", where, fix);
		/* The command goes when no other line names the account (removals());
		 * the USER line the message names is the USER rules' edit, not this one's. */
		if (remove)
			edit_dockerfile(ctx, d, rs[i], rs[n + i], "");
	}
}

const struct rule NR108_user_created_in_run = {
    .code = "NR108",
    .name = "user-created-in-run",
    .severity = SEV_WARNING,
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "useradd, adduser, groupadd, addgroup, usermod, groupmod or a line written into "
	       "/etc/passwd in a RUN of the final image",
    .description =
	"Creating an account in the image (useradd, adduser, groupadd, addgroup, usermod, "
	"groupmod, or a line written into /etc/passwd with `echo ... >> /etc/passwd`, `cat >` or "
	"`tee -a`, in a RUN step of the final stage or the stages it is built FROM, heredoc "
	"bodies and context scripts those steps run included) ties the image to a user that "
	"only this image knows. OpenShift ignores it and runs the container under an arbitrary "
	"uid in group 0, with no entry of its own; Kubernetes' runAsUser replaces it; and "
	"adduser or useradd may not exist in a slimmer base image. A numeric `USER uid:0` says "
	"who runs the process without any account, and group-0 permissions make the files "
	"reachable for whatever uid the platform picks.",
    .remediation = "Drop the account commands, write `USER 1001:0`, and give the app's files "
		   "to group 0 with the owner's bits (`chgrp -R 0 /app && chmod -R g=u /app`, "
		   "or `COPY --chown=1001:0`).",
    .bad = "FROM alpine:3.20\nRUN addgroup -S app && adduser -S -G app -u 1001 app\nUSER 1001\n",
    .good = "FROM alpine:3.20\nCOPY --chown=1001:0 app /app\nUSER 1001:0\n",
    .check = check,
};
