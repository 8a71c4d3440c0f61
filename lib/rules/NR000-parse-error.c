/* NR000 parse-error: what a reader could not read, raised by the engine from the reader's errors.
 */
#include "unroot/rule.h"

const struct rule NR000_parse_error = {
    .code = "NR000",
    .name = "parse-error",
    .severity = SEV_ERROR,
    .platforms = PLAT_ALL,
    .kind = KIND_ANY,
    .summary = "an input cannot be read or parsed",
    .description =
	"unroot could not read this input, so nothing in it was checked. The message gives "
	"the position and the reason: a syntax error, a file over a size limit, a hostile "
	"path in an image, a digest that does not match. The other inputs are still linted, "
	"and the exit status is 2.",
    .remediation = "Fix the input at the position shown, or exclude it from the paths linted.",
    .bad = "FROM alpine:3.20\nRUN <<EOF\necho never closed\n",
    .good = "FROM alpine:3.20\nRUN <<EOF\necho closed\nEOF\nUSER 1001:0\n",
};
