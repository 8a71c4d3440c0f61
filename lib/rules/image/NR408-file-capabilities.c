/* NR408 file-capabilities: binaries with security.capability fail once ALL is dropped. */
#include "image-check.h"
#include "unroot/arena.h"

#include <stdint.h>
#include <string.h>

#define MAX_REPORTS 50

static const char *const cap_names[] = {
    "cap_chown",
    "cap_dac_override",
    "cap_dac_read_search",
    "cap_fowner",
    "cap_fsetid",
    "cap_kill",
    "cap_setgid",
    "cap_setuid",
    "cap_setpcap",
    "cap_linux_immutable",
    "cap_net_bind_service",
    "cap_net_broadcast",
    "cap_net_admin",
    "cap_net_raw",
    "cap_ipc_lock",
    "cap_ipc_owner",
    "cap_sys_module",
    "cap_sys_rawio",
    "cap_sys_chroot",
    "cap_sys_ptrace",
    "cap_sys_pacct",
    "cap_sys_admin",
    "cap_sys_boot",
    "cap_sys_nice",
    "cap_sys_resource",
    "cap_sys_time",
    "cap_sys_tty_config",
    "cap_mknod",
    "cap_lease",
    "cap_audit_write",
    "cap_audit_control",
    "cap_setfcap",
    "cap_mac_override",
    "cap_mac_admin",
    "cap_syslog",
    "cap_wake_alarm",
    "cap_block_suspend",
    "cap_audit_read",
    "cap_perfmon",
    "cap_bpf",
    "cap_checkpoint_restore",
};

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* "cap_net_bind_service,cap_net_raw+ep" from struct vfs_cap_data; NULL when malformed. */
static const char *decode(struct arena *a, const struct fs_xattr *x, bool *only_bind)
{
	if (x->len < 12)
		return NULL;
	uint32_t magic = le32(x->value), rev = magic & 0xff000000u;
	if (rev != 0x01000000u && rev != 0x02000000u && rev != 0x03000000u)
		return NULL;
	uint64_t perm = le32(x->value + 4);
	if (rev != 0x01000000u && x->len >= 20)
		perm |= (uint64_t)le32(x->value + 12) << 32;
	char *out = arena_strdup(a, "");
	*only_bind = perm == (1u << 10);
	for (unsigned i = 0; i < 64 && out; i++) {
		if (!(perm & ((uint64_t)1 << i)))
			continue;
		const char *name = i < sizeof(cap_names) / sizeof(cap_names[0])
				       ? cap_names[i]
				       : arena_printf(a, "cap_%u", i);
		out = arena_printf(a, "%s%s%s", out, *out ? "," : "", name);
	}
	if (!out)
		return NULL;
	return arena_printf(a, "%s%s", *out ? out : "(none)", (magic & 1) ? "+ep" : "+p");
}

struct scan {
	struct check_ctx *ctx;
	const struct rule *self;
	size_t n;
	struct diag *last; /* the last one shown */
};

static bool visit(struct fs_node *n, void *data)
{
	struct scan *s = data;
	const struct fs_xattr *x;
	if (fs_type_of(n) != FS_REG || !(x = fs_xattr_get(n, "security.capability")))
		return true;
	if (s->n++ >= MAX_REPORTS)
		return true;
	const char *p = fs_path(s->ctx->arena, n);
	bool only_bind = false;
	const char *caps = decode(s->ctx->arena, x, &only_bind);
	const char *fix = arena_printf(s->ctx->arena, "setcap -r %s", p);
	s->last = img_report(
	    s->ctx, s->self, p, fix,
	    "'%s' has file capabilities %s: when the container drops ALL capabilities "
	    "(OpenShift restricted-v2, Pod Security restricted), executing it fails with "
	    "'operation not permitted'; remove them with '%s'%s",
	    p, caps ? caps : "(unreadable)", fix,
	    only_bind ? " and add NET_BIND_SERVICE to the container's capabilities, or "
			"listen on a port above 1023"
		      : "");
	return true;
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	if (!ctx->image || !ctx->image->fs)
		return;
	struct scan s = {ctx, self, 0, NULL};
	fs_walk(ctx->arena, ctx->image->fs->root, visit, &s);
	if (s.n > MAX_REPORTS)
		img_more(ctx, s.last, s.n - MAX_REPORTS);
}

const struct rule NR408_file_capabilities = {
    .code = "NR408",
    .name = "file-capabilities",
    .severity = SEV_WARNING,
    .platforms = PLAT_ALL,
    .kind = KIND_IMAGE,
    .summary = "binaries carry file capabilities (security.capability)",
    .description =
	"A file with capabilities in its security.capability xattr asks the kernel for them "
	"at execve. When the effective bit is set and the capabilities are not in the "
	"container's bounding set, because the pod drops ALL as OpenShift's restricted-v2 "
	"and the Pod Security restricted profile require, execve fails with EPERM. Only "
	"NET_BIND_SERVICE may be added back there.",
    .remediation = "Remove them (setcap -r FILE) and listen on a port above 1023, or add "
		   "NET_BIND_SERVICE to the container's capabilities when that is the one needed.",
    .bad = "An image built from this Dockerfile (a description: image rules read built "
	   "images):\nFROM debian:12\nRUN apt-get install -y libcap2-bin && setcap "
	   "cap_net_bind_service=+ep /app/server\n",
    .good = "An image built from:\nFROM debian:12\nCOPY server /app/server\nUSER 1001:0\n",
    .check = check,
};
