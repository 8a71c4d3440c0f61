/* NR003 rendered-checks-skipped: the note that a chart was not rendered, and why. */
#include "unroot/rule.h"

const struct rule NR003_rendered_checks_skipped = {
    .code = "NR003",
    .name = "rendered-checks-skipped",
    .severity = SEV_INFO,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_ANY,
    .note = true,
    .summary = "a chart's rendered checks did not run: no helm to render it",
    .description =
	"The Kubernetes rules run on a Helm chart as `helm template` renders it, with and "
	"without the OpenShift API. Without a helm binary (none on PATH, or a build without "
	"the Kubernetes reader) only the static template checks run, and the runAsUser, "
	"capabilities and admission findings the chart would give are not known. The note "
	"is said once a run, at the Chart.yaml of the first chart whose static checks found "
	"something. It is a note about the run, not a finding about the chart.",
    .remediation = "Install helm, or pass --helm BIN, and run unroot again.",
};
