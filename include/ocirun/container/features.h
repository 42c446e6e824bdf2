/* features.h: the runtime-spec features document (`ocirun features`). */
#ifndef OCIRUN_FEATURES_H
#define OCIRUN_FEATURES_H

/* What this build recognises, as pretty JSON (malloc'd). Decided at build time, as features.md
 * asks, not by probing the host. */
char *oci_features_json(void);

#endif
