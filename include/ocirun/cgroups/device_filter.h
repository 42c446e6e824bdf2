/* device_filter.h: device rules enforced on cgroup v2 by an eBPF program. */
#ifndef OCIRUN_CGROUP_DEVICES_H
#define OCIRUN_CGROUP_DEVICES_H

#include <stddef.h>
#include <linux/bpf.h>
#include "ocirun/cgroups/resources.h"
#include "ocirun/core/error.h"

/* The program for RULES (in order; the last matching one decides, no match denies). */
int oci_cg_devices_program(const struct oci_cg_device_rule *rules, size_t n_rules, struct bpf_insn **out,
                           size_t *len);
/* Load it and attach it to the cgroup directory CGROUP_FD (BPF_F_ALLOW_MULTI). */
int oci_cg_devices_attach(int cgroup_fd, const struct oci_cg_device_rule *rules, size_t n_rules, oci_err_t *err);
/* update: attach the program for RULES, then detach the device programs attached to the
 * cgroup before it. While both are attached a device must pass both: the container never has
 * more than the old or the new rules allow. */
int oci_cg_devices_replace(int cgroup_fd, const struct oci_cg_device_rule *rules, size_t n_rules, oci_err_t *err);

#endif
