# TuxTape top-level build. `make` builds every program into $(O)/, `make check` runs every
# test, `make demo` runs the pipeline on built-in data, `make bench` prints the figures.
# Dependencies are Debian packages installed by tests/deps.sh (idempotent).

O ?= build
PREFIX ?= /usr
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
LIBEXECDIR ?= $(PREFIX)/libexec
DESTDIR ?=
SAN ?=

CC ?= cc
PKGS := libgit2 sqlite3 jansson inih libsystemd libarchive libsodium libcrypto libcurl libkmod libelf libmicrohttpd libnl-genl-3.0
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread
# The daemon links only these: no libcurl or OpenSSL in its resident set (the fetch helper
# does the network); a reference to them from its code fails the link.
AGENT_PKGS := sqlite3 jansson inih libsystemd libsodium libkmod libnl-genl-3.0
AGENT_LIBS := $(shell pkg-config --libs $(AGENT_PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wpointer-arith -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter -Wno-format-nonliteral
HARDEN := -fstack-protector-strong -fstack-clash-protection -fcf-protection -fPIE \
	-D_FORTIFY_SOURCE=2
ifeq ($(SAN),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
HARDEN := -fPIE
LDSAN := -fsanitize=address,undefined
else ifeq ($(SAN),fuzz)
# libFuzzer build (clang): the objects get coverage, only tests/fuzz/ targets link the fuzzer
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all
HARDEN := -fPIE
LDSAN := -fsanitize=address,undefined
else
OPT := -O2 -g
endif
CFLAGS_ALL := -std=gnu11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) -Icommon -Ibackend -Iagent -Ikmod-helper $(PKG_CFLAGS) \
	-DSYSCONFDIR='"$(SYSCONFDIR)"' -DLOCALSTATEDIR='"$(LOCALSTATEDIR)"' \
	-DLIBEXECDIR='"$(LIBEXECDIR)"' $(CFLAGS)
LDFLAGS_ALL := -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(LDSAN) $(LDFLAGS)

# One folder per piece (docs/ARCHITECTURE.md); headers are named from the tree's roots,
# e.g. "scan/scan.h", "tuf/tuf_meta.h".
COMMON_SRC := $(sort $(shell find common -name '*.c'))
BACKEND_SRC := $(filter-out backend/cmd/main.c,$(sort $(shell find backend -name '*.c')))
AGENT_MAINS := agent/tuxtape-tuf-client.c agent/tuxtape-agent.c agent/agentctl.c \
	agent/tuxtape-agent-fetch.c
AGENT_SRC := $(filter-out $(AGENT_MAINS),$(wildcard agent/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)

COMMON_OBJ := $(COMMON_SRC:%.c=$(O)/%.o)
BACKEND_OBJ := $(BACKEND_SRC:%.c=$(O)/%.o)
AGENT_OBJ := $(AGENT_SRC:%.c=$(O)/%.o)
UNIT_BIN := $(UNIT_SRC:%.c=$(O)/%)

PROGRAMS := $(O)/tuxtape-backend $(O)/tuxtape-tuf-client $(O)/tuxtape-agent $(O)/agentctl
HELPERS := $(O)/tuxtape-agent-fetch

.PHONY: all check check-unit check-san demo e2e bench install clean deps man deb rpm programs
all: deps-present programs
# what installs: the packages' build needs only the build dependencies, not the tests' ones
programs: $(PROGRAMS) $(HELPERS)

# The one place the version lives; the packages' changelog must agree (make deb checks).
TUXTAPE_VERSION := $(shell sed -n 's/^\#define TUXTAPE_VERSION "\(.*\)"$$/\1/p' common/util.h)

# Fails with the names of the missing Debian packages rather than a compiler error.
.PHONY: deps-present
deps-present:
	@tests/deps.sh --check || { echo "run tests/deps.sh (or make check / make demo, which do)" >&2; exit 1; }

deps:
	@tests/deps.sh

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(O)/libcommon.a: $(COMMON_OBJ)
	rm -f $@ && $(AR) rcs $@ $^
# made anew: a member whose source left the tree must not linger
$(O)/libbackend.a: $(BACKEND_OBJ)
	rm -f $@ && $(AR) rcs $@ $^
$(O)/libagent.a: $(AGENT_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(O)/tuxtape-backend: $(O)/backend/cmd/main.o $(O)/libbackend.a $(O)/libcommon.a
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(O)/tuxtape-tuf-client: $(O)/agent/tuxtape-tuf-client.o $(O)/libcommon.a
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(O)/tuxtape-agent: $(O)/agent/tuxtape-agent.o $(O)/libagent.a $(O)/libcommon.a
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $^ $(AGENT_LIBS)

# the report queue's reader is the one part of the agent the helper shares
$(O)/tuxtape-agent-fetch: $(O)/agent/tuxtape-agent-fetch.o $(O)/agent/report_file.o $(O)/libcommon.a
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(O)/agentctl: $(O)/agent/agentctl.o $(O)/libcommon.a
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(O)/tests/unit/%: tests/unit/%.c $(O)/libagent.a $(O)/libbackend.a $(O)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -MMD -MP -o $@ $< $(O)/libagent.a $(O)/libbackend.a $(O)/libcommon.a \
		$(PKG_LIBS) -lcmocka

# The tests' and the bench's own programs (a signing fleet node, a load generator)
TEST_TOOLS := $(patsubst %.c,$(O)/%,$(wildcard tests/tools/*.c))
$(O)/tests/tools/%: tests/tools/%.c $(O)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -MMD -MP -o $@ $< $(O)/libcommon.a $(PKG_LIBS)

unit-bins: $(UNIT_BIN) $(TEST_TOOLS)
.PHONY: unit-bins

check: deps
	@$(MAKE) --no-print-directory all unit-bins
	@$(MAKE) --no-print-directory O=build-san SAN=1 unit-bins build-san/tuxtape-backend build-san/tuxtape-tuf-client build-san/tuxtape-agent build-san/agentctl build-san/tuxtape-agent-fetch
	@$(MAKE) --no-print-directory O=build-fuzz SAN=fuzz CC=clang fuzz-bins
	@tests/run.sh

# The real-kernel bench alone (Debian's kernel under QEMU): make e2e [SCENARIO="good stalls"]
e2e: deps
	@$(MAKE) --no-print-directory all $(O)/tests/tools/tt-genl
	@tests/e2e/run.sh $(SCENARIO)

demo: deps
	@$(MAKE) --no-print-directory all
	@tests/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@bench/run.sh

# Man pages are written once in scdoc (docs/man/NAME.SECTION.scd) and made at build time.
MAN_SRC := $(wildcard docs/man/*.scd)
MAN_PAGES := $(MAN_SRC:docs/man/%.scd=$(O)/man/%)
man: $(MAN_PAGES)
$(O)/man/%: docs/man/%.scd
	@mkdir -p $(dir $@)
	scdoc <$< >$@.tmp && mv $@.tmp $@

COMPLETIONS := $(wildcard packaging/completion/*)

install: programs man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SYSCONFDIR)/tuxtape \
		$(DESTDIR)$(LOCALSTATEDIR)/lib/tuxtape
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(LIBEXECDIR)/tuxtape
	install -m 0755 $(HELPERS) $(DESTDIR)$(LIBEXECDIR)/tuxtape/
	install -m 0644 docs/backend.conf.example $(DESTDIR)$(SYSCONFDIR)/tuxtape/backend.conf
	install -m 0644 docs/agent.conf.example $(DESTDIR)$(SYSCONFDIR)/tuxtape/agent.conf
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 0644 packaging/systemd/tuxtape-agent.service packaging/systemd/tuxtape-backend.service \
		packaging/systemd/tuxtape-backend.timer packaging/systemd/tuxtape-backend-serve.service \
		$(DESTDIR)$(PREFIX)/lib/systemd/system/
	install -d $(DESTDIR)$(PREFIX)/share/doc/tuxtape/examples
	install -m 0644 packaging/cron/tuxtape-backend $(DESTDIR)$(PREFIX)/share/doc/tuxtape/examples/cron.d-tuxtape-backend
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 $(filter %.5,$(MAN_PAGES)) $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 $(filter %.8,$(MAN_PAGES)) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	$(if $(COMPLETIONS),install -m 0644 $(COMPLETIONS) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/)

# Debian packages (packaging/debian) built from a copy of the tree into $(O)/deb/
deb:
	@packaging/build-deb.sh $(O)/deb $(TUXTAPE_VERSION)
# RPM packages (packaging/rpm/tuxtape.spec, rpmbuild -bb) into $(O)/rpm/
rpm:
	@packaging/build-rpm.sh $(O)/rpm $(TUXTAPE_VERSION)

include tests/fuzz/fuzz.mk

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(O) -name '*.d' 2>/dev/null)
