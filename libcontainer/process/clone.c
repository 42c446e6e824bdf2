/* clone.c: clone3 running a function in a child that borrows our memory until it execs. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "ocirun/process/clone.h"

/* Enough for the exec setup path (its deepest frames hold a few PATH_MAX buffers); pages are
 * only faulted in as they are touched. */
#define STACK_SIZE (256 * 1024)

/* Under AddressSanitizer the child never shares our memory: ASan's shadow memory and its idea of
 * the stack would be the parent's (it warns, and must log, from inside the container). */
#if defined(__SANITIZE_ADDRESS__)
#define OCI_CLONE_NO_SHARE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OCI_CLONE_NO_SHARE 1
#endif
#endif

#if defined(__x86_64__) && !defined(OCI_CLONE_NO_SHARE)
bool oci_clone_shares_memory(void)
{
    return true;
}

/* The child wakes up on its own stack, where no frame of ours exists to return to: it calls
 * FN straight from here and exits with its result. */
static long clone3_call(struct clone_args *args, int (*fn)(void *), void *arg)
{
    register long rax __asm__("rax") = SYS_clone3;
    register long rdi __asm__("rdi") = (long) args;
    register long rsi __asm__("rsi") = (long) sizeof(*args);
    register long r12 __asm__("r12") = (long) fn;
    register long r13 __asm__("r13") = (long) arg;

    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "mov %%r13, %%rdi\n\t"
                     "call *%%r12\n\t"
                     "mov %%eax, %%edi\n\t"
                     "mov %[exit_group], %%eax\n\t"
                     "syscall\n\t"
                     "hlt\n"
                     "1:\n\t"
                     : "+r"(rax)
                     : "r"(rdi), "r"(rsi), "r"(r12), "r"(r13), [exit_group] "i"(SYS_exit_group)
                     : "rcx", "r11", "memory", "cc");
    return rax;
}

static int alloc_stack(struct oci_clone_stack *s)
{
    size_t page = (size_t) sysconf(_SC_PAGESIZE);
    char *p;

    if (s->base)
        return 0;
    p = mmap(NULL, STACK_SIZE + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE,
             -1, 0);
    if (p == MAP_FAILED)
        return -1;
    /* An overflow faults instead of writing into whatever lies below. */
    if (mprotect(p, page, PROT_NONE) < 0) {
        int saved = errno;
        munmap(p, STACK_SIZE + page);
        errno = saved;
        return -1;
    }
    s->base = p;
    s->size = STACK_SIZE + page;
    return 0;
}
#else
bool oci_clone_shares_memory(void)
{
    return false;
}
#endif

pid_t oci_clone_run(struct clone_args *args, bool share, struct oci_clone_stack *stack, int (*fn)(void *), void *arg)
{
    pid_t pid;

#if defined(__x86_64__) && !defined(OCI_CLONE_NO_SHARE)
    if (share) {
        struct clone_args a = *args;
        long ret;

        if (alloc_stack(stack) < 0)
            return -1;
        a.flags |= CLONE_VM | CLONE_VFORK;
        a.stack = (uint64_t) (uintptr_t) stack->base;
        a.stack_size = stack->size;
        ret = clone3_call(&a, fn, arg);
        if (ret < 0) {
            errno = (int) -ret;
            return -1;
        }
        return (pid_t) ret;
    }
#else
    (void) share;
    (void) stack;
#endif
    pid = (pid_t) syscall(SYS_clone3, args, sizeof(*args));
    if (pid == 0)
        _exit(fn(arg));
    return pid;
}

void oci_clone_stack_release(struct oci_clone_stack *stack)
{
    if (stack->base)
        munmap(stack->base, stack->size);
    stack->base = NULL;
    stack->size = 0;
}
