/* images.c: --image-path and --work-path opened; the init's stdio recorded (descriptors.json) and handed back. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <yajl/yajl_tree.h>
#include "ocirun/core/utils.h"
#include "core/json_gen.h"
#include "criu/describe.h"
#include "criu/images.h"

/* --image-path (made 0700, as runc) and --work-path: opened for CRIU; *LOG_DIR is where its
 * log goes (absolute, for the messages). */
int criu_open_dirs(const struct oci_criu_opts *o, bool create, int *images_fd, int *work_fd, char **log_dir,
                   oci_err_t *err)
{
    const char *log_path = o->work_path ? o->work_path : o->image_path;

    if (create && mkdir_p(o->image_path, 0700, err) < 0)
        return oci_error_wrap(err, "--image-path \"%s\"", o->image_path);
    *images_fd = open(o->image_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*images_fd < 0)
        return oci_error_sys(err, "--image-path \"%s\"", o->image_path);
    if (o->work_path) {
        if (mkdir(o->work_path, 0700) < 0 && errno != EEXIST)
            return oci_error_sys(err, "--work-path \"%s\": mkdir", o->work_path);
        *work_fd = open(o->work_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (*work_fd < 0)
            return oci_error_sys(err, "--work-path \"%s\"", o->work_path);
    }
    *log_dir = realpath(log_path, NULL);
    if (*log_dir == NULL)
        *log_dir = xstrdup(log_path);
    return 0;
}

/* What fds 0-2 of PID are ("pipe:[123]", "/dev/pts/0", ...), as runc records them: the
 * restore gives the caller's own pipes in place of the image's. */
int criu_save_descriptors(int images_fd, pid_t pid, oci_err_t *err)
{
    yajl_gen g = oci_json_gen_new(NULL);
    cleanup_free char *text = NULL;
    size_t len;

    yajl_gen_array_open(g);
    for (int fd = 0; fd < 3; fd++) {
        char link[64], target[PATH_MAX];
        ssize_t n;

        snprintf(link, sizeof(link), "/proc/%d/fd/%d", pid, fd);
        n = readlink(link, target, sizeof(target) - 1);
        if (n < 0) {
            target[0] = '\0';
            if (errno != ENOENT) {
                int e = errno;
                oci_json_gen_finish(g, NULL);
                return oci_error_set(err, e, "readlink %s", link);
            }
            n = 0;
        }
        target[n] = '\0';
        oci_json_gen_str(g, n ? target : "/dev/null");
    }
    yajl_gen_array_close(g);
    text = oci_json_gen_finish(g, &len);
    if (write_file_at(images_fd, CRIU_DESCRIPTORS, text, len, 0600, err) < 0)
        return oci_error_wrap(err, "write %s into the image", CRIU_DESCRIPTORS);
    return 0;
}

/* restore: each of the image's stdio pipes is replaced by ours (fd 0, 1, 2, which criu gets). */
int criu_inherit_stdio(struct criu_req *r, int images_fd, const char *image_path, oci_err_t *err)
{
    cleanup_free char *text = NULL;
    char ebuf[128];
    yajl_val tree;

    if (read_file_at(images_fd, CRIU_DESCRIPTORS, &text, NULL, err) < 0)
        return oci_error_wrap(err, "--image-path \"%s\" holds no checkpoint of a container", image_path);
    tree = yajl_tree_parse(text, ebuf, sizeof(ebuf));
    if (tree == NULL || !YAJL_IS_ARRAY(tree)) {
        yajl_tree_free(tree);
        return oci_error_set_code(err, EINVAL, "--image-path \"%s\": %s is not a JSON array", image_path,
                             CRIU_DESCRIPTORS);
    }
    for (size_t i = 0; i < tree->u.array.len && i < 3; i++) {
        const char *s = YAJL_GET_STRING(tree->u.array.values[i]);
        if (s && strncmp(s, "pipe:", 5) == 0)
            criu_req_add_inherit(r, s, (int) i);
    }
    yajl_tree_free(tree);
    return 0;
}
