# Copyright (C) The ngx_http_lago_webhook_module authors
# SPDX-License-Identifier: BSD-2-Clause
#
# Unit tests of the pure C helpers (no nginx needed).
#
# Included by the top-level Makefile, or used on its own, always from the
# repository root:
#
#     make -f t/unit/unit.mk unit-test
#     make -f t/unit/unit.mk unit-test CC=clang \
#         UNIT_CFLAGS=-fsanitize=address,undefined
#
# Each test binary prints "N passed, M failed" and exits non-zero when a
# check failed; unit-test builds and runs them all and fails if any failed.

UNIT_BUILD ?= build/unit
UNIT_CFLAGS ?=
UNIT_LDFLAGS ?=

UNIT_CC_FLAGS = -std=c99 -D_DEFAULT_SOURCE -W -Wall -Wextra -Werror -g -Isrc/lib

# test name: the helper it tests is src/lib/lago_webhook_<name>.c
UNIT_TESTS = url event_types json_escape uuid reply slot request record \
             cluster sentinel

# libraries a test needs beyond libc
UNIT_LIBS_reply = -lhiredis
UNIT_LIBS_cluster = -lhiredis
UNIT_LIBS_sentinel = -lhiredis

UNIT_BINS = $(addprefix $(UNIT_BUILD)/test_,$(UNIT_TESTS))

# The compiler and flags in use, kept in a file that changes only when they
# do, so that switching CC or adding sanitizers rebuilds every test.
UNIT_FLAGS_LINE = $(CC) $(UNIT_CC_FLAGS) $(UNIT_CFLAGS) $(UNIT_LDFLAGS)

.PHONY: unit-test unit-build unit-clean unit-force

unit-test: unit-build
	@failed=0; \
	for t in $(UNIT_BINS); do \
		printf '%s: ' "$$t"; \
		"$$t" || failed=1; \
	done; \
	if [ $$failed -ne 0 ]; then echo 'unit-test: FAILED'; fi; \
	exit $$failed

unit-build: $(UNIT_BINS)

unit-clean:
	rm -rf $(UNIT_BUILD)

unit-force:

$(UNIT_BUILD)/flags: unit-force
	@mkdir -p $(UNIT_BUILD)
	@echo '$(UNIT_FLAGS_LINE)' | cmp -s - $@ \
		|| echo '$(UNIT_FLAGS_LINE)' > $@

define UNIT_RULE
$(UNIT_BUILD)/test_$(1): t/unit/test_$(1).c src/lib/lago_webhook_$(1).c \
		$(wildcard src/lib/*.h) $(wildcard t/unit/*.h) $(UNIT_BUILD)/flags
	$$(CC) $$(UNIT_CC_FLAGS) $$(UNIT_CFLAGS) -o $$@ \
		t/unit/test_$(1).c src/lib/lago_webhook_$(1).c $$(UNIT_LIBS_$(1)) \
		$$(UNIT_LDFLAGS)
endef

$(foreach t,$(UNIT_TESTS),$(eval $(call UNIT_RULE,$(t))))
