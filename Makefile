SHELL := /bin/bash
# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# ngx_http_lago_webhook_module: build, run and test.
#
#   make            nginx with the module built in (build/nginx-static) and
#                   the dynamic module for Debian's nginx (build/nginx-dynamic)
#   make run        a local Redis and nginx serving the API (see README)
#   make test       unit tests and every suite in t/, against a Redis of its own
#   make test SANITIZE=address
#                   the same with nginx, the module and the unit tests built
#                   with AddressSanitizer (nginx in build/nginx-asan); an
#                   ASan or LeakSanitizer report fails the run
#   make fuzz       the libFuzzer harnesses, FUZZ_TIME seconds each (fuzz/)
#   make soak       the long checks: load + worker memory, faults, for
#                   SOAK_TIME seconds (600)
#   make bench      throughput and latency against nginx's own ceiling
#                   (bench/README.md)
#   make deb        the Debian package libnginx-mod-http-lago-webhook, built
#                   with debhelper and dh-sequence-nginx, checked with
#                   lintian, into build/deb (tools/build-deb)
#   make test-deb   installs that package, serves the example site with
#                   Debian's nginx and its own nginx.conf, removes and purges
#                   it again (tools/test-deb; root, ports 80 and 8080)
#   make test-prometheus
#                   Debian's Prometheus scrapes lago_webhook_metrics and
#                   PromQL returns the requests sent (tools/test-prometheus)
#   make clean
#
# Debian's nginx source package is unpacked into build/nginx-src.

BUILD          := $(CURDIR)/build
NGINX_SRC      := $(BUILD)/nginx-src

# SANITIZE=address: nginx with the module built with ASan, in a directory of
# its own so that its objects never mix with the normal build's
SANITIZE       ?=
export SANITIZE

ifeq ($(SANITIZE),address)
STATIC_DIR     := $(BUILD)/nginx-asan
NGINX_CC_OPT   ?= -g -O1 -fsanitize=address -fno-omit-frame-pointer
NGINX_LD_OPT   ?= -fsanitize=address
UNIT_BUILD     ?= $(BUILD)/unit-asan
UNIT_CFLAGS    ?= -fsanitize=address -fno-omit-frame-pointer
UNIT_LDFLAGS   ?= -fsanitize=address
else ifneq ($(SANITIZE),)
$(error SANITIZE=$(SANITIZE): only SANITIZE=address is supported)
else
STATIC_DIR     := $(BUILD)/nginx-static
endif
DYNAMIC_DIR    := $(BUILD)/nginx-dynamic
NGINX_STATIC   := $(STATIC_DIR)/nginx
NGINX_MODULE   := $(DYNAMIC_DIR)/ngx_http_lago_webhook_module.so

# extra compiler flags for the module builds (never exported as CFLAGS:
# that would drop nginx's -Werror)
NGINX_CC_OPT   ?= -g -O2
NGINX_LD_OPT   ?=

# tools/run-tests reads these: the Test::Nginx library (the compatible
# runner in t/lib, or upstream's lib/), the suites to run (default: all),
# extra prove flags, and LAGO_TEST_REDIS_AUTH=1 / LAGO_TEST_REDIS_UNIX=1 /
# LAGO_TEST_REDIS_TLS=1 (or mutual) for a Redis with an ACL user and
# password / reached on a unix socket / over TLS only;
# LAGO_TEST_REDIS=cluster for a Redis Cluster of six nodes instead of the
# single Redis (make test LAGO_TEST_REDIS=cluster)
export TEST_NGINX_LIB TEST_FILES PROVE_FLAGS LAGO_TEST_REDIS_AUTH \
       LAGO_TEST_REDIS_UNIX LAGO_TEST_REDIS_TLS LAGO_TEST_REDIS

MODULE_SOURCES := config VERSION ngx_http_lago_webhook_module.c \
                  $(wildcard src/*.h src/*/*.c src/*/*.h)

.PHONY: all build deps static dynamic test unit-test suites run bench soak \
        deb test-deb test-prometheus clean

all: build

build: static dynamic

deps:
	@tools/install-deps

$(NGINX_SRC)/configure:
	tools/nginx-source $(NGINX_SRC)

static: $(NGINX_STATIC)

$(NGINX_STATIC): $(MODULE_SOURCES) | $(NGINX_SRC)/configure
	cd $(NGINX_SRC) && ./configure --builddir=$(STATIC_DIR) \
		--prefix=$(STATIC_DIR)/prefix --with-debug \
		--with-cc-opt='$(NGINX_CC_OPT)' --with-ld-opt='$(NGINX_LD_OPT)' \
		--add-module=$(CURDIR) > $(STATIC_DIR).configure.log
	$(MAKE) -C $(NGINX_SRC) -f $(STATIC_DIR)/Makefile binary

# Against Debian's packaged nginx: the same flags it was built with
# (nginx-dev's conf_flags, --with-compat among them), modules only.
dynamic: $(NGINX_MODULE)

$(NGINX_MODULE): $(MODULE_SOURCES) | $(NGINX_SRC)/configure
	. /usr/share/nginx/src/conf_flags && cd $(NGINX_SRC) \
		&& ./configure "$${NGX_CONF_FLAGS[@]}" --builddir=$(DYNAMIC_DIR) \
		--with-cc-opt='$(NGINX_CC_OPT) -fPIC' \
		--add-dynamic-module=$(CURDIR) > $(DYNAMIC_DIR).configure.log
	$(MAKE) -C $(NGINX_SRC) -f $(DYNAMIC_DIR)/Makefile modules

include t/unit/unit.mk
include fuzz/fuzz.mk

# the fuzz smoke run first; the suites run even when it fails.  With
# SANITIZE=address only the built-in module: Debian's nginx is no ASan
# build and could not load an ASan dynamic module.
test: deps
ifeq ($(SANITIZE),address)
	@$(MAKE) --no-print-directory static
	@status=0; $(MAKE) --no-print-directory fuzz-smoke || status=1; \
	 TEST_NGINX_BINARY=$(NGINX_STATIC) tools/run-tests || status=1; \
	 exit $$status
else
	@$(MAKE) --no-print-directory build
	@status=0; $(MAKE) --no-print-directory fuzz-smoke || status=1; \
	 tools/run-tests || status=1; exit $$status
endif

run: deps
	@$(MAKE) --no-print-directory build
	@tools/run-local

# the long checks (load + memory, faults) for SOAK_TIME seconds
soak: deps
	@EXTRA_PACKAGES=wrk tools/install-deps
	@$(MAKE) --no-print-directory static
	@tools/soak

bench: deps
	@EXTRA_PACKAGES=wrk tools/install-deps
	@bench/run

# the package from the sources as they are; test-deb installs it on this
# machine, runs a round of requests against Debian's nginx, and removes it
deb:
	@tools/build-deb

test-deb: deb
	@tools/test-deb build/deb/libnginx-mod-http-lago-webhook_$$(sed -n 1p VERSION)_$$(dpkg --print-architecture).deb

# Debian's real Prometheus against the metrics location
test-prometheus: deps
	@$(MAKE) --no-print-directory static
	@tools/test-prometheus

clean:
	rm -rf $(BUILD) t/servroot*
