/*
 * find.c - classifies the commands unroot cares about: accounts created or
 * changed, ownership and modes, writes to /etc/passwd, and privilege drops.
 *
 * Options are read the way each tool's getopt reads them (clustered short
 * options, `--long=value` and `--long value`, `--` ending the options), for
 * the GNU/shadow tools and for BusyBox where its options differ.
 */
#include "shell/shell.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "unroot/arena.h"

#define PASSWD "/etc/passwd"

const char *sh_base(const char *word)
{
	const char *s = strrchr(word, '/');
	return s ? s + 1 : word;
}

/*
 * Every command name unroot treats specially, in one table (sorted, so that
 * a reader finds a name): each command of a RUN line is looked up several
 * times (for wrappers, command strings, findings), and most are none of these.
 */
static const struct prog_name {
	const char *name;
	enum sh_prog kind;
} progs[] = {
    {"addgroup", PROG_ACCOUNT},	   {"adduser", PROG_ACCOUNT},
    {"ash", PROG_SHELL},	   {"bash", PROG_SHELL},
    {"builtin", PROG_WRAPPER},	   {"catatonit", PROG_WRAPPER},
    {"chgrp", PROG_CHOWN},	   {"chmod", PROG_CHMOD},
    {"chown", PROG_CHOWN},	   {"chpst", PROG_DROP},
    {"chroot", PROG_DROP},	   {"command", PROG_WRAPPER},
    {"cp", PROG_WRITER},	   {"dash", PROG_SHELL},
    {"doas", PROG_DROP},	   {"dumb-init", PROG_WRAPPER},
    {"env", PROG_WRAPPER},	   {"exec", PROG_WRAPPER},
    {"find", PROG_FIND},	   {"gosu", PROG_DROP},
    {"groupadd", PROG_ACCOUNT},	   {"groupmod", PROG_ACCOUNT},
    {"install", PROG_INSTALL},	   {"ionice", PROG_WRAPPER},
    {"ksh", PROG_SHELL},	   {"mksh", PROG_SHELL},
    {"mv", PROG_WRITER},	   {"nice", PROG_WRAPPER},
    {"nohup", PROG_WRAPPER},	   {"runuser", PROG_DROP},
    {"s6-applyuidgid", PROG_DROP}, {"s6-setuidgid", PROG_DROP},
    {"sed", PROG_WRITER},	   {"set", PROG_SET},
    {"setcap", PROG_SETCAP},	   {"setpriv", PROG_DROP},
    {"setuidgid", PROG_DROP},	   {"sh", PROG_SHELL},
    {"stdbuf", PROG_WRAPPER},	   {"su", PROG_DROP},
    {"su-exec", PROG_DROP},	   {"sudo", PROG_DROP},
    {"tee", PROG_WRITER},	   {"time", PROG_WRAPPER},
    {"timeout", PROG_WRAPPER},	   {"tini", PROG_WRAPPER},
    {"tini-static", PROG_WRAPPER}, {"useradd", PROG_ACCOUNT},
    {"usermod", PROG_ACCOUNT},	   {"zsh", PROG_SHELL},
};

/*
 * An open-addressing hash over the table, built once: the lookup costs a
 * hash of the name and usually one compare, where a search of the table
 * cost several.
 */
#define NSLOTS 256
static unsigned char slots[NSLOTS]; /* index into progs + 1; 0 is empty */
_Static_assert(sizeof(progs) / sizeof(progs[0]) < NSLOTS / 2, "keep the hash table sparse");
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static unsigned name_hash(const char *s, size_t n)
{
	return ((unsigned char)s[0] * 31u + (unsigned char)s[n - 1] * 7u + (unsigned)n * 3u) %
	       NSLOTS;
}

static void build_slots(void)
{
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		unsigned h = name_hash(progs[i].name, strlen(progs[i].name));
		while (slots[h])
			h = (h + 1) % NSLOTS;
		slots[h] = (unsigned char)(i + 1);
	}
}

/* The kind of the name b[0..n), which need not end there. */
static enum sh_prog prog_kind_n(const char *b, size_t n)
{
	if (n == 0 || n > 16) /* longer than any name in the table */
		return PROG_OTHER;
	pthread_once(&slots_once, build_slots);
	for (unsigned h = name_hash(b, n); slots[h]; h = (h + 1) % NSLOTS) {
		const struct prog_name *p = &progs[slots[h] - 1];
		if (p->name[0] == b[0] && strncmp(p->name, b, n) == 0 && p->name[n] == '\0')
			return p->kind;
	}
	return PROG_OTHER;
}

enum sh_prog sh_prog_kind(const char *b)
{
	return b ? prog_kind_n(b, strnlen(b, 17)) : PROG_OTHER;
}

const char *sh_prog_name(size_t i, enum sh_prog *kind)
{
	if (i >= sizeof(progs) / sizeof(progs[0]))
		return NULL;
	*kind = progs[i].kind;
	return progs[i].name;
}

static bool eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static const char *arg(const struct sh_cmd *c, size_t i)
{
	return i < c->argc ? c->argv[i].value : NULL;
}

/* A whole non-negative number, or -1. */
static long num(const char *s)
{
	if (!s || !*s)
		return -1;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	errno = 0;
	long v = strtol(s, NULL, 10);
	return errno ? -1 : v;
}

/*
 * A getopt-like walk over argv[from..]. Short options listed in `with_arg`
 * take a value (the rest of the cluster or the next word); long options in
 * `long_arg` take one too (`--x=v` or `--x v`).
 */
struct opts {
	const struct sh_cmd *c;
	size_t i;
	const char *with_arg;
	const char *const *long_arg;
	const char *cluster; /* rest of a short-option cluster */
	bool no_more;
};

enum { OPT_END = 0, OPT_OPERAND = 256, OPT_LONG = 257 }; /* above any option letter */

/*
 * Returns OPT_END, OPT_OPERAND (*val = the word, *idx its index), OPT_LONG
 * (*name = the long name without dashes, up to '=' not included: compare
 * with long_is), or a short option letter (*val its value or NULL).
 */
static int opt_next(struct opts *o, const char **name, const char **val, size_t *idx)
{
	*name = *val = NULL;
	if (o->cluster && *o->cluster) {
		char ch = *o->cluster++;
		if (strchr(o->with_arg, ch)) {
			if (*o->cluster)
				*val = o->cluster;
			else
				*val = arg(o->c, o->i++);
			o->cluster = NULL;
		}
		return (unsigned char)ch;
	}
	o->cluster = NULL;
	if (o->i >= o->c->argc)
		return OPT_END;
	const char *a = o->c->argv[o->i].value;
	*idx = o->i++;
	if (o->no_more || a[0] != '-' || a[1] == '\0') {
		*val = a;
		return OPT_OPERAND;
	}
	if (a[1] == '-') {
		if (a[2] == '\0') {
			o->no_more = true;
			return opt_next(o, name, val, idx);
		}
		*name = a + 2;
		const char *e = strchr(a, '=');
		if (e) {
			*val = e + 1;
		} else if (o->long_arg) {
			for (const char *const *l = o->long_arg; *l; l++)
				if (strcmp(*l, a + 2) == 0) {
					*val = arg(o->c, o->i++);
					break;
				}
		}
		return OPT_LONG;
	}
	o->cluster = a + 1;
	return opt_next(o, name, val, idx);
}

static bool long_is(const char *name, const char *want)
{
	size_t n = strcspn(name, "=");
	return strlen(want) == n && strncmp(name, want, n) == 0;
}

/* ---- privilege drops ---- */

static bool is_drop_tool(const char *b)
{
	return sh_prog_kind(b) == PROG_DROP;
}

/*
 * Reads a privilege-drop tool at argv[i]: *user is the target (NULL when the
 * tool does not change the user here, as sudo without -u), *next the index
 * of the command it runs (argc when it runs none, as su -c).
 */
static void drop_parse(const struct sh_cmd *c, size_t i, const char **user, size_t *next)
{
	const char *b = sh_base(c->argv[i].value);
	struct opts o = {.c = c, .i = i + 1, .with_arg = ""};
	const char *name, *val;
	size_t idx = i;
	int r;

	*user = NULL;
	*next = c->argc;
	if (eq(b, "gosu") || eq(b, "su-exec") || eq(b, "s6-setuidgid") || eq(b, "setuidgid")) {
		const char *u = arg(c, i + 1);
		if (u && u[0] != '-') {
			*user = u;
			*next = i + 2;
		}
		return;
	}
	if (eq(b, "chpst") || eq(b, "s6-applyuidgid")) {
		/* both take the user with -u, among other options with a value */
		o.with_arg = eq(b, "chpst") ? "uUe/nlLmdopfcrt" : "ugG";
		while ((r = opt_next(&o, &name, &val, &idx)) != OPT_END) {
			if (r == OPT_OPERAND) {
				*next = idx;
				return;
			}
			if (r == 'u')
				*user = val;
		}
		return;
	}
	if (eq(b, "setpriv")) {
		static const char *const la[] = {"reuid",
						 "regid",
						 "ruid",
						 "euid",
						 "rgid",
						 "egid",
						 "groups",
						 "inh-caps",
						 "ambient-caps",
						 "bounding-set",
						 "securebits",
						 "pdeathsig",
						 "selinux-label",
						 "apparmor-profile",
						 "landlock-access",
						 "landlock-rule",
						 NULL};
		o.long_arg = la;
		while ((r = opt_next(&o, &name, &val, &idx)) != OPT_END) {
			if (r == OPT_OPERAND) {
				*next = idx;
				return;
			}
			if (r == OPT_LONG && (long_is(name, "reuid") || long_is(name, "ruid") ||
					      long_is(name, "euid")))
				*user = val;
		}
		return;
	}
	if (eq(b, "su") || eq(b, "runuser")) {
		static const char *const la[] = {
		    "command",	  "session-command",	   "shell", "group",
		    "supp-group", "whitelist-environment", "user",  NULL};
		o.with_arg = "csgGwu";
		o.long_arg = la;
		bool runuser_u = false;
		while ((r = opt_next(&o, &name, &val, &idx)) != OPT_END) {
			if (r == OPT_OPERAND) {
				if (eq(val, "-"))
					continue;
				if (runuser_u) {
					*next = idx;
					return;
				}
				if (!*user) {
					*user = val;
					continue;
				}
				/* su USER ARGS: the arguments go to the user's shell */
				return;
			}
			if (r == 'u' || (r == OPT_LONG && long_is(name, "user"))) {
				if (eq(b, "runuser")) {
					*user = val;
					runuser_u = true;
					o.no_more = false;
				}
			}
		}
		return;
	}
	if (eq(b, "sudo") || eq(b, "doas")) {
		static const char *const la[] = {
		    "user", "group", "close-from",	"chdir",      "host",	"prompt",
		    "role", "type",  "command-timeout", "other-user", "chroot", NULL};
		o.with_arg = eq(b, "doas") ? "uC" : "ugCDhprtTUR";
		o.long_arg = la;
		while ((r = opt_next(&o, &name, &val, &idx)) != OPT_END) {
			if (r == OPT_OPERAND) {
				*next = idx;
				break;
			}
			if (r == 'u' || (r == OPT_LONG && long_is(name, "user")))
				*user = val;
		}
		if (*user && (eq(*user, "root") || eq(*user, "0") || eq(*user, "#0")))
			*user = NULL;
		return;
	}
	if (eq(b, "chroot")) {
		static const char *const la[] = {"userspec", "groups", NULL};
		o.long_arg = la;
		while ((r = opt_next(&o, &name, &val, &idx)) != OPT_END) {
			if (r == OPT_OPERAND) {
				*next = idx + 1; /* NEWROOT, then the command */
				break;
			}
			if (r == OPT_LONG && long_is(name, "userspec"))
				*user = val;
		}
		return;
	}
}

static bool is_plain_wrapper(const char *b)
{
	return sh_prog_kind(b) == PROG_WRAPPER;
}

/* Index after a plain wrapper at argv[i] and its options. */
static size_t skip_plain(const struct sh_cmd *c, size_t i)
{
	const char *b = sh_base(c->argv[i].value);
	const char *with = "";
	bool assigns = false, operand = false;

	if (eq(b, "exec"))
		with = "a";
	else if (eq(b, "env")) {
		with = "uCS";
		assigns = true;
	} else if (eq(b, "nice"))
		with = "n";
	else if (eq(b, "time"))
		with = "fo";
	else if (eq(b, "stdbuf"))
		with = "ioe";
	else if (eq(b, "ionice"))
		with = "cnp";
	else if (eq(b, "timeout")) {
		with = "sk";
		operand = true; /* the duration */
	} else if (eq(b, "tini") || eq(b, "tini-static"))
		with = "pe";
	i++;
	while (i < c->argc) {
		const char *a = c->argv[i].value;
		if (eq(a, "--")) {
			i++;
			break;
		}
		if (a[0] == '-' && a[1]) {
			/* `command -v NAME` and `-V` only look the name up: nothing runs */
			if (eq(b, "command") && a[1] != '-' && strpbrk(a + 1, "vV"))
				return c->argc;
			/* nice -5, nice -n 5, env -u NAME, time -f FMT */
			if (a[1] != '-' && strchr(with, a[strlen(a) - 1]) && strlen(a) == 2)
				i++;
			i++;
			continue;
		}
		if (assigns && strchr(a, '=') && a[0] != '=') {
			i++;
			continue;
		}
		if (operand) {
			operand = false;
			i++;
			continue;
		}
		break;
	}
	return i;
}

size_t sh_skip_wrappers(const struct sh_cmd *c, size_t i, bool drops)
{
	while (i < c->argc) {
		enum sh_prog kind = sh_prog_kind(sh_base(c->argv[i].value));
		if (kind == PROG_WRAPPER) {
			i = skip_plain(c, i);
			continue;
		}
		if (kind == PROG_DROP) {
			const char *user;
			size_t next;
			drop_parse(c, i, &user, &next);
			if ((user && !drops) || next <= i || next >= c->argc)
				break;
			i = next;
			continue;
		}
		break;
	}
	return i;
}

size_t sh_program(const struct sh_cmd *c)
{
	return sh_skip_wrappers(c, 0, true);
}

static bool is_shell(const char *b)
{
	return sh_prog_kind(b) == PROG_SHELL;
}

size_t sh_command_string(const struct sh_cmd *c)
{
	size_t i = sh_skip_wrappers(c, 0, true);
	if (i >= c->argc)
		return 0;
	const char *b = sh_base(c->argv[i].value);
	if (eq(b, "busybox") && i + 1 < c->argc && is_shell(sh_base(c->argv[i + 1].value)))
		b = sh_base(c->argv[++i].value);
	if (is_shell(b)) {
		bool seen_c = false;
		for (size_t j = i + 1; j < c->argc; j++) {
			const char *a = c->argv[j].value;
			if (eq(a, "--") || eq(a, "-")) {
				if (seen_c && j + 1 < c->argc)
					return j + 1;
				return 0;
			}
			if ((a[0] == '-' || a[0] == '+') && a[1]) {
				if (a[1] == '-') {
					if (eq(a, "--rcfile") || eq(a, "--init-file"))
						j++;
					continue;
				}
				if (eq(a + 1, "o") || eq(a + 1, "O"))
					j++;
				else if (a[0] == '-' && strchr(a + 1, 'c'))
					seen_c = true;
				continue;
			}
			return seen_c ? j : 0;
		}
		return 0;
	}
	if (eq(b, "su") || eq(b, "runuser")) {
		for (size_t j = i + 1; j + 1 < c->argc; j++) {
			const char *a = c->argv[j].value;
			if (eq(a, "--"))
				return 0;
			if (eq(a, "-c") || eq(a, "--command") || eq(a, "--session-command") ||
			    (a[0] == '-' && a[1] != '-' && a[strlen(a) - 1] == 'c' &&
			     strspn(a + 1, "lmpfc") == strlen(a + 1)))
				return j + 1;
		}
	}
	return 0;
}

/* ---- findings ---- */

/* The findings of a script, as they are found. */
struct found {
	struct arena *a;
	struct sh_finding *items;
	size_t n, cap;
	bool failed;
};

static struct sh_finding *add(struct found *f, enum sh_kind kind, const struct sh_cmd *c, size_t ti)
{
	struct sh_finding *x = ARR_PUSH(f->a, f->items, f->n, f->cap);
	if (!x) {
		f->failed = true;
		return NULL;
	}
	x->kind = kind;
	x->cmd = c;
	x->tool = ti < c->argc ? sh_base(c->argv[ti].value) : "sh";
	x->tool_index = ti;
	x->uid = x->gid = -1;
	return x;
}

static bool push_path(struct found *f, struct sh_finding *x, const char *p, size_t *cap)
{
	const char **slot = ARR_PUSH(f->a, x->paths, x->npaths, *cap);
	if (!slot) {
		f->failed = true;
		return false;
	}
	*slot = p;
	return true;
}

static void set_gid(struct sh_finding *x, const char *v)
{
	if (!v)
		return;
	long n = num(v);
	if (n >= 0)
		x->gid = n;
	else
		x->gid_name = v;
}

static void account(struct found *f, const struct sh_cmd *c, size_t ti)
{
	const char *b = sh_base(c->argv[ti].value);
	bool useradd_style = false;
	struct opts o = {.c = c, .i = ti + 1, .with_arg = ""};
	enum sh_kind kind;
	const char *operands[2] = {NULL, NULL};
	size_t nops = 0;
	const char *name, *val;
	size_t idx;
	int r;

	static const char *const useradd_la[] = {
	    "base-dir",	    "comment",	     "home-dir",    "home",	   "expiredate",
	    "inactive",	    "gid",	     "groups",	    "skel",	   "key",
	    "password",	    "root",	     "shell",	    "uid",	   "prefix",
	    "selinux-user", "selinux-range", "login",	    "new-name",	   "users",
	    "add-subuids",  "del-subuids",   "add-subgids", "del-subgids", NULL};
	static const char *const adduser_la[] = {
	    "uid",  "gid",	"ingroup", "home",     "shell",	  "gecos",	     "comment",
	    "conf", "firstuid", "lastuid", "firstgid", "lastgid", "extrausers-file", NULL};

	if (eq(b, "useradd")) {
		kind = SH_USER_ADD;
		o.with_arg = "bcdefgGkKpRPsuZ";
		o.long_arg = useradd_la;
	} else if (eq(b, "usermod")) {
		kind = SH_USER_MOD;
		o.with_arg = "cdefgGlpRPsuvwVWZ";
		o.long_arg = useradd_la;
	} else if (eq(b, "groupadd")) {
		kind = SH_GROUP_ADD;
		o.with_arg = "gKpRPU";
		o.long_arg = useradd_la;
	} else if (eq(b, "groupmod")) {
		kind = SH_GROUP_MOD;
		o.with_arg = "gnpRPU";
		o.long_arg = useradd_la;
	} else if (eq(b, "adduser")) {
		kind = SH_USER_ADD;
		o.with_arg = "hgsGku"; /* BusyBox: -g is the GECOS field, -G the group */
		o.long_arg = adduser_la;
		/*
		 * Short options next to long ones: Red Hat's adduser, a link to
		 * useradd (`adduser --uid 100 --system -g consul consul`); BusyBox
		 * has no long options and Debian's adduser no short ones.
		 */
		bool longs = false, shorts = false;
		for (size_t k = ti + 1; k < c->argc; k++) {
			const char *a = c->argv[k].value;
			longs = longs || (a[0] == '-' && a[1] == '-' && a[2]);
			shorts = shorts || (a[0] == '-' && a[1] && a[1] != '-');
		}
		if (longs && shorts) {
			useradd_style = true;
			o.with_arg = "bcdefgGkKpRPsuZ";
			o.long_arg = useradd_la;
		}
	} else {
		kind = SH_GROUP_ADD;
		o.with_arg = "g";
		o.long_arg = adduser_la;
	}
	struct sh_finding *x = add(f, kind, c, ti);
	if (!x)
		return;
	while ((r = opt_next(&o, &name, &val, &idx)) != OPT_END) {
		if (r == OPT_OPERAND) {
			if (nops < 2)
				operands[nops] = val;
			nops++;
			continue;
		}
		if (r == OPT_LONG) {
			if (long_is(name, "uid"))
				x->uid = num(val), x->uid_text = val;
			else if (long_is(name, "gid") || long_is(name, "ingroup"))
				set_gid(x, val);
			else if (long_is(name, "groups"))
				x->groups = val;
			else if (long_is(name, "system"))
				x->system = true;
			continue;
		}
		if (r == 'u')
			x->uid = num(val), x->uid_text = val;
		else if (r == 'r' || r == 'S')
			x->system = true;
		else if (r == 'g' && (!eq(b, "adduser") || useradd_style))
			set_gid(x, val);
		else if (r == 'G' && eq(b, "adduser") && !useradd_style)
			set_gid(x, val);
		else if (r == 'G')
			x->groups = val;
	}
	if ((eq(b, "adduser") || eq(b, "addgroup")) && nops >= 2) {
		/* adduser USER GROUP, addgroup USER GROUP: an existing user joins a group */
		x->kind = SH_USER_MOD;
		x->name = operands[0];
		x->gid_name = operands[1];
		return;
	}
	if (kind == SH_USER_MOD || kind == SH_GROUP_MOD)
		x->name = nops ? operands[nops > 2 ? 1 : nops - 1] : NULL;
	else
		x->name = operands[0];
}

/* Splits OWNER[:GROUP] (or OWNER.GROUP) outside ${...}. */
static void split_owner(struct arena *a, const char *spec, struct sh_finding *x)
{
	int depth = 0;
	const char *colon = NULL, *dot = NULL;
	for (const char *p = spec; *p; p++) {
		if (p[0] == '$' && p[1] == '{')
			depth++;
		else if (*p == '}' && depth)
			depth--;
		else if (!depth && *p == ':' && !colon)
			colon = p;
		else if (!depth && *p == '.' && !dot)
			dot = p;
	}
	const char *sep = colon ? colon : dot;
	if (!sep) {
		x->owner = spec;
		return;
	}
	x->owner = sep == spec ? NULL : arena_strndup(a, spec, (size_t)(sep - spec));
	x->group = sep[1] ? sep + 1 : NULL;
	x->owner_colon = x->owner && !sep[1];
}

static bool passwd_path(const char *p, bool recursive)
{
	if (eq(p, PASSWD) || eq(p, "/etc//passwd"))
		return true;
	return recursive && (eq(p, "/") || eq(p, "/etc") || eq(p, "/etc/"));
}

static void passwd_from(struct found *f, const struct sh_finding *src)
{
	for (size_t i = 0; i < src->npaths; i++) {
		if (!passwd_path(src->paths[i], src->recursive))
			continue;
		struct sh_finding copy = *src;
		struct sh_finding *x = add(f, SH_PASSWD_WRITE, src->cmd, src->tool_index);
		if (!x)
			return;
		*x = copy;
		x->kind = SH_PASSWD_WRITE;
		return;
	}
}

static void chown_cmd(struct found *f, const struct sh_cmd *c, size_t ti)
{
	const char *b = sh_base(c->argv[ti].value);
	static const char *const la[] = {"reference", "from", NULL};
	struct opts o = {.c = c, .i = ti + 1, .with_arg = "", .long_arg = la};
	const char *name, *val;
	size_t idx, cap = 0;
	bool have_spec = false, reference = false;
	int r;
	struct sh_finding *x = add(f, SH_CHOWN, c, ti);
	if (!x)
		return;
	while ((r = opt_next(&o, &name, &val, &idx)) != OPT_END) {
		if (r == OPT_OPERAND) {
			if (!have_spec && !reference) {
				have_spec = true;
				if (eq(b, "chgrp"))
					x->group = val;
				else
					split_owner(f->a, val, x);
			} else if (!push_path(f, x, val, &cap)) {
				return;
			}
		} else if (r == 'R' || (r == OPT_LONG && long_is(name, "recursive"))) {
			x->recursive = true;
		} else if (r == OPT_LONG && long_is(name, "reference")) {
			reference = true;
		}
	}
	if (!have_spec) {
		f->n--; /* chown --reference=FILE: nothing we can tell */
		return;
	}
	passwd_from(f, &f->items[f->n - 1]);
}

static bool mode_word(const char *a)
{
	/* chmod -w FILE, chmod -rwx FILE: a mode, not an option */
	return a[0] == '-' && a[1] && strspn(a + 1, "rwxXst") == strlen(a + 1);
}

static void chmod_cmd(struct found *f, const struct sh_cmd *c, size_t ti)
{
	size_t cap = 0;
	bool no_more = false, reference = false;
	struct sh_finding *x = add(f, SH_CHMOD, c, ti);
	if (!x)
		return;
	for (size_t i = ti + 1; i < c->argc; i++) {
		const char *a = c->argv[i].value;
		if (!no_more && !x->mode && mode_word(a)) {
			x->mode = a;
			continue;
		}
		if (!no_more && eq(a, "--")) {
			no_more = true;
			continue;
		}
		if (!no_more && a[0] == '-' && a[1] == '-') {
			if (strncmp(a, "--recursive", 11) == 0)
				x->recursive = true;
			else if (strncmp(a, "--reference", 11) == 0) {
				reference = true;
				if (!strchr(a, '='))
					i++;
			}
			continue;
		}
		if (!no_more && a[0] == '-' && a[1]) {
			if (strchr(a, 'R'))
				x->recursive = true;
			continue;
		}
		if (!x->mode && !reference)
			x->mode = a;
		else if (!push_path(f, x, a, &cap))
			return;
	}
	if (!x->mode) {
		f->n--;
		return;
	}
	passwd_from(f, &f->items[f->n - 1]);
}

static void install_cmd(struct found *f, const struct sh_cmd *c, size_t ti)
{
	static const char *const la[] = {
	    "owner", "group", "mode", "suffix", "target-directory", "strip-program", NULL};
	struct opts o = {.c = c, .i = ti + 1, .with_arg = "gmoSt", .long_arg = la};
	const char *name, *val, *owner = NULL, *group = NULL, *mode = NULL, *target = NULL;
	const char *ops[64];
	size_t nops = 0, idx;
	bool dir = false;
	int r;
	while ((r = opt_next(&o, &name, &val, &idx)) != OPT_END) {
		if (r == OPT_OPERAND) {
			if (nops < 64)
				ops[nops++] = val;
		} else if (r == 'o' || (r == OPT_LONG && long_is(name, "owner"))) {
			owner = val;
		} else if (r == 'g' || (r == OPT_LONG && long_is(name, "group"))) {
			group = val;
		} else if (r == 'm' || (r == OPT_LONG && long_is(name, "mode"))) {
			mode = val;
		} else if (r == 't' || (r == OPT_LONG && long_is(name, "target-directory"))) {
			target = val;
		} else if (r == 'd' || (r == OPT_LONG && long_is(name, "directory"))) {
			dir = true;
		}
	}
	const char *paths[64];
	size_t np = 0;
	if (dir) {
		for (size_t i = 0; i < nops; i++)
			paths[np++] = ops[i];
	} else if (target) {
		paths[np++] = target;
	} else if (nops >= 2) {
		paths[np++] = ops[nops - 1];
	}
	if (owner || group) {
		struct sh_finding *x = add(f, SH_CHOWN, c, ti);
		size_t cap = 0;
		if (!x)
			return;
		x->owner = owner;
		x->group = group;
		for (size_t i = 0; i < np; i++)
			if (!push_path(f, x, paths[i], &cap))
				return;
	}
	if (mode) {
		struct sh_finding *x = add(f, SH_CHMOD, c, ti);
		size_t cap = 0;
		if (!x)
			return;
		x->mode = mode;
		for (size_t i = 0; i < np; i++)
			if (!push_path(f, x, paths[i], &cap))
				return;
		passwd_from(f, x);
	}
}

/* tee, sed -i, cp/mv onto /etc/passwd. */
static void writer_cmd(struct found *f, const struct sh_cmd *c, size_t ti)
{
	const char *b = sh_base(c->argv[ti].value);
	bool in_place = false, hit = false;
	for (size_t i = ti + 1; i < c->argc; i++) {
		const char *a = c->argv[i].value;
		if (eq(b, "sed") &&
		    (strncmp(a, "-i", 2) == 0 || strncmp(a, "--in-place", 10) == 0 ||
		     (a[0] == '-' && a[1] != '-' && strchr(a, 'i'))))
			in_place = true;
		if (eq(a, PASSWD) && (!eq(b, "cp") && !eq(b, "mv") ? true : i + 1 == c->argc))
			hit = true;
	}
	if (!hit || (eq(b, "sed") && !in_place))
		return;
	struct sh_finding *x = add(f, SH_PASSWD_WRITE, c, ti);
	size_t cap = 0;
	if (x)
		push_path(f, x, PASSWD, &cap);
}

static void redirects(struct found *f, const struct sh_cmd *c, size_t ti)
{
	for (size_t i = 0; i < c->nredirs; i++) {
		const char *op = c->redirs[i].op;
		const char *gt = strchr(op, '>');
		if (!gt || !eq(c->redirs[i].target.value, PASSWD))
			continue;
		if (strchr(op, '&') && gt[1] == '&')
			continue; /* >&2 duplicates a descriptor */
		struct sh_finding *x = add(f, SH_PASSWD_WRITE, c, ti);
		size_t cap = 0;
		if (!x)
			return;
		x->tool = gt[1] == '>' ? ">>" : ">";
		push_path(f, x, PASSWD, &cap);
	}
}

static void classify(struct found *f, const struct sh_cmd *c);

/*
 * setcap [-q] [-n ROOTUID] [-v] CAPS FILE [CAPS FILE ...]: one finding for
 * the files it gives capabilities to. `-r` (remove) and `-v` (verify) give
 * none: they take capabilities away or change nothing.
 */
static void setcap_cmd(struct found *f, const struct sh_cmd *c, size_t ti)
{
	size_t i = ti + 1;
	for (; i < c->argc; i++) {
		const char *a = c->argv[i].value;
		if (eq(a, "-v") || eq(a, "-r") || eq(a, "-h"))
			return;
		if (eq(a, "-n"))
			i++;
		else if (!eq(a, "-q"))
			break;
	}
	if (i + 1 >= c->argc)
		return;
	struct sh_finding *x = add(f, SH_SETCAP, c, ti);
	if (!x)
		return;
	x->mode = c->argv[i].value;
	size_t cap = 0;
	for (; i + 1 < c->argc; i += 2)
		if (!eq(c->argv[i].value, "-r") && !push_path(f, x, c->argv[i + 1].value, &cap))
			return;
}

/*
 * find PATHS ... -exec CMD {} ; (or +): CMD is classified on its own, and the
 * `{}` among its operands stands for everything under PATHS.
 */
static void find_exec(struct found *f, const struct sh_cmd *c, size_t ti)
{
	const char *roots[32];
	size_t nroots = 0, i = ti + 1;
	for (; i < c->argc; i++) {
		const char *a = c->argv[i].value;
		if (a[0] == '-' || a[0] == '!' || a[0] == '(')
			break;
		if (nroots < 32)
			roots[nroots++] = a;
	}
	if (!nroots)
		roots[nroots++] = ".";
	for (; i < c->argc; i++) {
		const char *a = c->argv[i].value;
		if (!eq(a, "-exec") && !eq(a, "-execdir") && !eq(a, "-ok") && !eq(a, "-okdir"))
			continue;
		size_t s = i + 1, e = s;
		while (e < c->argc && !eq(c->argv[e].value, ";") && !eq(c->argv[e].value, "+"))
			e++;
		if (e > s) {
			struct sh_cmd *sub = arena_alloc(f->a, sizeof(*sub));
			if (!sub) {
				f->failed = true;
				return;
			}
			sub->argv = &c->argv[s];
			sub->argc = e - s;
			sub->start = c->argv[s].start;
			sub->end = c->argv[e - 1].end;
			sub->depth = c->depth;
			size_t first = f->n;
			classify(f, sub);
			for (size_t k = first; k < f->n; k++) {
				struct sh_finding *x = &f->items[k];
				size_t cap = 0;
				const char **old = x->paths;
				size_t nold = x->npaths;
				bool any = false;
				x->paths = NULL;
				x->npaths = 0;
				for (size_t j = 0; j < nold; j++) {
					if (!eq(old[j], "{}")) {
						push_path(f, x, old[j], &cap);
						continue;
					}
					any = true;
					for (size_t r = 0; r < nroots; r++)
						push_path(f, x, roots[r], &cap);
				}
				if (any)
					x->recursive = true;
			}
		}
		i = e;
	}
}

/*
 * set -- gosu app "$@" rewrites the arguments an entrypoint ends with `exec
 * "$@"`: the words after `--` are read as the command that will run.
 */
static void set_args(struct found *f, const struct sh_cmd *c, size_t ti)
{
	size_t s = ti + 1;
	if (s >= c->argc || !eq(c->argv[s].value, "--") || s + 1 >= c->argc)
		return;
	s++;
	if (!is_drop_tool(sh_base(c->argv[s].value)) &&
	    !is_plain_wrapper(sh_base(c->argv[s].value)))
		return;
	struct sh_cmd *sub = arena_alloc(f->a, sizeof(*sub));
	if (!sub) {
		f->failed = true;
		return;
	}
	sub->argv = &c->argv[s];
	sub->argc = c->argc - s;
	sub->start = c->argv[s].start;
	sub->end = c->end;
	sub->depth = c->depth;
	classify(f, sub);
}

static void classify(struct found *f, const struct sh_cmd *c)
{
	size_t i = 0;
	size_t guard = 0;
	if (c->argc)
		redirects(f, c, sh_skip_wrappers(c, 0, true));
	else
		redirects(f, c, 0);
	while (i < c->argc && guard++ < c->argc + 1) {
		i = sh_skip_wrappers(c, i, false);
		if (i >= c->argc)
			return;
		enum sh_prog kind = sh_prog_kind(sh_base(c->argv[i].value));
		if (kind == PROG_DROP) {
			const char *user;
			size_t next;
			drop_parse(c, i, &user, &next);
			if (user) {
				struct sh_finding *x = add(f, SH_PRIV_DROP, c, i);
				if (!x)
					return;
				x->owner = user;
				x->inner_index = next;
			}
			if (next <= i)
				return;
			i = next;
			continue;
		}
		switch (kind) {
		case PROG_ACCOUNT:
			account(f, c, i);
			break;
		case PROG_CHOWN:
			chown_cmd(f, c, i);
			break;
		case PROG_CHMOD:
			chmod_cmd(f, c, i);
			break;
		case PROG_INSTALL:
			install_cmd(f, c, i);
			break;
		case PROG_WRITER:
			writer_cmd(f, c, i);
			break;
		case PROG_FIND:
			find_exec(f, c, i);
			break;
		case PROG_SET:
			set_args(f, c, i);
			break;
		case PROG_SETCAP:
			setcap_cmd(f, c, i);
			break;
		default:
			break;
		}
		return;
	}
}

int sh_find(struct arena *a, const struct sh_script *s, struct sh_finding **out, size_t *n)
{
	struct found f = {.a = a};
	if (*out && *n) {
		for (size_t i = 0; i < *n; i++) {
			struct sh_finding *x = ARR_PUSH(a, f.items, f.n, f.cap);
			if (!x)
				return -1;
			*x = (*out)[i];
		}
	}
	for (size_t i = 0; i < s->ncmds && !f.failed; i++)
		classify(&f, &s->cmds[i]);
	if (f.failed)
		return -1;
	*out = f.items;
	*n = f.n;
	return 0;
}
