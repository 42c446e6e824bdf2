/* clone.h: clone3 running a function in a child that borrows our memory until it execs. */
#ifndef OCIRUN_CLONE_H
#define OCIRUN_CLONE_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/sched.h>

/* The child's stack (a guard page below it), reusable for one child at a time. */
struct oci_clone_stack {
    void *base;
    size_t size;
};

/* Whether clone3 with CLONE_VM|CLONE_VFORK is available here (x86_64); elsewhere the child is
 * a copy as with fork(), which behaves the same and costs the copy of our page tables. */
bool oci_clone_shares_memory(void);

/* clone3 with ARGS (flags, cgroup, exit_signal); the child runs FN(ARG) and exits with its
 * return value. With SHARE (and oci_clone_shares_memory()) the child runs on STACK in our
 * memory and we sleep until it execs or exits (CLONE_VM|CLONE_VFORK): it must not return
 * into our frames, call exit() or change state we use afterwards, and must not join a time
 * namespace (which needs an mm of its own). Returns the child's pid, or -1 with errno. */
pid_t oci_clone_run(struct clone_args *args, bool share, struct oci_clone_stack *stack, int (*fn)(void *),
                    void *arg);

/* Unmaps a stack oci_clone_run allocated. */
void oci_clone_stack_release(struct oci_clone_stack *stack);

#endif
