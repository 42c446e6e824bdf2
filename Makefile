# Makefile: builds ocirun, its unit tests and man pages; `make demo` and `make check` set up a fresh Debian 12 machine.
-include config.mk

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
BUILD ?= build
PKG_CONFIG ?= pkg-config
WITH_SELINUX ?= auto
WITH_SECCOMP ?= yes
SANITIZE ?=

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null)

PKGS := yajl libcap
ifeq ($(WITH_SECCOMP),yes)
PKGS += libseccomp
else
FEATURE_CFLAGS += -DOCIRUN_NO_SECCOMP
endif
ifeq ($(WITH_SELINUX),auto)
WITH_SELINUX := $(shell $(PKG_CONFIG) --exists libselinux 2>/dev/null && echo yes || echo no)
endif
ifeq ($(WITH_SELINUX),yes)
PKGS += libselinux
FEATURE_CFLAGS += -DHAVE_SELINUX
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -Isrc \
	-DOCIRUN_VERSION='"$(VERSION)"' -DOCIRUN_COMMIT='"$(COMMIT)"' \
	$(FEATURE_CFLAGS) $(PKG_CFLAGS) $(SANITIZE) $(CFLAGS) -MMD -MP
ALL_LDFLAGS := $(SANITIZE) $(LDFLAGS)

LIB_SRCS := $(wildcard libcontainer/*.c)
CLI_SRCS := $(wildcard src/*.c)
TEST_SRCS := $(wildcard tests/unit/test_*.c)
MAN_SRCS := $(wildcard man/*.md)

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_BINS := $(TEST_SRCS:%.c=$(BUILD)/%)
MAN_PAGES := $(MAN_SRCS:man/%.md=$(BUILD)/man/%)
HAVE_MD2MAN := $(shell command -v go-md2man >/dev/null 2>&1 && echo yes)

.PHONY: all man install uninstall clean deps demo check check-unit check-unit-asan check-bats bench
all: $(BUILD)/ocirun $(if $(HAVE_MD2MAN),man)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libocirun.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/ocirun: $(CLI_OBJS) $(BUILD)/libocirun.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(BUILD)/libocirun.a $(PKG_LIBS)

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libocirun.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libocirun.a $(PKG_LIBS) -lcmocka

man: $(MAN_PAGES)
$(BUILD)/man/%: man/%.md
	@mkdir -p $(dir $@)
	go-md2man -in $< -out $@

install: all
	install -D -m 0755 $(BUILD)/ocirun $(DESTDIR)$(PREFIX)/sbin/ocirun
	$(if $(MAN_PAGES),install -d $(DESTDIR)$(PREFIX)/share/man/man8 && install -m 0644 $(wildcard $(BUILD)/man/*.8) $(DESTDIR)$(PREFIX)/share/man/man8/)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/ocirun $(MAN_SRCS:man/%.md=$(DESTDIR)$(PREFIX)/share/man/man8/%)

clean:
	rm -rf $(BUILD)

deps:
	scripts/install-deps.sh

demo: deps
	$(MAKE) $(BUILD)/ocirun
	scripts/demo.sh $(BUILD)/ocirun

check-unit: $(TEST_BINS)
	@set -e; for t in $(TEST_BINS); do echo "== $$t"; $$t; done

# The same unit tests again with AddressSanitizer and UndefinedBehaviorSanitizer.
check-unit-asan:
	$(MAKE) BUILD=$(BUILD)/asan SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer" CFLAGS="-O1 -g" \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 check-unit

check-bats: $(BUILD)/ocirun
	scripts/check-bats.sh $(BUILD)/ocirun

check: deps
	$(MAKE) all
	$(MAKE) check-unit
	$(MAKE) check-unit-asan
	$(MAKE) check-bats

bench: $(BUILD)/ocirun
	scripts/install-deps.sh bench
	bench/run.sh $(BUILD)/ocirun

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(TEST_SRCS:%.c=$(BUILD)/obj/%.d)
