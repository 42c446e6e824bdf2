/* images.h: the image and work directories, and the init's stdio recorded at checkpoint (descriptors.json). */
#ifndef OCIRUN_CRIU_IMAGES_H
#define OCIRUN_CRIU_IMAGES_H

#include <stdbool.h>
#include <sys/types.h>
#include "ocirun/core/error.h"
#include "criu/rpc.h"

/* In the image directory, runc's name and form: ["pipe:[1234]", "/dev/null", "/dev/pts/0"]. */
#define CRIU_DESCRIPTORS "descriptors.json"

/* --image-path (made 0700 when CREATE, as runc) and --work-path (made when missing) opened
 * for CRIU; *LOG_DIR (malloc'ed, absolute) is where CRIU's log goes, for the messages. */
int criu_open_dirs(const struct oci_criu_opts *o, bool create, int *images_fd, int *work_fd, char **log_dir,
                   oci_err_t *err);

int criu_save_descriptors(int images_fd, pid_t pid, oci_err_t *err);
/* Our fds 0-2 in place of the image's pipes (inherit_fd keyed "pipe:[INODE]"); no
 * descriptors.json is an error naming IMAGE_PATH. */
int criu_inherit_stdio(struct criu_req *r, int images_fd, const char *image_path, oci_err_t *err);

#endif
