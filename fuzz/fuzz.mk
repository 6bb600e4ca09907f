# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# libFuzzer harnesses for the code that reads request bytes and Redis's
# replies.
#
# Included by the top-level Makefile, or used on its own, always from the
# repository root:
#
#     make -f fuzz/fuzz.mk fuzz                 each harness for FUZZ_TIME s
#     make -f fuzz/fuzz.mk fuzz FUZZ_TIME=600
#     make -f fuzz/fuzz.mk fuzz FUZZ_TARGETS=url
#     make -f fuzz/fuzz.mk fuzz-smoke           each for FUZZ_SMOKE_TIME s
#
# Harness NAME is fuzz/NAME.c, its seeds fuzz/corpus/NAME/ and its optional
# dictionary fuzz/NAME.dict.  A run works on a copy of the seeds in
# FUZZ_BUILD/corpus/NAME (kept between runs, so later runs start from what
# earlier ones found; the committed seeds are never written), prints the
# executions and the coverage (cov: and ft: of libFuzzer's last line) per
# harness, and fails if any harness crashed, leaked, timed out or broke an
# invariant; the input is then in FUZZ_BUILD/artifacts/NAME/ and the log in
# FUZZ_BUILD/logs/NAME.log.  FUZZ_BUILD/NAME FILE... runs the harness on
# the given inputs only, to reproduce a crash.
#
# The helpers need clang, jansson and hiredis only.  The body harness links
# the module's body parser with nginx's core objects, so it needs the static
# nginx build (build/nginx-static/nginx, "make static"): from the top-level
# Makefile that build is made first; used on its own this file only checks
# that it exists.

FUZZ_BUILD       ?= build/fuzz
FUZZ_TIME        ?= 60
FUZZ_SMOKE_TIME  ?= 10
FUZZ_CC          ?= clang
FUZZ_CFLAGS      ?= -g -O1 -fno-omit-frame-pointer
FUZZ_SANITIZE    ?= -fsanitize=fuzzer,address,undefined \
                    -fno-sanitize-recover=undefined
FUZZ_FLAGS       ?=
FUZZ_TARGETS     ?= url uuid event_types json_escape body request record \
                    cluster sentinel

NGINX_SRC        ?= build/nginx-src

ifndef NGINX_STATIC
NGINX_STATIC     := build/nginx-static/nginx

$(NGINX_STATIC):
	@echo "fuzz: $@ is missing: run 'make static' first" >&2; exit 1
endif

FUZZ_NGX_OBJS     = $(patsubst %/,%,$(dir $(NGINX_STATIC)))

FUZZ_CC_FLAGS     = -std=c99 -D_DEFAULT_SOURCE -W -Wall -Wextra \
                    -Wno-unused-parameter -Werror -Isrc/lib -Ifuzz
FUZZ_NGX_INCS     = -I$(NGINX_SRC)/src/core -I$(NGINX_SRC)/src/event \
                    -I$(NGINX_SRC)/src/event/modules \
                    -I$(NGINX_SRC)/src/os/unix -I$(FUZZ_NGX_OBJS) \
                    -I$(NGINX_SRC)/src/http -I$(NGINX_SRC)/src/http/modules
# nginx's own flags, less -Werror: its headers are not warning-free in clang
FUZZ_NGX_FLAGS    = -W -Wall -Wpointer-arith -Wno-unused-parameter

FUZZ_BINS         = $(addprefix $(FUZZ_BUILD)/,$(FUZZ_TARGETS))
FUZZ_FLAGS_LINE   = $(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SANITIZE)

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-clean fuzz-force

fuzz: fuzz-build
	@$(call FUZZ_RUN,$(FUZZ_TIME))

fuzz-smoke: fuzz-build
	@$(call FUZZ_RUN,$(FUZZ_SMOKE_TIME))

fuzz-build: $(FUZZ_BINS)

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

fuzz-force:

# Runs every harness for $(1) seconds and prints a line for each; on a
# crash, a leak, a timeout or a broken invariant also the report (the stack,
# the input in hex and where it was saved), and the run fails.

define FUZZ_RUN
LC_ALL=C; export LC_ALL; \
failed=0; \
FUZZ_REPORT='^==[0-9]+==|invariant failed|runtime error|^ALARM'; \
for t in $(FUZZ_TARGETS); do \
    work=$(FUZZ_BUILD)/corpus/$$t; \
    art=$(FUZZ_BUILD)/artifacts/$$t/; \
    log=$(FUZZ_BUILD)/logs/$$t.log; \
    mkdir -p $$work $$art $(FUZZ_BUILD)/logs; \
    cp fuzz/corpus/$$t/* $$work/; \
    dict=; \
    if [ -f fuzz/$$t.dict ]; then dict=-dict=fuzz/$$t.dict; fi; \
    echo "fuzz: $$t for $(1) s"; \
    if $(FUZZ_BUILD)/$$t -max_total_time=$(1) -print_final_stats=1 \
        -artifact_prefix=$$art $$dict $(FUZZ_FLAGS) $$work > $$log 2>&1; \
    then status=ok; \
    else status=FAILED; failed=1; \
        awk "/$$FUZZ_REPORT/ { on = 1 } /^Shadow bytes/ { on = 0 } \
             /==ABORTING/ { on = 1; next } on { print } /^Base64/ { exit }" \
            $$log | head -80; \
    fi; \
    execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); \
    last=$$(grep -E '^#[0-9]+' $$log | tail -1); \
    cov=$$(echo "$$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p'); \
    ft=$$(echo "$$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p'); \
    corp=$$(echo "$$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p'); \
    printf 'fuzz: %-12s %-6s executions %s cov %s ft %s corpus %s\n' \
        $$t $$status "$${execs:-?}" "$${cov:-?}" "$${ft:-?}" \
        "$${corp:-?}"; \
done; \
if [ $$failed -ne 0 ]; then echo 'fuzz: FAILED (see $(FUZZ_BUILD)/logs)'; fi; \
exit $$failed
endef

# The compiler and flags in use, kept in a file that changes only when they
# do, so that changing them rebuilds every harness.

$(FUZZ_BUILD)/flags: fuzz-force
	@mkdir -p $(FUZZ_BUILD)
	@echo '$(FUZZ_FLAGS_LINE)' | cmp -s - $@ \
		|| echo '$(FUZZ_FLAGS_LINE)' > $@

# the pure helpers: harness NAME tests src/lib/lago_webhook_NAME.c; the
# readers of Redis replies build them with hiredis's reader (fuzz/resp.h)

FUZZ_LIB_HARNESSES = url uuid event_types json_escape request record \
                     cluster sentinel

FUZZ_LIBS_cluster  = -lhiredis
FUZZ_DEPS_cluster  = fuzz/resp.h src/lib/lago_webhook_slot.h src/lib/lago_webhook_digits.h
FUZZ_LIBS_sentinel = -lhiredis
FUZZ_DEPS_sentinel = fuzz/resp.h src/lib/lago_webhook_digits.h

define FUZZ_RULE
$(FUZZ_BUILD)/$(1): fuzz/$(1).c fuzz/fuzz.h src/lib/lago_webhook_$(1).c \
		src/lib/lago_webhook_$(1).h $(FUZZ_DEPS_$(1)) $(FUZZ_BUILD)/flags
	$$(FUZZ_CC) $$(FUZZ_CC_FLAGS) $$(FUZZ_CFLAGS) $$(FUZZ_SANITIZE) \
		-o $$@ fuzz/$(1).c src/lib/lago_webhook_$(1).c -ljansson \
		$$(FUZZ_LIBS_$(1))
endef

$(foreach t,$(FUZZ_LIB_HARNESSES),$(eval $(call FUZZ_RULE,$(t))))

# The body parser, with the helpers it calls, against nginx's core objects
# from the static build, taken from an archive so that only what is needed
# is linked (nginx.o, which has main(), is left out).  ngx_palloc.c is
# compiled again with NGX_DEBUG_PALLOC: every pool allocation is then a
# malloc() of its own, so that AddressSanitizer sees overruns in pools.

FUZZ_BODY_SRCS = src/api/ngx_http_lago_webhook_body.c src/lib/lago_webhook_url.c \
                 src/lib/lago_webhook_event_types.c

$(FUZZ_BUILD)/libngx.a: $(NGINX_STATIC)
	@mkdir -p $(FUZZ_BUILD)
	rm -f $@
	find $(FUZZ_NGX_OBJS)/src -name '*.o' ! -path '*/core/nginx.o' \
		| sort | xargs ar rcs $@

$(FUZZ_BUILD)/ngx_palloc.o: $(NGINX_SRC)/src/core/ngx_palloc.c \
		$(NGINX_STATIC) $(FUZZ_BUILD)/flags
	$(FUZZ_CC) -c $(FUZZ_NGX_FLAGS) $(FUZZ_CFLAGS) -fsanitize=address \
		-DNGX_DEBUG_PALLOC=1 $(FUZZ_NGX_INCS) -o $@ $<

$(FUZZ_BUILD)/body: fuzz/body.c fuzz/fuzz.h $(FUZZ_BODY_SRCS) \
		$(wildcard src/*.h src/*/*.h) $(FUZZ_BUILD)/ngx_palloc.o \
		$(FUZZ_BUILD)/libngx.a $(FUZZ_BUILD)/flags
	$(FUZZ_CC) $(FUZZ_NGX_FLAGS) -Werror $(FUZZ_CFLAGS) $(FUZZ_SANITIZE) \
		$(FUZZ_NGX_INCS) -Isrc -Isrc/api -Isrc/store -Isrc/redis -Isrc/ops -Isrc/lib -Ifuzz -o $@ fuzz/body.c \
		$(FUZZ_BODY_SRCS) $(FUZZ_BUILD)/ngx_palloc.o \
		$(FUZZ_BUILD)/libngx.a -ljansson -lm
