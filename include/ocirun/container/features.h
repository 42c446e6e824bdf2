/* features.h: the runtime-spec features document (`ocirun features`). */
#ifndef OCIRUN_FEATURES_H
#define OCIRUN_FEATURES_H

/* What this build recognises, as pretty JSON (malloc'd). Decided at build time, as features.md
 * asks, not by probing the host. */
char *oci_features_json(void);

/* "2.5.4": the libseccomp this build runs with (`--version`, the features annotations); NULL
 * when built without seccomp. */
const char *oci_libseccomp_version(void);

#endif
