/* weigh.c - which rules a run turns off (--ignore, severity "off"), and what the config sets. */
#include "run.h"

#include <strings.h>

static bool listed(const char *const *list, size_t n, const struct rule *r)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(list[i], r->code) == 0 || strcasecmp(list[i], r->name) == 0)
			return true;
	return false;
}

bool run_ignored_rule(const struct lint_options *o, const struct rule *r)
{
	return listed(o->ignore, o->nignore, r);
}

int run_configured_severity(const struct lint_options *o, const struct rule *r)
{
	for (size_t i = 0; i < o->nseverity; i++) {
		const struct kv *kv = &o->severity[i];
		if (strcasecmp(kv->key, r->code) == 0 || strcasecmp(kv->key, r->name) == 0)
			return severity_parse(kv->value);
	}
	return -1;
}

bool run_rule_disabled(const struct lint_run *run, const struct rule *r)
{
	if (r == &NR000_parse_error)
		return false;
	if (run_ignored_rule(run->opts, r))
		return true;
	return run_configured_severity(run->opts, r) == SEV_NONE;
}
