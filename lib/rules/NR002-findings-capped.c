/* NR002 findings-capped: the engine's note of the findings its caps left out. */
#include "unroot/rule.h"

const struct rule NR002_findings_capped = {
    .code = "NR002",
    .name = "findings-capped",
    .severity = SEV_INFO,
    .platforms = PLAT_ALL,
    .kind = KIND_ANY,
    .note = true,
    .summary = "more findings than unroot reports for one input or one run",
    .description =
	"unroot reports at most 1,000 findings for one input and 100,000 for one run, so "
	"that a generated or hostile input (a Dockerfile of a hundred thousand RUN lines) "
	"cannot fill the memory or bury the report. The note says how many findings were "
	"left out, at the input where it happened. A suppression in an input whose findings "
	"were left out is not reported as unused (NR001): whether it matched one of them is "
	"not known. With several threads (--jobs), which inputs' findings fill the run's "
	"share is not fixed.",
    .remediation = "Fix the findings reported and run unroot again, or lint fewer inputs at "
		   "a time.",
};
