#!/usr/bin/env bash
# capture-engine.sh: turn the config.json podman sent for `podman run busybox true` into bench's `engine` fixture.
# Usage: bench/capture-engine.sh [CONFIGS_DIR] [OUT]
#   CONFIGS_DIR  the configs the engine suite's runtime wrapper kept (default
#                build/tests/engines/podman/configs; when it is missing, tests/engines/podman.sh
#                runs first, with build/ocirun)
#   OUT          default bench/fixtures/engine-podman.json
# Only the host-specific values become placeholders that bench/run.sh fills in per runtime:
#   root.path -> @ROOT@, linux.cgroupsPath -> @CGROUP@, process.args -> "@ARGS@", and the
#   sources of podman's own bind mounts (/etc/hosts, /etc/resolv.conf, /dev/shm, ...) ->
#   @FILES@/NAME. Everything else (namespaces, masked and readonly paths, capabilities, env,
#   rlimits, the default seccomp profile, devices, annotations) stays as podman sent it.
set -euo pipefail
cd "$(dirname "$0")/.."

configs=${1:-build/tests/engines/podman/configs}
out=${2:-bench/fixtures/engine-podman.json}
if [ ! -d "$configs" ]; then
    echo "capture-engine: $configs missing: running tests/engines/podman.sh first" >&2
    tests/engines/podman.sh > build/capture-podman.tap || true
fi
[ -d "$configs" ] || { echo "capture-engine: $configs: no such directory (did the podman suite run?)" >&2; exit 1; }

found=
for f in "$configs"/*.json; do
    [ -e "$f" ] || continue
    if jq -e '.process.args == ["true"]' "$f" >/dev/null 2>&1; then
        found=$f
        break
    fi
done
[ -n "$found" ] || { echo "capture-engine: no config in $configs runs [\"true\"] (podman's \`run true\` check)" >&2; exit 1; }

version=$(podman --version 2>/dev/null | awk '{print $NF}')
# Bind mounts whose source is not a host path every machine has (podman's per-container
# files under its storage) point into @FILES@; /dev/shm's source is a directory, the rest files.
jq --arg from "$found" --arg version "${version:-unknown}" '
    .root.path = "@ROOT@"
    | .linux.cgroupsPath = "@CGROUP@"
    | .process.args = "@ARGS@"
    | .mounts |= map(
        if (.type == "bind" or ((.options // []) | index(["bind"]) != null) or ((.options // []) | index(["rbind"]) != null))
           and (.source | test("^/(proc|sys|dev)(/|$)") | not)
        then .source = "@FILES@/" + (.destination | ltrimstr("/") | gsub("/"; "_"))
        else . end)
    | .annotations = ((.annotations // {}) + {"org.ocirun.bench.fixture": ("podman " + $version + " run busybox true")})
' "$found" > "$out.tmp"
mv "$out.tmp" "$out"
echo "capture-engine: $found -> $out ($(jq '.mounts | length' "$out") mounts," \
    "$(jq '[.linux.seccomp.syscalls[]?] | length' "$out") seccomp rules," \
    "$(jq '[.linux.seccomp.syscalls[]?.names[]] | length' "$out") syscall names," \
    "$(jq '.linux.maskedPaths | length' "$out") masked, $(jq '.linux.readonlyPaths | length' "$out") readonly paths," \
    "$(jq '.process.env | length' "$out") env vars)" >&2
