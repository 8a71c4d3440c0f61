/*
 * mode.c - chmod modes, applied the way GNU chmod(1) applies them.
 *
 * The parse and the application follow coreutils' modechange.c: a mode is a
 * list of changes, each with an operator, the bits it affects, the bits it
 * mentions and where its value comes from. Octal modes of fewer than five
 * digits leave a folder's set-uid and set-gid bits alone, as GNU chmod does.
 */
#include "shell/shell.h"

#include <stddef.h>

#define ALLM	    07777u
#define S_SUID	    04000u
#define S_SGID	    02000u
#define S_SVTX	    01000u
#define RWXU	    0700u
#define RWXG	    0070u
#define RWXO	    0007u
#define R_ALL	    0444u
#define W_ALL	    0222u
#define X_ALL	    0111u
#define MAX_CHANGES 64

enum flag { ORDINARY, COPY_EXISTING, X_IF_ANY_X };

struct change {
	char op;
	enum flag flag;
	unsigned affected, value, mentioned;
};

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* Returns the number of changes, or -1 when the mode does not parse. */
static int compile(const char *s, struct change *mc)
{
	int used = 0;

	if (is_octal(*s)) {
		unsigned v = 0;
		const char *p = s;
		do {
			v = 8 * v + (unsigned)(*p++ - '0');
			if (v > ALLM)
				return -1;
		} while (is_octal(*p));
		if (*p)
			return -1;
		mc[0].op = '=';
		mc[0].flag = ORDINARY;
		mc[0].affected = ALLM;
		mc[0].value = v;
		mc[0].mentioned = p - s < 5 ? (v & (S_SUID | S_SGID)) | S_SVTX | 0777u : ALLM;
		return 1;
	}
	if (!*s)
		return -1;

	do {
		unsigned affected = 0;
		for (;; s++) {
			if (*s == 'u')
				affected |= S_SUID | RWXU;
			else if (*s == 'g')
				affected |= S_SGID | RWXG;
			else if (*s == 'o')
				affected |= S_SVTX | RWXO;
			else if (*s == 'a')
				affected |= ALLM;
			else if (*s == '=' || *s == '+' || *s == '-')
				break;
			else
				return -1;
		}
		do {
			char op = *s++;
			unsigned value = 0, mentioned = 0;
			enum flag flag = COPY_EXISTING;
			if (used >= MAX_CHANGES)
				return -1;
			if (is_octal(*s)) {
				unsigned v = 0;
				do {
					v = 8 * v + (unsigned)(*s++ - '0');
					if (v > ALLM)
						return -1;
				} while (is_octal(*s));
				if (affected || (*s && *s != ','))
					return -1;
				affected = mentioned = ALLM;
				value = v;
				flag = ORDINARY;
			} else if (*s == 'u') {
				value = RWXU;
				s++;
			} else if (*s == 'g') {
				value = RWXG;
				s++;
			} else if (*s == 'o') {
				value = RWXO;
				s++;
			} else {
				flag = ORDINARY;
				for (;; s++) {
					if (*s == 'r')
						value |= R_ALL;
					else if (*s == 'w')
						value |= W_ALL;
					else if (*s == 'x')
						value |= X_ALL;
					else if (*s == 'X')
						flag = X_IF_ANY_X;
					else if (*s == 's')
						value |= S_SUID | S_SGID;
					else if (*s == 't')
						value |= S_SVTX;
					else
						break;
				}
			}
			mc[used].op = op;
			mc[used].flag = flag;
			mc[used].affected = affected;
			mc[used].value = value;
			mc[used].mentioned = mentioned	? mentioned
					     : affected ? affected & value
							: value;
			used++;
		} while (*s == '=' || *s == '+' || *s == '-');
	} while (*s++ == ',');
	if (s[-1] != '\0')
		return -1;
	return used;
}

static unsigned adjust(unsigned old, bool dir, unsigned umask_value, const struct change *c, int n)
{
	unsigned mode = old & ALLM;
	for (int i = 0; i < n; i++) {
		unsigned affected = c[i].affected;
		unsigned omit = (dir ? S_SUID | S_SGID : 0) & ~c[i].mentioned;
		unsigned value = c[i].value;

		if (c[i].flag == COPY_EXISTING) {
			value &= mode;
			value |= ((value & R_ALL) ? R_ALL : 0) | ((value & W_ALL) ? W_ALL : 0) |
				 ((value & X_ALL) ? X_ALL : 0);
		} else if (c[i].flag == X_IF_ANY_X) {
			if ((mode & X_ALL) || dir)
				value |= X_ALL;
		}
		value &= (affected ? affected : ~umask_value) & ~omit;
		if (c[i].op == '=') {
			unsigned preserved = (affected ? ~affected : 0) | omit;
			mode = (mode & preserved) | value;
		} else if (c[i].op == '+') {
			mode |= value;
		} else {
			mode &= ~value;
		}
	}
	return mode & ALLM;
}

int mode_apply_umask(const char *spec, unsigned old, bool is_dir, unsigned umask_value,
		     unsigned *out)
{
	struct change mc[MAX_CHANGES];
	*out = old;
	if (!spec)
		return -1;
	int n = compile(spec, mc);
	if (n < 0)
		return -1;
	*out = adjust(old, is_dir, umask_value & 0777u, mc, n);
	return 0;
}

int mode_apply(const char *spec, unsigned old, bool is_dir, unsigned *out)
{
	return mode_apply_umask(spec, old, is_dir, 0, out);
}
