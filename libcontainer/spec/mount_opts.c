/* mount_opts.c: the mount option table (runc's set) and the pure parser of mounts[].options. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include "ocirun/core/utils.h"
#include "ocirun/spec/mount_opts.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/* The three atime policies are one field in the kernel: choosing one drops the others. */
#define ATIME_POLICY_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

enum opt_kind { OPT_SET, OPT_CLEAR, OPT_PROPAGATION, OPT_REC_ATTR, OPT_TMPCOPYUP, OPT_IDMAP, OPT_NONE };

struct opt_entry {
    const char *name;
    enum opt_kind kind;
    unsigned long flag;     /* MS_* for OPT_SET/OPT_CLEAR/OPT_PROPAGATION */
    uint64_t attr_set;      /* OPT_REC_ATTR */
    uint64_t attr_clr;
};

static const struct opt_entry opt_table[] = {
    { "defaults", OPT_NONE, 0, 0, 0 },
    { "ro", OPT_SET, MS_RDONLY, 0, 0 },
    { "rw", OPT_CLEAR, MS_RDONLY, 0, 0 },
    { "nosuid", OPT_SET, MS_NOSUID, 0, 0 },
    { "suid", OPT_CLEAR, MS_NOSUID, 0, 0 },
    { "nodev", OPT_SET, MS_NODEV, 0, 0 },
    { "dev", OPT_CLEAR, MS_NODEV, 0, 0 },
    { "noexec", OPT_SET, MS_NOEXEC, 0, 0 },
    { "exec", OPT_CLEAR, MS_NOEXEC, 0, 0 },
    { "sync", OPT_SET, MS_SYNCHRONOUS, 0, 0 },
    { "async", OPT_CLEAR, MS_SYNCHRONOUS, 0, 0 },
    { "dirsync", OPT_SET, MS_DIRSYNC, 0, 0 },
    { "remount", OPT_SET, MS_REMOUNT, 0, 0 },
    { "mand", OPT_SET, MS_MANDLOCK, 0, 0 },
    { "nomand", OPT_CLEAR, MS_MANDLOCK, 0, 0 },
    { "noatime", OPT_SET, MS_NOATIME, 0, 0 },
    { "atime", OPT_CLEAR, MS_NOATIME, 0, 0 },
    { "nodiratime", OPT_SET, MS_NODIRATIME, 0, 0 },
    { "diratime", OPT_CLEAR, MS_NODIRATIME, 0, 0 },
    { "relatime", OPT_SET, MS_RELATIME, 0, 0 },
    { "norelatime", OPT_CLEAR, MS_RELATIME, 0, 0 },
    { "strictatime", OPT_SET, MS_STRICTATIME, 0, 0 },
    { "nostrictatime", OPT_CLEAR, MS_STRICTATIME, 0, 0 },
    { "lazytime", OPT_SET, MS_LAZYTIME, 0, 0 },
    { "nolazytime", OPT_CLEAR, MS_LAZYTIME, 0, 0 },
    { "silent", OPT_SET, MS_SILENT, 0, 0 },
    { "loud", OPT_CLEAR, MS_SILENT, 0, 0 },
    { "iversion", OPT_SET, MS_I_VERSION, 0, 0 },
    { "noiversion", OPT_CLEAR, MS_I_VERSION, 0, 0 },
    { "nosymfollow", OPT_SET, MS_NOSYMFOLLOW, 0, 0 },
    { "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW, 0, 0 },
    { "bind", OPT_SET, MS_BIND, 0, 0 },
    { "rbind", OPT_SET, MS_BIND | MS_REC, 0, 0 },

    { "private", OPT_PROPAGATION, MS_PRIVATE, 0, 0 },
    { "rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC, 0, 0 },
    { "shared", OPT_PROPAGATION, MS_SHARED, 0, 0 },
    { "rshared", OPT_PROPAGATION, MS_SHARED | MS_REC, 0, 0 },
    { "slave", OPT_PROPAGATION, MS_SLAVE, 0, 0 },
    { "rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC, 0, 0 },
    { "unbindable", OPT_PROPAGATION, MS_UNBINDABLE, 0, 0 },
    { "runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC, 0, 0 },

    { "rro", OPT_REC_ATTR, 0, MOUNT_ATTR_RDONLY, 0 },
    { "rrw", OPT_REC_ATTR, 0, 0, MOUNT_ATTR_RDONLY },
    { "rnosuid", OPT_REC_ATTR, 0, MOUNT_ATTR_NOSUID, 0 },
    { "rsuid", OPT_REC_ATTR, 0, 0, MOUNT_ATTR_NOSUID },
    { "rnodev", OPT_REC_ATTR, 0, MOUNT_ATTR_NODEV, 0 },
    { "rdev", OPT_REC_ATTR, 0, 0, MOUNT_ATTR_NODEV },
    { "rnoexec", OPT_REC_ATTR, 0, MOUNT_ATTR_NOEXEC, 0 },
    { "rexec", OPT_REC_ATTR, 0, 0, MOUNT_ATTR_NOEXEC },
    { "rnodiratime", OPT_REC_ATTR, 0, MOUNT_ATTR_NODIRATIME, 0 },
    { "rdiratime", OPT_REC_ATTR, 0, 0, MOUNT_ATTR_NODIRATIME },
    /* The atime policy is an enum inside MOUNT_ATTR__ATIME: every change clears the whole field.
     * "Not noatime"/"not strictatime" fall back to the kernel default, relatime;
     * "not relatime" means strictatime, as mount(8) documents norelatime. */
    { "rrelatime", OPT_REC_ATTR, 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
    { "rnorelatime", OPT_REC_ATTR, 0, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
    { "rnoatime", OPT_REC_ATTR, 0, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },
    { "ratime", OPT_REC_ATTR, 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
    { "rstrictatime", OPT_REC_ATTR, 0, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
    { "rnostrictatime", OPT_REC_ATTR, 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
    { "rnosymfollow", OPT_REC_ATTR, 0, MOUNT_ATTR_NOSYMFOLLOW, 0 },
    { "rsymfollow", OPT_REC_ATTR, 0, 0, MOUNT_ATTR_NOSYMFOLLOW },

    { "tmpcopyup", OPT_TMPCOPYUP, 0, 0, 0 },
    { "idmap", OPT_IDMAP, 0, 0, 0 },
    { "ridmap", OPT_IDMAP, MS_REC, 0, 0 },
};

const char *oci_mount_opt_name(size_t i)
{
    return i < ARRAY_SIZE(opt_table) ? opt_table[i].name : NULL;
}

static const struct opt_entry *opt_lookup(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++)
        if (strcmp(opt_table[i].name, name) == 0)
            return &opt_table[i];
    return NULL;
}

long oci_mount_propagation_from_name(const char *name)
{
    const struct opt_entry *e = name ? opt_lookup(name) : NULL;

    if (e == NULL || e->kind != OPT_PROPAGATION)
        return -1;
    return (long) e->flag;
}

static void opt_set_flag(struct oci_mount_opts *o, unsigned long flag)
{
    if (flag & ATIME_POLICY_FLAGS)
        o->flags &= ~ATIME_POLICY_FLAGS;
    o->flags |= flag;
    o->clear &= ~flag;
}

static void opt_clear_flag(struct oci_mount_opts *o, unsigned long flag)
{
    o->flags &= ~flag;
    o->clear |= flag;
}

static void opt_rec_attr(struct oci_mount_opts *o, const struct opt_entry *e)
{
    /* A later recursive option overrides an earlier one on the same attribute. */
    if (e->attr_clr & MOUNT_ATTR__ATIME)
        o->rec_attr_set &= ~(uint64_t) MOUNT_ATTR__ATIME;
    o->rec_attr_set &= ~e->attr_clr;
    o->rec_attr_clr &= ~(e->attr_set & ~(uint64_t) MOUNT_ATTR__ATIME);
    o->rec_attr_set |= e->attr_set;
    o->rec_attr_clr |= e->attr_clr;
}

static void opt_append_data(struct oci_mount_opts *o, const char *opt)
{
    char *joined;

    if (o->data == NULL) {
        o->data = xstrdup(opt);
        return;
    }
    joined = xasprintf("%s,%s", o->data, opt);
    free(o->data);
    o->data = joined;
}

static int opt_apply(struct oci_mount_opts *o, const char *opt, oci_err_t *err)
{
    const struct opt_entry *e = opt_lookup(opt);

    if (e == NULL) {
        opt_append_data(o, opt);
        return 0;
    }
    switch (e->kind) {
    case OPT_SET:
        opt_set_flag(o, e->flag);
        if (e->flag & MS_BIND) {
            o->bind = true;
            o->rbind = o->rbind || (e->flag & MS_REC);
        }
        break;
    case OPT_CLEAR:
        opt_clear_flag(o, e->flag);
        break;
    case OPT_PROPAGATION:
        if (o->n_propagation == OCI_MOUNT_MAX_PROPAGATION)
            return oci_error_set(err, EINVAL, "option \"%s\": more than %d propagation options",
                                 opt, OCI_MOUNT_MAX_PROPAGATION);
        o->propagation[o->n_propagation++] = e->flag;
        break;
    case OPT_REC_ATTR:
        opt_rec_attr(o, e);
        break;
    case OPT_TMPCOPYUP:
        o->tmpcopyup = true;
        break;
    case OPT_IDMAP:
        o->idmap = true;
        o->ridmap = o->ridmap || (e->flag & MS_REC);
        break;
    case OPT_NONE:
        break;
    }
    return 0;
}

int oci_mount_opts_parse(char *const *options, size_t n, struct oci_mount_opts *out, oci_err_t *err)
{
    int ret;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        if (options[i] == NULL || options[i][0] == '\0')
            continue;
        ret = opt_apply(out, options[i], err);
        if (ret < 0) {
            oci_mount_opts_free(out);
            return ret;
        }
    }
    return 0;
}

void oci_mount_opts_free(struct oci_mount_opts *o)
{
    free(o->data);
    o->data = NULL;
}

uint64_t oci_mount_flags_to_attr(unsigned long flags)
{
    uint64_t attr = 0;

    if (flags & MS_RDONLY)
        attr |= MOUNT_ATTR_RDONLY;
    if (flags & MS_NOSUID)
        attr |= MOUNT_ATTR_NOSUID;
    if (flags & MS_NODEV)
        attr |= MOUNT_ATTR_NODEV;
    if (flags & MS_NOEXEC)
        attr |= MOUNT_ATTR_NOEXEC;
    if (flags & MS_NODIRATIME)
        attr |= MOUNT_ATTR_NODIRATIME;
    if (flags & MS_NOSYMFOLLOW)
        attr |= MOUNT_ATTR_NOSYMFOLLOW;
    /* Same precedence as mount(2): strictatime beats noatime beats relatime. */
    if (flags & MS_STRICTATIME)
        attr |= MOUNT_ATTR_STRICTATIME;
    else if (flags & MS_NOATIME)
        attr |= MOUNT_ATTR_NOATIME;
    return attr;
}

uint64_t oci_mount_clear_to_attr(unsigned long set_flags, unsigned long clear)
{
    uint64_t attr = 0;

    if (clear & MS_RDONLY)
        attr |= MOUNT_ATTR_RDONLY;
    if (clear & MS_NOSUID)
        attr |= MOUNT_ATTR_NOSUID;
    if (clear & MS_NODEV)
        attr |= MOUNT_ATTR_NODEV;
    if (clear & MS_NOEXEC)
        attr |= MOUNT_ATTR_NOEXEC;
    if (clear & MS_NODIRATIME)
        attr |= MOUNT_ATTR_NODIRATIME;
    if (clear & MS_NOSYMFOLLOW)
        attr |= MOUNT_ATTR_NOSYMFOLLOW;
    if ((set_flags & ATIME_POLICY_FLAGS) || (clear & (MS_NOATIME | MS_STRICTATIME)))
        attr |= MOUNT_ATTR__ATIME;
    return attr;
}
