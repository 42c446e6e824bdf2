/* init_hooks.c: the hooks the container's init runs itself (createContainer, startContainer) and its hook handshake. */
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "ocirun/process/hooks.h"
#include "ocirun/process/sync.h"
#include "ocirun/state/state.h"
#include "process/init.h"

static void init_state(const struct oci_init_ctx *ctx, struct oci_state *st, char *created, size_t len)
{
    now_rfc3339(created, len);
    *st = (struct oci_state) {
        .id = (char *) ctx->id,
        .pid = ctx->host_pid,
        .bundle = (char *) ctx->bundle,
        .rootfs = (char *) ctx->rootfs,
        .created = created,
        .owner = "",
        .annotations = ctx->spec->annotations,
    };
}

int oci_hooks_init_create(struct oci_init_ctx *ctx, oci_err_t *err)
{
    /* runc's: in the rootfs (hooks name paths in it relative to it), with the process's
     * environment for a hook without its own. */
    struct oci_hook_exec x = { .cwd = ctx->rootfs, .env = ctx->spec->process->env.v };
    struct oci_sync_msg msg;
    struct oci_state st;
    char created[64];

    if (!ctx->hooks_sync)
        return 0;
    if (oci_sync_send(ctx->sync_fd, OCI_SYNC_HOOKS, 0, NULL) < 0)
        return oci_error_set(err, 0, "hooks: the runtime is gone");
    if (oci_sync_expect(ctx->sync_fd, OCI_SYNC_GO, &msg, err) < 0)
        return -1;
    ctx->host_pid = msg.value;
    init_state(ctx, &st, created, sizeof(created));
    if (oci_hooks_run(&ctx->spec->hooks, OCI_HOOK_CREATE_CONTAINER, &st, &x, err) < 0)
        return -1;
    oci_phase(&ctx->phases, "prestart+createRuntime+createContainer hooks");
    return 0;
}

int oci_hooks_init_start(struct oci_init_ctx *ctx, char *const *envp, const struct oci_seccomp_filter *seccomp,
                         oci_err_t *err)
{
    struct oci_hook_exec x = { .env = envp, .seccomp = seccomp };
    struct oci_state st;
    char created[64];

    if (!oci_hooks_has(&ctx->spec->hooks, OCI_HOOK_START_CONTAINER))
        return 0;
    init_state(ctx, &st, created, sizeof(created));
    return oci_hooks_run(&ctx->spec->hooks, OCI_HOOK_START_CONTAINER, &st, &x, err);
}
