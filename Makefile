# Makefile: builds ocirun (build/ocirun, build/libocirun.a), its tests, man pages and benchmarks.
#
# Works right after clone; `./configure` (optional) writes config.mk with the same knobs:
#   PREFIX=/usr/local DESTDIR=  WITH_SELINUX=yes|no  WITH_SECCOMP=yes|no  WITH_CRIU=yes|no  STATIC_LIBS=yes|no
#   SANITIZE=<cc flags>  CRIU_PROTO=/usr/include/criu/rpc.proto
#   SBINDIR MANDIR BASHCOMPDIR (default $(PREFIX)/share/bash-completion/completions)
# `make install` strips the installed binary (STRIP=strip; INSTALL_STRIP= installs it unstripped).

-include config.mk

SHELL := /bin/bash

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
WITH_SELINUX ?= yes
WITH_SECCOMP ?= yes
SANITIZE ?=
PKG_CONFIG ?= pkg-config
GO_MD2MAN ?= go-md2man
INSTALL ?= install
STRIP ?= strip
# Installed binaries are stripped as distributions ship them (crun's too): the debug info of
# build/ocirun is most of its size and is never loaded.
INSTALL_STRIP ?= -s --strip-program=$(STRIP)
UNIT_TIMEOUT ?= 300

B := build
OBJ := $(B)/obj
ASAN := $(B)/asan

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
# Only ask git when this directory is the checkout itself (not a tarball inside another repo).
COMMIT := $(shell test -e .git && git rev-parse --short=12 HEAD 2>/dev/null)

# ---- libraries -----------------------------------------------------------------------------

PKGS := yajl
FEATURE_DEFS :=

# libseccomp is loaded with dlopen when a profile must be compiled (security/libseccomp.c): a
# config without seccomp, a profile in the compiled-program cache and every other command never
# load it. Its headers are needed to build; LIBSECCOMP_PATH (default: the libseccomp.so.2 the
# compiler finds) is the file dlopen tries first and whose identity keys the cache.
ifeq ($(WITH_SECCOMP),no)
FEATURE_DEFS += -DOCIRUN_NO_SECCOMP
else
PKGS += libseccomp
LIBSECCOMP_PATH ?= $(abspath $(filter /%,$(shell $(CC) -print-file-name=libseccomp.so.2)))
FEATURE_DEFS += -DLIBSECCOMP_PATH='"$(LIBSECCOMP_PATH)"'
endif

# checkpoint/restore talk to CRIU over its RPC (criu swrk): C code generated at build time from
# the rpc.proto of Debian's criu package (protoc-c), linked with libprotobuf-c. Default: yes
# when protoc-c, libprotobuf-c and the proto are there (`make deps` installs them); with no,
# checkpoint and restore say that this build has no CRIU support.
PROTOC_C ?= protoc-c
CRIU_PROTO ?= /usr/include/criu/rpc.proto
WITH_CRIU ?= $(shell command -v $(PROTOC_C) >/dev/null 2>&1 && $(PKG_CONFIG) --exists libprotobuf-c 2>/dev/null && \
                     test -r $(CRIU_PROTO) && echo yes || echo no)
CRIU_GEN := $(B)/gen/criu
CRIU_GEN_OBJS :=
ifeq ($(WITH_CRIU),yes)
FEATURE_DEFS += -DHAVE_CRIU -I$(CRIU_GEN)
PKGS += libprotobuf-c
CRIU_GEN_OBJS := $(OBJ)/gen/criu/rpc.pb-c.o
endif

# SELinux needs no library (selinuxfs and xattrs are used directly); "auto" is kept for old
# config.mk files.
ifneq ($(WITH_SELINUX),no)
FEATURE_DEFS += -DHAVE_SELINUX
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(filter-out -lseccomp,$(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null))
# The unit tests call libseccomp themselves, to check the programs we make.
TEST_LIBS := $(if $(filter libseccomp,$(PKGS)),-lseccomp)
# yajl and libprotobuf-c are linked from their static archives when those exist
# (STATIC_LIBS=no to link them dynamically): resolving shared libraries costs every
# ocirun command ~0.5 ms of CPU, and the stripped binary stays smaller than crun's.
STATIC_LIBS ?= yes
ifeq ($(STATIC_LIBS),yes)
static_archive = $(filter /%,$(shell $(CC) -print-file-name=$(1)))
PKG_LIBS := $(foreach l,$(PKG_LIBS),$(or $(if $(filter -lyajl,$(l)),$(call static_archive,libyajl_s.a)),$(if $(filter -lprotobuf-c,$(l)),$(call static_archive,lib$(l:-l%=%).a)),$(l)))
endif
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

# ---- flags ---------------------------------------------------------------------------------

CFLAGS ?= -O2 -g
# One section per function and object, so that the link drops what no command calls (~12 KiB).
OCI_CFLAGS := -std=gnu11 $(CFLAGS) -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -Ilibcontainer -I$(B)/include \
              -ffunction-sections -fdata-sections $(FEATURE_DEFS) $(PKG_CFLAGS)
DEP_FLAGS = -MMD -MP
# Libraries the code does not use yet are not loaded at run time (start-up cost). Symbols are
# bound once at start (-z now, with full RELRO): lazily, the setup process resolved again every
# libc function its parent had not called yet (measured: ~3% less CPU per `run`).
LINK_FLAGS := -Wl,--as-needed -Wl,-z,now -Wl,-z,relro -Wl,--gc-sections
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
# C needs no unwind tables (no exceptions, no backtrace()); gdb and perf read the .debug_frame
# that -g writes instead. Dropped from the binary they save ~45 KiB, stripped, and as much
# mapped memory. A sanitizer build keeps them for its reports.
NO_UNWIND := $(if $(SANITIZE),,-fno-asynchronous-unwind-tables -fno-unwind-tables)

# ---- sources -------------------------------------------------------------------------------

LIB_SRCS := $(wildcard libcontainer/*/*.c)
CLI_SRCS := $(wildcard src/*.c)
TEST_SRCS := $(wildcard tests/unit/test_*.c)
MAN_SRCS := $(wildcard man/*.8.md)

LIB_OBJS := $(LIB_SRCS:%.c=$(OBJ)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(OBJ)/%.o)
TEST_BINS := $(TEST_SRCS:%.c=$(B)/%)
ASAN_LIB_OBJS := $(LIB_SRCS:%.c=$(ASAN)/obj/%.o) $(CRIU_GEN_OBJS:$(OBJ)/%=$(ASAN)/obj/%)
ASAN_TEST_BINS := $(TEST_SRCS:%.c=$(ASAN)/%)
MAN_PAGES := $(MAN_SRCS:man/%.md=$(B)/man/%)

HAVE_MD2MAN := $(shell command -v $(GO_MD2MAN) >/dev/null 2>&1 && echo yes)

# ---- build ---------------------------------------------------------------------------------

.PHONY: all man install uninstall clean deps demo check check-layers check-unit check-unit-asan check-bats \
        check-vm check-vm-systemd check-engines check-cri check-summary bench FORCE \
        fuzz fuzz-build check-fuzz check-fault check-fault-full soak check-asan-bats
.DEFAULT_GOAL := all

all: $(B)/ocirun $(if $(HAVE_MD2MAN),man)

# Version and commit live in a generated header rewritten only when they change: after a
# commit only the files that print them (main.c, features.c) are rebuilt.
VERSION_H := $(B)/include/ocirun-version.h
VERSION_TEXT := \#define OCIRUN_VERSION "$(VERSION)"\n\#define OCIRUN_COMMIT "$(COMMIT)"\n
$(VERSION_H): FORCE
	@mkdir -p $(@D)
	@printf '$(VERSION_TEXT)' | cmp -s - $@ || printf '$(VERSION_TEXT)' > $@

# Objects depend on a stamp that changes only when the flags (toggles, compiler) do, so
# `make` after a WITH_* change rebuilds what it must and nothing otherwise.
$(B)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(OCI_CFLAGS) $(SANITIZE) $(NO_UNWIND) cold: -Os' | cmp -s - $@ || echo '$(CC) $(OCI_CFLAGS) $(SANITIZE) $(NO_UNWIND) cold: -Os' > $@

$(ASAN)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(OCI_CFLAGS) $(ASAN_FLAGS)' | cmp -s - $@ || echo '$(CC) $(OCI_CFLAGS) $(ASAN_FLAGS)' > $@

# Code no container start or exec runs (checkpoint/restore, check, features, events and stats,
# the systemd driver's D-Bus talk, the spec writer, the commands' option parsing) is built for
# size: the binary stays smaller than crun's, and the hot path keeps -O2.
COLD_SRCS := $(wildcard libcontainer/criu/*.c) libcontainer/container/check.c libcontainer/container/checkpoint.c \
             libcontainer/container/restore.c libcontainer/container/features.c libcontainer/container/events.c \
             libcontainer/cgroups/stats.c libcontainer/cgroups/systemd.c libcontainer/cgroups/sdbus.c \
             libcontainer/spec/default.c $(wildcard src/*.c)
$(COLD_SRCS:%.c=$(OBJ)/%.o): COLD_FLAGS := -Os

$(OBJ)/%.o: %.c $(B)/.flags | $(VERSION_H)
	@mkdir -p $(@D)
	$(CC) $(OCI_CFLAGS) $(COLD_FLAGS) $(SANITIZE) $(NO_UNWIND) $(DEP_FLAGS) -c $< -o $@

$(ASAN)/obj/%.o: %.c $(ASAN)/.flags | $(VERSION_H)
	@mkdir -p $(@D)
	$(CC) $(OCI_CFLAGS) $(ASAN_FLAGS) $(CMOCKA_CFLAGS) $(DEP_FLAGS) -c $< -o $@

$(OBJ)/tests/%.o: tests/%.c $(B)/.flags | $(VERSION_H)
	@mkdir -p $(@D)
	$(CC) $(OCI_CFLAGS) $(SANITIZE) $(CMOCKA_CFLAGS) $(DEP_FLAGS) -c $< -o $@

# The CRIU RPC messages: generated into build/ (never committed), compiled without our -Werror
# (protoc-c's output is not ours to fix); criu/rpc.c includes the header.
$(CRIU_GEN)/rpc.pb-c.c $(CRIU_GEN)/rpc.pb-c.h: $(CRIU_PROTO)
	@mkdir -p $(CRIU_GEN)
	$(PROTOC_C) --c_out=$(CRIU_GEN) --proto_path=$(dir $(CRIU_PROTO)) $(notdir $(CRIU_PROTO))

$(OBJ)/gen/criu/rpc.pb-c.o: $(CRIU_GEN)/rpc.pb-c.c $(B)/.flags
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(CFLAGS) -Os -ffunction-sections -fdata-sections $(SANITIZE) $(NO_UNWIND) $(PKG_CFLAGS) -c $< -o $@

$(ASAN)/obj/gen/criu/rpc.pb-c.o: $(CRIU_GEN)/rpc.pb-c.c $(ASAN)/.flags
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(CFLAGS) $(ASAN_FLAGS) $(PKG_CFLAGS) -c $< -o $@

ifeq ($(WITH_CRIU),yes)
$(OBJ)/libcontainer/criu/rpc.o $(ASAN)/obj/libcontainer/criu/rpc.o: $(CRIU_GEN)/rpc.pb-c.h
endif

$(B)/libocirun.a: $(LIB_OBJS) $(CRIU_GEN_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(ASAN)/libocirun.a: $(ASAN_LIB_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/ocirun: $(CLI_OBJS) $(B)/libocirun.a
	$(CC) $(SANITIZE) $(LINK_FLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(B)/libocirun.a $(PKG_LIBS)

$(B)/tests/unit/%: $(OBJ)/tests/unit/%.o $(B)/libocirun.a
	@mkdir -p $(@D)
	$(CC) $(SANITIZE) $(LINK_FLAGS) $(LDFLAGS) -o $@ $< $(B)/libocirun.a $(CMOCKA_LIBS) $(PKG_LIBS) $(TEST_LIBS)

$(ASAN)/tests/unit/%: $(ASAN)/obj/tests/unit/%.o $(ASAN)/libocirun.a
	@mkdir -p $(@D)
	$(CC) $(ASAN_FLAGS) $(LINK_FLAGS) $(LDFLAGS) -o $@ $< $(ASAN)/libocirun.a $(CMOCKA_LIBS) $(PKG_LIBS) $(TEST_LIBS)

# Test programs the bats suites run; those copied into busybox rootfses are static (no libc there).
STATIC_HELPERS := $(B)/tests/helpers/syscall-probe $(B)/tests/helpers/alloc $(B)/tests/helpers/keyring \
                  $(B)/tests/helpers/sdnotify $(B)/tests/helpers/pause
HELPER_BINS := $(B)/tests/helpers/syscall-probe $(B)/tests/helpers/seccomp-agent $(B)/tests/helpers/recvtty \
               $(B)/tests/helpers/keyring $(B)/tests/helpers/sdnotify
VM_HELPER_BINS := $(B)/tests/helpers/alloc

$(STATIC_HELPERS): $(B)/tests/helpers/%: tests/helpers/%.c $(B)/.flags
	@mkdir -p $(@D)
	$(CC) $(OCI_CFLAGS) -static -o $@ $<

$(B)/tests/helpers/%: tests/helpers/%.c $(B)/.flags
	@mkdir -p $(@D)
	$(CC) $(OCI_CFLAGS) -o $@ $<

$(B)/bench-timer: bench/timer.c $(B)/.flags
	@mkdir -p $(@D)
	$(CC) $(OCI_CFLAGS) $(DEP_FLAGS) -o $@ $<

$(B)/bench-floor: bench/floor.c $(B)/.flags
	@mkdir -p $(@D)
	$(CC) $(OCI_CFLAGS) $(DEP_FLAGS) -o $@ $<

$(B)/man/%: man/%.md
	@mkdir -p $(@D)
	$(GO_MD2MAN) -in $< -out $@

ifeq ($(HAVE_MD2MAN),yes)
man: $(MAN_PAGES)
else
man:
	@echo "make man: $(GO_MD2MAN) not found (apt-get install go-md2man)" >&2; exit 1
endif

# Keep intermediate objects (make would delete the test objects after linking otherwise).
.SECONDARY:

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---- install -------------------------------------------------------------------------------

install: $(B)/ocirun $(if $(HAVE_MD2MAN),man)
	$(INSTALL) -D -m 0755 $(INSTALL_STRIP) $(B)/ocirun $(DESTDIR)$(SBINDIR)/ocirun
	@set -e; for p in $(if $(HAVE_MD2MAN),$(MAN_PAGES)); do \
	    echo "$(INSTALL) -D -m 0644 $$p $(DESTDIR)$(MANDIR)/man8/$${p##*/}"; \
	    $(INSTALL) -D -m 0644 $$p $(DESTDIR)$(MANDIR)/man8/$${p##*/}; \
	done
	$(if $(HAVE_MD2MAN),,@echo "note: $(GO_MD2MAN) not found, man pages not installed")
	$(INSTALL) -D -m 0644 contrib/completions/bash/ocirun $(DESTDIR)$(BASHCOMPDIR)/ocirun

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ocirun
	rm -f $(DESTDIR)$(BASHCOMPDIR)/ocirun
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN_PAGES)))

clean:
	rm -rf $(B)

# ---- helpers -------------------------------------------------------------------------------

deps:
	scripts/install-deps.sh

demo: deps
	$(MAKE) --no-print-directory all
	scripts/demo.sh

bench:
	scripts/install-deps.sh bench
	$(MAKE) --no-print-directory all $(B)/bench-timer $(B)/bench-floor
	bench/run.sh

# ---- tests ---------------------------------------------------------------------------------

# Runs the cmocka programs $(2) (env $(3)); prints cmocka's own output and writes
# "PASSED FAILED" to $(1)/summary. A program that dies counts its unfinished test as failed.
define run_unit
	@mkdir -p $(1); rm -f $(1)/summary; \
	pass=0; fail=0; progs=0; \
	for t in $(2); do \
	    progs=$$((progs + 1)); \
	    echo "=== $$t"; \
	    $(3) timeout $(UNIT_TIMEOUT) "$$t" > "$$t.log" 2>&1; rc=$$?; \
	    cat "$$t.log"; \
	    run=$$(grep -c '^\[ RUN      \]' "$$t.log"); \
	    ok=$$(grep -c '^\[       OK \]' "$$t.log"); \
	    skip=$$(grep -c '^\[  SKIPPED \]' "$$t.log"); \
	    f=$$((run - ok - skip)); \
	    if [ $$rc -ne 0 ] && [ $$f -eq 0 ]; then \
	        f=1; echo "=== $$t: exit status $$rc"; \
	    fi; \
	    pass=$$((pass + ok)); fail=$$((fail + f)); \
	done; \
	echo "$$pass $$fail" > $(1)/summary; \
	if [ $$progs -eq 0 ]; then \
	    echo "no unit tests found (tests/unit/test_*.c): no tests ran"; \
	else \
	    echo "unit tests$(4): $$pass passed, $$fail failed ($$progs programs)"; \
	fi; \
	[ $$fail -eq 0 ]
endef

# libcontainer's folders against DEVELOPERS.md's layer table (includes, and the symbols each object
# takes from another), no circle between files, every file in the file map. A check of the tree,
# not a test: `make check` fails on it, the test counts do not change.
check-layers: $(B)/libocirun.a
	@mkdir -p $(B)/tests/layers
	@rm -f $(B)/tests/layers/status
	@scripts/check-layers.sh $(OBJ)/libcontainer && echo ok > $(B)/tests/layers/status

check-unit: $(TEST_BINS)
	$(call run_unit,$(B)/tests/unit,$(TEST_BINS),,)

check-unit-asan: $(ASAN_TEST_BINS)
	$(call run_unit,$(ASAN)/tests/unit,$(ASAN_TEST_BINS),\
	    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1, (asan+ubsan))

check-bats: $(B)/ocirun $(HELPER_BINS)
	scripts/check-bats.sh

# The cgroup tests that need real cgroup v2 limits, in a throwaway pure-v2 VM (tests/vm/): about
# 3 minutes emulated, plus a one-time apt install of qemu and a kernel. A VM that does not boot
# is a test failure (the reason is printed).
check-vm: $(B)/ocirun $(HELPER_BINS) $(VM_HELPER_BINS)
	tests/vm/check.sh

# The systemd cgroup driver and podman/docker with it (tests/bats-systemd/) in a VM that boots
# systemd as PID 1: ~3 min emulated (14 tests, 167 s measured with the boot; containerd's CRI with
# SystemdCgroup = true among them).
check-vm-systemd: $(B)/ocirun $(HELPER_BINS) $(B)/tests/helpers/pause
	tests/vm/check.sh --systemd

# podman, containerd + ctr and docker driving build/ocirun (tests/engines/, root; installs a
# missing engine with apt): 2-3 min, plus ~1.5 min of apt installs on a fresh machine. RUNTIME=runc checks the harness;
# `tests/engines/run.sh docker` runs one engine.
check-engines: $(B)/ocirun
	tests/engines/run.sh

# Kubernetes' path: containerd's CRI plugin with an "ocirun" runtime handler, driven by
# tests/cri/checks.py as the kubelet drives it (tests/cri/, root; installs containerd, the CNI
# plugins and python3-grpcio + grpc-tools from apt when missing, ~5 s): 20-45 s. RUNTIME=runc
# checks the checks.
check-cri: $(B)/ocirun $(B)/tests/helpers/pause
	tests/cri/run.sh

# ---- fault injection (tests/fault/) ----------------------------------------------------------
# The runtime SIGKILLed at FAULT_CASES of the syscalls of create, run, start, exec and delete
# (strace's inject, spread over each command's run), the init at FAULT_CASES of its own set-up
# syscalls; after each, state/list answer and delete --force leaves nothing. ~1 min;
# `make check-fault-full` kills at every syscall (1213 cases, ~8 min loaded). Cases: build/tests/fault/cases.
FAULT_CASES ?= 30
check-fault: $(B)/ocirun $(HELPER_BINS)
	@rm -f $(B)/tests/fault/cases
	FAULT_CASES=$(FAULT_CASES) BATS_OUT=$(B)/tests/fault scripts/check-bats.sh tests/fault/*.bats

check-fault-full:
	@$(MAKE) --no-print-directory check-fault FAULT_CASES=all

# The long soak (tests/bats/soak.bats, whose 100-cycle version runs in check-bats): 1000
# create/start/delete cycles, 300 execs, 100 pause/resume and 100 update rounds; ~30 s.
SOAK_CYCLES ?= 1000
soak: $(B)/ocirun $(HELPER_BINS)
	SOAK_CYCLES=$(SOAK_CYCLES) BATS_OUT=$(B)/tests/soak scripts/check-bats.sh tests/bats/soak.bats

# The whole bats suite against an ASan+UBSan build of the binary (build/asan/ocirun): every
# sanitizer report of any ocirun process (runtime, init until its exec) goes to
# build/tests/asan-bats/reports/ (not the stderr the tests read); one error report (ASan's
# "ERROR:", UBSan's "runtime error:") fails the target.
# Leak checking is off: a CLI that exits frees nothing on purpose. Not in `make check` (see
# DEVELOPERS.md: it doubles the bats time).
ASAN_CLI_OBJS := $(CLI_SRCS:%.c=$(ASAN)/obj/%.o)
$(ASAN)/ocirun: $(ASAN_CLI_OBJS) $(ASAN)/libocirun.a
	$(CC) $(ASAN_FLAGS) $(LINK_FLAGS) $(LDFLAGS) -o $@ $(ASAN_CLI_OBJS) $(ASAN)/libocirun.a $(PKG_LIBS)

check-asan-bats: $(ASAN)/ocirun $(HELPER_BINS)
	@rm -rf $(B)/tests/asan-bats/reports; mkdir -p $(B)/tests/asan-bats/reports
	@rc=0; ASAN_OPTIONS=detect_leaks=0:log_path=$(CURDIR)/$(B)/tests/asan-bats/reports/asan \
	    UBSAN_OPTIONS=print_stacktrace=1:log_path=$(CURDIR)/$(B)/tests/asan-bats/reports/ubsan \
	    OCIRUN_ASAN=1 BATS_OUT=$(B)/tests/asan-bats scripts/check-bats.sh $(CURDIR)/$(ASAN)/ocirun $(ASAN_BATS) || rc=1; \
	bad=$$(grep -l -E 'ERROR: AddressSanitizer|runtime error:' $(B)/tests/asan-bats/reports/* 2>/dev/null); \
	if [ -n "$$bad" ]; then echo "check-asan-bats: sanitizer reports:"; head -n 30 $$bad; rc=1; \
	    read -r p x < $(B)/tests/asan-bats/summary && echo "$$p $$((x + 1))" > $(B)/tests/asan-bats/summary; \
	else echo "check-asan-bats: no sanitizer error (warnings, e.g. the clone child's own stack, in $(B)/tests/asan-bats/reports)"; fi; \
	exit $$rc

# ---- fuzzing (tests/fuzz/) -----------------------------------------------------------------
# libFuzzer targets (clang + libclang-rt-14-dev) under ASan+UBSan, built from the folders the
# parsers live in. `make fuzz` runs each for FUZZ_TIME seconds into build/fuzz/corpus/NAME (new
# inputs kept there; copy a crash's input into tests/fuzz/corpus/NAME with its fix);
# `make check-fuzz` (in `make check`) runs each over tests/fuzz/corpus/NAME and then
# FUZZ_CHECK_TIME seconds of new inputs, two targets at a time.
FUZZ_CC ?= clang
FUZZ_TIME ?= 300
FUZZ_CHECK_TIME ?= 30
FUZZ := $(B)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_LIB_SRCS := $(filter-out libcontainer/core/sha256.c,$(wildcard libcontainer/core/*.c libcontainer/spec/*.c libcontainer/state/*.c \
                            libcontainer/security/*.c))
FUZZ_LIB_OBJS := $(FUZZ_LIB_SRCS:%.c=$(FUZZ)/obj/%.o)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ)/%)
FUZZ_CFLAGS = $(OCI_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link

$(FUZZ)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' | cmp -s - $@ || echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' > $@

$(FUZZ)/obj/%.o: %.c $(FUZZ)/.flags | $(VERSION_H)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEP_FLAGS) -c $< -o $@

$(FUZZ)/libocirun-fuzz.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ)/fuzz_%: $(FUZZ)/obj/tests/fuzz/fuzz_%.o $(FUZZ)/libocirun-fuzz.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ)/libocirun-fuzz.a $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_BINS); do n=$${t##*/fuzz_}; mkdir -p $(FUZZ)/corpus/$$n; \
	    echo "=== $$n: $(FUZZ_TIME) s"; \
	    $$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -artifact_prefix=$(FUZZ)/crash-$$n- \
	        $(FUZZ)/corpus/$$n tests/fuzz/corpus/$$n; done

check-fuzz: $(FUZZ_BINS)
	@scripts/check-fuzz.sh $(FUZZ) $(FUZZ_CHECK_TIME) $(FUZZ_BINS)

# Runs every suite even when one fails, then prints one total line; fails if anything failed.
check: deps
	@$(MAKE) --no-print-directory all
	@rm -f $(B)/tests/unit/summary $(ASAN)/tests/unit/summary $(B)/tests/bats/summary $(B)/tests/vm/summary \
	    $(B)/tests/vm-systemd/summary \
	    $(B)/tests/engines/summary $(B)/tests/cri/summary $(B)/tests/layers/status $(FUZZ)/tests/summary \
	    $(B)/tests/fault/summary $(B)/tests/asan-bats/summary
	@rc=0; \
	$(MAKE) --no-print-directory check-layers || rc=1; \
	$(MAKE) --no-print-directory check-unit || rc=1; \
	$(MAKE) --no-print-directory check-unit-asan || rc=1; \
	$(MAKE) --no-print-directory check-fuzz || rc=1; \
	$(MAKE) --no-print-directory check-bats || rc=1; \
	$(MAKE) --no-print-directory check-asan-bats || rc=1; \
	$(MAKE) --no-print-directory check-fault || rc=1; \
	$(MAKE) --no-print-directory check-vm || rc=1; \
	$(MAKE) --no-print-directory check-vm-systemd || rc=1; \
	$(MAKE) --no-print-directory check-engines || rc=1; \
	$(MAKE) --no-print-directory check-cri || rc=1; \
	$(MAKE) --no-print-directory check-summary; \
	exit $$rc

# Informational: the suites' own exit statuses decide whether `make check` fails.
check-summary:
	@tp=0; tf=0; \
	if [ -r $(B)/tests/layers/status ]; then echo "layers: ok"; \
	else echo "layers: FAILED (counted as 1 failure)"; tf=1; fi; \
	for s in unit:$(B)/tests/unit unit-asan:$(ASAN)/tests/unit bats:$(B)/tests/bats vm:$(B)/tests/vm \
	         vm-systemd:$(B)/tests/vm-systemd \
	         engines:$(B)/tests/engines cri:$(B)/tests/cri fuzz:$(FUZZ)/tests \
	         fault:$(B)/tests/fault asan-bats:$(B)/tests/asan-bats; do \
	    name=$${s%%:*}; f=$${s#*:}/summary; \
	    if [ -r "$$f" ]; then \
	        read -r p x < "$$f"; \
	        echo "$$name: $$p passed, $$x failed"; \
	        tp=$$((tp + p)); tf=$$((tf + x)); \
	    else \
	        echo "$$name: did not complete (counted as 1 failure)"; tf=$$((tf + 1)); \
	    fi; \
	done; \
	echo "$$tp passed, $$tf failed"
