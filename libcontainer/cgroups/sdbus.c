/* sdbus.c: the systemd manager's D-Bus calls for the systemd cgroup driver. libsystemd is
 * opened with dlopen only when the driver is used: the binary neither links it nor needs it on
 * a host without systemd. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/core/alloc.h"
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "cgroups/sdbus.h"

#if defined(__has_include)
#if __has_include(<systemd/sd-bus.h>)
#define HAVE_SDBUS 1
#endif
#endif

#ifndef HAVE_SDBUS

bool sdbus_available(void)
{
    return false;
}

static int unavailable(const char *unit, oci_err_t *err)
{
    return oci_error_set(err, 0, "systemd unit %s: this ocirun was built without sd-bus (libsystemd-dev)", unit);
}

int sdbus_start_scope(const char *unit, const char *slice, pid_t pid, const struct oci_sd_props *props,
                      oci_err_t *err)
{
    (void) slice, (void) pid, (void) props;
    return unavailable(unit, err);
}

int sdbus_set_properties(const char *unit, const struct oci_sd_props *props, oci_err_t *err)
{
    (void) props;
    return unavailable(unit, err);
}

int sdbus_stop_unit(const char *unit, oci_err_t *err)
{
    return unavailable(unit, err);
}

#else
#include <unistd.h>
#include <systemd/sd-bus.h>

#define SYSTEMD_PRIVATE "/run/systemd/private"

bool sdbus_available(void)
{
    return true;
}

/* The functions used, taken from libsystemd.so.0 (their types from the header). */
#define SD_FUNCS(X) \
    X(sd_bus_open_system) X(sd_bus_flush_close_unref) X(sd_bus_message_new_method_call) \
    X(sd_bus_message_append) X(sd_bus_message_append_array) X(sd_bus_message_open_container) \
    X(sd_bus_message_close_container) X(sd_bus_call) X(sd_bus_call_method) X(sd_bus_message_read) \
    X(sd_bus_message_unref) X(sd_bus_error_free) X(sd_bus_error_has_name) X(sd_bus_match_signal) \
    X(sd_bus_process) X(sd_bus_wait) X(sd_bus_slot_unref) X(sd_bus_new) X(sd_bus_set_address) X(sd_bus_start)

static struct {
#define X(f) __typeof__(f) *f;
    SD_FUNCS(X)
#undef X
} sd;

static int load(oci_err_t *err)
{
    static void *lib;

    if (lib)
        return 0;
    lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL)
        return oci_error_set(err, 0, "--systemd-cgroup: cannot load libsystemd.so.0: %s", dlerror());
#define X(f) \
    if ((*(void **) &sd.f = dlsym(lib, #f)) == NULL) \
        return oci_error_set(err, 0, "--systemd-cgroup: libsystemd.so.0 has no %s", #f);
    SD_FUNCS(X)
#undef X
    return 0;
}

/* One connection to the system bus: its job results seen so far (JobRemoved). */
struct bus {
    sd_bus *bus;
    sd_bus_slot *slot;
    char *job;            /* the job waited for */
    char *result;         /* its result once removed */
};

static void bus_close(struct bus *b)
{
    if (b->slot)
        sd.sd_bus_slot_unref(b->slot);
    if (b->bus)
        sd.sd_bus_flush_close_unref(b->bus);
    free(b->job);
    free(b->result);
    memset(b, 0, sizeof(*b));
}

#define cleanup_bus __attribute__((cleanup(bus_close)))

static int sd_fail(oci_err_t *err, int r, const sd_bus_error *e, const char *what, const char *unit)
{
    if (e && e->message)
        return oci_error_set(err, 0, "systemd unit %s: %s: %s (%s)", unit, what, e->message, e->name);
    return oci_error_set(err, -r, "systemd unit %s: %s", unit, what);
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct bus *b = userdata;
    const char *path = NULL, *unit = NULL, *result = NULL;
    uint32_t id;

    (void) ret_error;
    if (sd.sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
        return 0;
    /* the job's path is known once the call returned; until then keep every result */
    if (b->job == NULL || strcmp(path, b->job) == 0) {
        if (b->job == NULL) {
            char *all = b->result;
            b->result = xasprintf("%s%s=%s\n", all ? all : "", path, result);
            free(all);
        } else {
            free(b->result);
            b->result = xstrdup(result);
        }
    }
    return 0;
}

/* The system bus; without one (no dbus-daemon), systemd's own socket as systemctl uses it
 * (root only). */
static int bus_connect(struct bus *b, const char *unit, oci_err_t *err)
{
    int r, r2;

    if (load(err) < 0)
        return -1;
    r = sd.sd_bus_open_system(&b->bus);
    if (r >= 0)
        return 0;
    b->bus = NULL;
    if (access(SYSTEMD_PRIVATE, F_OK) < 0)
        return oci_error_set(err, -r, "systemd unit %s: connect to the system bus", unit);
    if ((r2 = sd.sd_bus_new(&b->bus)) < 0 ||
        (r2 = sd.sd_bus_set_address(b->bus, "unix:path=" SYSTEMD_PRIVATE)) < 0 || (r2 = sd.sd_bus_start(b->bus)) < 0) {
        if (b->bus)
            sd.sd_bus_flush_close_unref(b->bus);
        b->bus = NULL;
        return oci_error_set(err, -r2, "systemd unit %s: connect to the system bus (%s) or to %s", unit,
                             strerror(-r), SYSTEMD_PRIVATE);
    }
    return 0;
}

static int bus_open(struct bus *b, const char *unit, oci_err_t *err)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r;

    if (bus_connect(b, unit, err) < 0)
        return -1;
    r = sd.sd_bus_match_signal(b->bus, &b->slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, b);
    if (r < 0)
        return oci_error_set(err, -r, "systemd unit %s: watch JobRemoved", unit);
    /* the manager sends its signals only to subscribed clients */
    r = sd.sd_bus_call_method(b->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                              "org.freedesktop.systemd1.Manager", "Subscribe", &e, NULL, "");
    if (r < 0) {
        sd_fail(err, r, &e, "Subscribe", unit);
        sd.sd_bus_error_free(&e);
        return -1;
    }
    return 0;
}

/* The job JOB's result, JobRemoved awaited until DEADLINE. */
static int wait_job(struct bus *b, const char *job, const char *unit, uint64_t deadline, oci_err_t *err)
{
    cleanup_free char *seen = b->result;
    cleanup_free char *key = xasprintf("%s=", job);
    char *hit;

    b->result = NULL;
    b->job = xstrdup(job);
    /* a signal that came before the call's answer */
    if (seen && (hit = strstr(seen, key)) != NULL) {
        char *nl = strchr(hit, '\n');
        b->result = xstrndup(hit + strlen(key), nl ? (size_t) (nl - hit - strlen(key)) : strlen(hit + strlen(key)));
    }
    while (b->result == NULL) {
        int r = sd.sd_bus_process(b->bus, NULL);
        int left;
        if (r < 0)
            return oci_error_set(err, -r, "systemd unit %s: wait for job %s", unit, job);
        if (r > 0)
            continue;
        left = deadline_ms_left(deadline);
        if (left == 0)
            return oci_error_set(err, 0, "systemd unit %s: job %s not done after %d ms", unit, job,
                                 OCI_SYSTEMD_WAIT_MS);
        r = sd.sd_bus_wait(b->bus, (uint64_t) left * 1000);
        if (r < 0)
            return oci_error_set(err, -r, "systemd unit %s: wait for job %s", unit, job);
    }
    return 0;
}

static int append_prop(sd_bus_message *m, const struct oci_sd_prop *p)
{
    char sig[3] = { p->type, 0, 0 };
    int r;

    if ((r = sd.sd_bus_message_open_container(m, 'r', "sv")) < 0 ||
        (r = sd.sd_bus_message_append(m, "s", p->name)) < 0)
        return r;
    if (p->type == 'D') {
        if ((r = sd.sd_bus_message_open_container(m, 'v', "a(ss)")) < 0 ||
            (r = sd.sd_bus_message_open_container(m, 'a', "(ss)")) < 0)
            return r;
        for (size_t i = 0; i < p->n_pairs; i++)
            if ((r = sd.sd_bus_message_append(m, "(ss)", p->pairs[2 * i], p->pairs[2 * i + 1])) < 0)
                return r;
        if ((r = sd.sd_bus_message_close_container(m)) < 0)
            return r;
    } else if (p->type == 'y') {
        if ((r = sd.sd_bus_message_open_container(m, 'v', "ay")) < 0 ||
            (r = sd.sd_bus_message_append_array(m, 'y', p->bytes, p->n_bytes)) < 0)
            return r;
    } else {
        if ((r = sd.sd_bus_message_open_container(m, 'v', sig)) < 0)
            return r;
        switch (p->type) {
        case 's': r = sd.sd_bus_message_append(m, "s", p->str); break;
        case 'b': r = sd.sd_bus_message_append(m, "b", (int) p->num); break;
        case 'u': r = sd.sd_bus_message_append(m, "u", (uint32_t) p->num); break;
        case 'i': r = sd.sd_bus_message_append(m, "i", (int32_t) p->num); break;
        case 'x': r = sd.sd_bus_message_append(m, "x", (int64_t) p->num); break;
        default: r = sd.sd_bus_message_append(m, "t", p->num); break;
        }
        if (r < 0)
            return r;
    }
    if ((r = sd.sd_bus_message_close_container(m)) < 0)
        return r;
    return sd.sd_bus_message_close_container(m);
}

static int append_props(sd_bus_message *m, const struct oci_sd_props *props)
{
    int r;

    for (size_t i = 0; props && i < props->len; i++)
        if ((r = append_prop(m, &props->v[i])) < 0)
            return r;
    return 0;
}

static int append_scope_props(sd_bus_message *m, const char *slice, pid_t pid)
{
    static const char *const accounting[] = { "MemoryAccounting", "CPUAccounting", "IOAccounting",
                                              "TasksAccounting", "Delegate" };
    uint32_t p = (uint32_t) pid;
    int r;

    if ((r = sd.sd_bus_message_append(m, "(sv)", "Description", "s", "ocirun container")) < 0 ||
        (r = sd.sd_bus_message_append(m, "(sv)", "Slice", "s", slice)) < 0 ||
        (r = sd.sd_bus_message_append(m, "(sv)", "DefaultDependencies", "b", 0)) < 0 ||
        /* a scope that failed is collected too: nothing is left in systemd */
        (r = sd.sd_bus_message_append(m, "(sv)", "CollectMode", "s", "inactive-or-failed")) < 0)
        return r;
    for (size_t i = 0; i < ARRAY_SIZE(accounting); i++)
        if ((r = sd.sd_bus_message_append(m, "(sv)", accounting[i], "b", 1)) < 0)
            return r;
    if ((r = sd.sd_bus_message_open_container(m, 'r', "sv")) < 0 ||
        (r = sd.sd_bus_message_append(m, "s", "PIDs")) < 0 ||
        (r = sd.sd_bus_message_open_container(m, 'v', "au")) < 0 ||
        (r = sd.sd_bus_message_append_array(m, 'u', &p, sizeof(p))) < 0 ||
        (r = sd.sd_bus_message_close_container(m)) < 0)
        return r;
    return sd.sd_bus_message_close_container(m);
}

static int new_call(struct bus *b, const char *method, sd_bus_message **m)
{
    return sd.sd_bus_message_new_method_call(b->bus, m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                             "org.freedesktop.systemd1.Manager", method);
}

/* Send M, the job path of the answer in *JOB (a copy). */
static int call_job(struct bus *b, sd_bus_message *m, const char *unit, const char *what, char **job,
                    oci_err_t *err)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    const char *path = NULL;
    int r = sd.sd_bus_call(b->bus, m, (uint64_t) OCI_SYSTEMD_WAIT_MS * 1000, &e, &reply);

    sd.sd_bus_message_unref(m);
    if (r < 0) {
        sd_fail(err, r, &e, what, unit);
        r = sd.sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit") ? -ENOENT : -1;
        sd.sd_bus_error_free(&e);
        return r;
    }
    r = sd.sd_bus_message_read(reply, "o", &path);
    if (r >= 0)
        *job = xstrdup(path);
    sd.sd_bus_message_unref(reply);
    if (r < 0)
        return sd_fail(err, r, NULL, what, unit);
    return 0;
}

static int stop_on(struct bus *b, const char *unit, uint64_t deadline, oci_err_t *err)
{
    cleanup_free char *job = NULL;
    sd_bus_message *m = NULL;
    int r = new_call(b, "StopUnit", &m);

    if (r < 0 || (r = sd.sd_bus_message_append(m, "ss", unit, "replace")) < 0) {
        sd.sd_bus_message_unref(m);
        return sd_fail(err, r, NULL, "StopUnit", unit);
    }
    r = call_job(b, m, unit, "StopUnit", &job, err);
    if (r == -ENOENT) {
        oci_error_free(err);
        return 0;   /* gone already (collected) */
    }
    if (r < 0 || wait_job(b, job, unit, deadline, err) < 0)
        return -1;
    sd.sd_bus_call_method(b->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                          "org.freedesktop.systemd1.Manager", "ResetFailedUnit", NULL, NULL, "s", unit);
    return 0;
}

int sdbus_start_scope(const char *unit, const char *slice, pid_t pid, const struct oci_sd_props *props,
                      oci_err_t *err)
{
    cleanup_bus struct bus b = { 0 };
    cleanup_free char *job = NULL;
    uint64_t deadline = deadline_after_ms(OCI_SYSTEMD_WAIT_MS);
    sd_bus_message *m = NULL;
    int r;

    if (bus_open(&b, unit, err) < 0)
        return -1;
    r = new_call(&b, "StartTransientUnit", &m);
    if (r < 0 || (r = sd.sd_bus_message_append(m, "ss", unit, "fail")) < 0 ||
        (r = sd.sd_bus_message_open_container(m, 'a', "(sv)")) < 0 || (r = append_scope_props(m, slice, pid)) < 0 ||
        (r = append_props(m, props)) < 0 || (r = sd.sd_bus_message_close_container(m)) < 0 ||
        (r = sd.sd_bus_message_append(m, "a(sa(sv))", 0)) < 0) {
        sd.sd_bus_message_unref(m);
        return sd_fail(err, r, NULL, "StartTransientUnit message", unit);
    }
    if (call_job(&b, m, unit, "StartTransientUnit", &job, err) < 0)
        return -1;
    if (wait_job(&b, job, unit, deadline, err) < 0)
        return -1;
    if (strcmp(b.result, "done") != 0) {
        oci_error_set(err, 0, "systemd unit %s: start job %s (see journalctl -u %s)", unit, b.result, unit);
        stop_on(&b, unit, deadline_after_ms(OCI_SYSTEMD_WAIT_MS), NULL);
        return -1;
    }
    return 0;
}

int sdbus_set_properties(const char *unit, const struct oci_sd_props *props, oci_err_t *err)
{
    cleanup_bus struct bus b = { 0 };
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *m = NULL, *reply = NULL;
    int r;

    if (props->len == 0)
        return 0;
    if (bus_connect(&b, unit, err) < 0)
        return -1;
    r = new_call(&b, "SetUnitProperties", &m);
    if (r < 0 || (r = sd.sd_bus_message_append(m, "sb", unit, 1)) < 0 ||
        (r = sd.sd_bus_message_open_container(m, 'a', "(sv)")) < 0 || (r = append_props(m, props)) < 0 ||
        (r = sd.sd_bus_message_close_container(m)) < 0) {
        sd.sd_bus_message_unref(m);
        return sd_fail(err, r, NULL, "SetUnitProperties message", unit);
    }
    r = sd.sd_bus_call(b.bus, m, (uint64_t) OCI_SYSTEMD_WAIT_MS * 1000, &e, &reply);
    sd.sd_bus_message_unref(m);
    sd.sd_bus_message_unref(reply);
    if (r < 0) {
        sd_fail(err, r, &e, "SetUnitProperties", unit);
        sd.sd_bus_error_free(&e);
        return -1;
    }
    return 0;
}

int sdbus_stop_unit(const char *unit, oci_err_t *err)
{
    cleanup_bus struct bus b = { 0 };

    if (bus_open(&b, unit, err) < 0)
        return -1;
    return stop_on(&b, unit, deadline_after_ms(OCI_SYSTEMD_WAIT_MS), err);
}
#endif
