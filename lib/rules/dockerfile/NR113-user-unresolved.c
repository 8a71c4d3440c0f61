/* NR113 user-unresolved: a USER line uses a variable with no value in scope. */
#include "edit.h"
#include "final-user.h"
#include "unroot/arena.h"
#include "rules/check.h"
#include "unroot/source.h"

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct dockerfile *df = ctx->df;
	if (!df || df_stage_is_windows(df, df_final_stage(df)))
		return;
	for (int s = df_final_stage(df); s >= 0; s = df->stages[s].parent) {
		const struct df_stage *st = &df->stages[s];
		for (size_t i = st->first; i < st->last; i++) {
			const struct df_instr *in = &df->instrs[i];
			const char *name = in->user.unresolved;
			if (in->cmd != DF_USER || !name)
				continue;
			bool found = in->user.unresolved_global;
			const char *fix = found && *name ? arena_printf(ctx->arena, "ARG %s", name)
							 : final_user_fix(ctx);
			const char *why =
			    !*name ? "the value does not expand (a syntax error)"
			    : found
				? arena_printf(
				      ctx->arena,
				      "'%s' is an ARG before the first FROM, which a stage "
				      "sees only after it declares 'ARG %s' again",
				      name, name)
				: arena_printf(ctx->arena,
					       "'%s' has no value in this stage; if the base image "
					       "sets it in its ENV, unroot cannot see it",
					       name);
			struct diag *d = report(
			    ctx, self, in->start, in->end,
			    "'USER %s' cannot be resolved: %s; an empty USER runs the "
			    "container as root on Docker, Podman and Kubernetes; write '%s'%s",
			    in->text, why, fix, found ? " before the USER line" : "");
			if (d)
				d->fix = fix;
			if (found && *name) {
				/* the ARG line goes before the USER line, at the start of its line
				 */
				size_t at = in->start;
				while (at > 0 && ctx->src->data[at - 1] != '\n')
					at--;
				edit_dockerfile(ctx, d, at, at,
						arena_printf(ctx->arena, "%s\n", fix));
			} else if (in == &df->instrs[df->stages[df_final_stage(df)].last - 1] ||
				   in == df->instrs[df->stages[df_final_stage(df)].last - 1]
					     .user.instr) {
				edit_dockerfile(
				    ctx, d, in->start, in->end,
				    arena_printf(ctx->arena, "%s %s", in->keyword, fix + 5));
			} else if (d) {
				d->no_edit = "the value comes from a variable, in a USER line "
					     "that is not the image's last";
			}
		}
	}
}

const struct rule NR113_user_unresolved = {
    .code = "NR113",
    .name = "user-unresolved",
    .severity = SEV_WARNING,
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "USER uses a variable with no value in scope",
    .description =
	"BuildKit expands USER with the ARG and ENV values in scope. An ARG declared before "
	"the first FROM is visible only to FROM lines until the stage declares `ARG NAME` "
	"again; a variable nobody set expands to an empty string, and an empty USER means "
	"root. A value that only the base image's ENV sets cannot be checked from the "
	"Dockerfile, so the final user stays unknown. Only USER lines of the final stage "
	"and the stages it is built from are checked.",
    .remediation = "Declare the ARG inside the stage (`ARG APP_UID`) before `USER $APP_UID`, "
		   "or write the number: `USER 1001:0`.",
    .bad = "ARG APP_UID=1001\nFROM alpine:3.20\nUSER $APP_UID:0\n",
    .good = "ARG APP_UID=1001\nFROM alpine:3.20\nARG APP_UID\nUSER $APP_UID:0\n",
    .check = check,
};
