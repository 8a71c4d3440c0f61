/* rules.c - the rule table, built from rules.def, and lookups in it. */
#include "unroot/rule.h"
#include "unroot/arena.h"
#include "unroot/suggest.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>

#define RULE(sym) extern const struct rule sym;
#include "rules.def"
#undef RULE

const struct rule *const rule_table[] = {
#define RULE(sym) &sym,
#include "rules.def"
#undef RULE
};

const size_t rule_count = sizeof(rule_table) / sizeof(rule_table[0]);

const struct rule *rule_find(const char *code_or_name)
{
	for (size_t i = 0; i < rule_count; i++)
		if (strcasecmp(rule_table[i]->code, code_or_name) == 0 ||
		    strcasecmp(rule_table[i]->name, code_or_name) == 0)
			return rule_table[i];
	return NULL;
}

const struct rule *rule_nearest(const char *word)
{
	size_t limit = suggest_limit(strlen(word)), best_d = limit + 1;
	const struct rule *best = NULL;
	for (size_t i = 0; i < rule_count; i++) {
		const char *both[] = {rule_table[i]->code, rule_table[i]->name};
		for (size_t k = 0; k < 2; k++) {
			size_t d = edit_distance(word, both[k], limit);
			if (d < best_d) {
				best = rule_table[i];
				best_d = d;
			}
		}
	}
	return best;
}

const char *rule_unknown(struct arena *a, const char *word)
{
	const struct rule *r = rule_nearest(word);
	if (r)
		return arena_printf(a, "unknown rule '%s'; did you mean %s (%s)?", word, r->code,
				    r->name);
	return arena_printf(a, "unknown rule '%s'; 'unroot rules' lists them", word);
}

const char *input_kind_name(enum input_kind k)
{
	switch (k) {
	case KIND_DOCKERFILE:
		return "dockerfile";
	case KIND_K8S:
		return "k8s";
	case KIND_HELM:
		return "helm";
	case KIND_IMAGE:
		return "image";
	case KIND_ANY:
		return "any";
	case KIND_NONE:
		break;
	}
	return "none";
}
