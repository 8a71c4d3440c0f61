/* NR001 unused-suppression: raised by the engine after matching suppressions. */
#include "unroot/rule.h"

const struct rule NR001_unused_suppression = {
    .code = "NR001",
    .name = "unused-suppression",
    .severity = SEV_INFO,
    .platforms = PLAT_ALL,
    .kind = KIND_ANY,
    .summary = "an ignore comment or annotation matched nothing",
    .description =
	"A suppression that no longer matches a finding hides nothing today but will hide "
	"a real problem tomorrow. unroot reports each one so stale suppressions do not "
	"pile up.",
    .remediation = "Delete the ignore comment or annotation, or the codes in it that no "
		   "longer match.",
    .bad = "FROM alpine:3.20\n# unroot ignore=NR102\nUSER 1001:0\n",
    .good = "FROM alpine:3.20\nUSER 1001:0\n",
};
