# Lume: build, test and run the media-link resolver.
#
#   make            build build/lume-fcgi
#   make run        install what is missing, build, start nginx and the workers
#   make test       install what is missing, build, run every test
#   make compose-test  build the Docker images, run the Compose stack, test it
#                   (installs Docker when missing; part of make test)
#   make swarm-test the same images on a three-node Docker Swarm (node containers
#                   on this host), docker/stack.yaml deployed and tested; part of make test
#   make deps       install the missing Debian packages (apt-get update first)
#   make docs       the /docs site nginx serves (build/docs-site: Swagger UI and Redoc
#                   from the npm registry, docs/openapi.yaml as JSON); make docs-test
#                   lints and checks the document and, in headless Chromium, loads
#                   both pages and tries a request in /docs
#   make audit      TLS audit of the front with testssl.sh (docs/security.md)
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS (default 60) each
#   make bench      load the whole stack against its baselines (docs/performance.md;
#                   BENCH_QUICK=1 for a short run); not part of make test
#   make clean
#
# make test SANITIZE=1 builds everything with AddressSanitizer and UBSan.

CC      ?= cc
BUILD   ?= build
PKGS    := jansson libcurl libpcre2-8 libcrypto sqlite3 libavformat libavcodec libavutil
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wpedantic -Werror -pthread
# Three layers, each using only those below it (tests/structure/test_layers.py):
# fcgi-app/ (the service) -> providers/ -> fcgi-app/core/ (foundations). A
# provider's folder, providers/NAME/, is not on the include path: its headers
# are its own (tests name them from providers/: "archive/archive_parse.h").
CPPFLAGS += -D_GNU_SOURCE -Ifcgi-app -Iproviders -Ifcgi-app/core $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -pthread

ifeq ($(SANITIZE),1)
  BUILD   := build-sanitize
  CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
endif

APP_SRCS  := $(filter-out fcgi-app/main.c,$(wildcard fcgi-app/*.c fcgi-app/core/*.c))
# providers/: the interface, registry, results and shared helpers; then one
# folder per provider, providers/NAME/ (its registry line: providers/provider.c).
PROV_SRCS := $(wildcard providers/*.c providers/*/*.c)
LIB_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(APP_SRCS) $(PROV_SRCS))
BIN       := $(BUILD)/lume-fcgi

# Unit tests: tests/<dir>/test_*.c, one binary each, mirroring the source tree.
UNIT_SRCS := $(wildcard tests/fcgi-app/test_*.c tests/fcgi-app/core/test_*.c tests/providers/test_*.c \
	tests/providers/*/test_*.c)
UNIT_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: all deps run test unit-test process-test e2e-test compose-test swarm-test audit bench \
	clean format docs docs-test stremio-tools
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BIN): $(BUILD)/fcgi-app/main.o $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS) -lcmocka

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all docs
	@scripts/run.sh

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS) fuzz-build docs stremio-tools
	@BUILD=$(BUILD) scripts/test.sh

unit-test: all $(UNIT_BINS)
	@BUILD=$(BUILD) scripts/test.sh unit

process-test: all
	@BUILD=$(BUILD) scripts/test.sh process

e2e-test: all docs
	@BUILD=$(BUILD) scripts/test.sh e2e

audit: deps
	@LUME_EXTRA_PACKAGES=testssl.sh scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/audit.sh

# The benchmark (tests/load/bench.py): the -O2 build, the trivial libfcgi
# responder it compares against, then the loads; results in tests/load/results/.
BENCH_RESPONDER := $(BUILD)/tests/load/responder

$(BENCH_RESPONDER): tests/load/responder.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -lfcgi

# The Go peer (tests/load/peers/peer.go): the standard library only, Debian's golang-go.
BENCH_PEER_GO := $(BUILD)/tests/load/peer-go

$(BENCH_PEER_GO): tests/load/peers/peer.go
	@mkdir -p $(dir $@)
	go build -o $@ $<

# The library's driver (tests/load/library_index.c): the scanner and the
# prober outside the service; --wrap lets it leave the prober out.
BENCH_LIBRARY := $(BUILD)/tests/load/library-index

$(BENCH_LIBRARY): tests/load/library_index.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -Wl,--wrap=lume_probe_run_isolated -o $@ $< \
		$(LIB_OBJS) $(LDLIBS)

bench: deps
	@LUME_EXTRA_PACKAGES="wrk nghttp2-client gnuplot-nox strace valgrind golang-go nodejs" scripts/deps.sh
	@$(MAKE) --no-print-directory all $(BENCH_RESPONDER) $(BENCH_PEER_GO) $(BENCH_LIBRARY)
	@BUILD=$(BUILD) python3 tests/load/bench.py

# The Compose deployment (docker/): its own installs happen inside the suite.
compose-test: deps
	@$(MAKE) --no-print-directory docs
	@BUILD=$(BUILD) scripts/test.sh compose

# The same images on a three-node swarm (tests/swarm/): builds what it needs.
swarm-test: deps
	@$(MAKE) --no-print-directory docs
	@BUILD=$(BUILD) scripts/test.sh swarm

format:
	clang-format -i fcgi-app/*.[ch] fcgi-app/core/*.[ch] providers/*.[ch] providers/*/*.[ch] \
		tests/*/*.[ch] tests/fcgi-app/core/*.c tests/providers/*/*.c

clean:
	rm -rf build build-sanitize $(FUZZ_BUILD)

# --- The API description and the /docs page ----------------------------------
# tools/openapi/package-lock.json pins what comes from the npm registry: the
# linter (@redocly/cli), Swagger UI and Redoc. `npm ci` installs it into
# build/openapi/ (never committed, no install scripts run);
# tools/openapi/build_site.py makes build/docs-site/, which nginx serves at
# /docs (Swagger UI), /redoc, /openapi.json and /openapi.yaml, and the nginx
# image copies. Fixed paths, whatever BUILD is:
# nothing here is compiled. tests/docs/test_openapi.py runs the linter.
OPENAPI_NPM := build/openapi
DOCS_SITE   := build/docs-site

$(OPENAPI_NPM)/installed: tools/openapi/package.json tools/openapi/package-lock.json
	@mkdir -p $(OPENAPI_NPM)
	cp tools/openapi/package.json tools/openapi/package-lock.json $(OPENAPI_NPM)/
	cd $(OPENAPI_NPM) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

$(DOCS_SITE)/index.html: $(OPENAPI_NPM)/installed docs/openapi.yaml tools/openapi/docs.html \
		tools/openapi/swagger-ui-init.js tools/openapi/redoc.html tools/openapi/build_site.py
	python3 tools/openapi/build_site.py $(OPENAPI_NPM)/node_modules $(DOCS_SITE)

docs: $(DOCS_SITE)/index.html

# tools/stremio/package-lock.json pins Stremio's own client library for v3
# addons and its addon linter, which the addon's e2e test drives
# (tests/e2e/test_stremio.py); installed like the OpenAPI tools.
STREMIO_NPM := build/stremio

$(STREMIO_NPM)/installed: tools/stremio/package.json tools/stremio/package-lock.json
	@mkdir -p $(STREMIO_NPM)
	cp tools/stremio/package.json tools/stremio/package-lock.json $(STREMIO_NPM)/
	cd $(STREMIO_NPM) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

stremio-tools: $(STREMIO_NPM)/installed

docs-test: all docs
	@BUILD=$(BUILD) scripts/test.sh docs

# --- Fuzzing ------------------------------------------------------------------
# tests/fuzz/fuzz_NAME.c, one libFuzzer target each, built with clang-14 into
# build-fuzz/ (the gcc build is untouched), with the project's objects built
# there too with the same sanitizers. Seeds: tests/fuzz/NAME/; what libFuzzer
# finds goes to build-fuzz/corpus/NAME/. make test runs each for a few seconds.
FUZZ_CC      ?= clang-14
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -O1 -g -std=gnu11 -Wall -Wextra -Wpedantic -Werror -pthread $(FUZZ_SAN)
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))
FUZZ_LIB     := $(FUZZ_BUILD)/liblume.a
FUZZ_OBJS    := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(APP_SRCS) $(PROV_SRCS))

.PHONY: fuzz fuzz-build fuzz-test
fuzz-build: $(FUZZ_BINS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

fuzz-test: fuzz-build
	@BUILD=$(BUILD) scripts/test.sh fuzz

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(FUZZ_LIB)
	$(FUZZ_CC) $(CPPFLAGS) -Itests $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(LDLIBS)

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
