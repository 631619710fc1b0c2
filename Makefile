# A thin wrapper over meson: installs what is missing, configures, builds, runs.
# make, demo and install install only what building needs (tools/deps.sh
# build); test, bench and fuzz add what testing needs (tools/deps.sh test).
#   make          build ./build/mc
#   make demo     build and start mc --demo
#   make test     build (plain, ASan+UBSan, ThreadSanitizer) and run every test;
#                 the TSan build runs the tests that start threads
#   make bench    build and print the benchmark figures
#   make fuzz     build the fuzz harnesses (build-fuzz, clang) and run each for
#                 FUZZ_SECONDS (60) seconds; make test runs them over their seeds
#   make drills   the long fault and crash drills (tests/drills/run.sh: a
#                 100-kill storm, 8 processes for 60 s; DRILL_KILLS,
#                 DRILL_SECONDS); make test runs them short
#   make install  install (PREFIX=/usr/local; PROGRAM_NAME=mc; DESTDIR for packaging)
BUILD ?= build
ASAN ?= build-asan
TSAN ?= build-tsan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
MESON_OPTS ?= -Dwerror=true

.PHONY: all deps deps-test build demo test bench fuzz drills install clean

all: build

deps:
	@sh tools/deps.sh build

deps-test:
	@sh tools/deps.sh test

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) $(MESON_OPTS)

$(ASAN)/build.ninja: | deps
	meson setup $(ASAN) $(MESON_OPTS) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

$(TSAN)/build.ninja: | deps
	meson setup $(TSAN) $(MESON_OPTS) -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debug

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

demo: build
	./$(BUILD)/mc --demo

test: deps-test $(BUILD)/build.ninja $(ASAN)/build.ninja $(TSAN)/build.ninja
	meson compile -C $(BUILD)
	meson compile -C $(ASAN)
	meson compile -C $(TSAN)
	@FUZZ_BUILD=$(FUZZ_BUILD) sh tests/run.sh $(BUILD) $(ASAN) $(TSAN):threads fuzz

bench: deps-test build
	@sh bench/run.sh $(BUILD)

drills: deps-test build
	@sh tests/drills/run.sh $(BUILD)

fuzz: deps-test
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh fuzz

# make install PREFIX=~/.local [DESTDIR=...] [PROGRAM_NAME=mission-control]
PREFIX ?= /usr/local
PROGRAM_NAME ?= mc
install: build
	meson configure $(BUILD) -Dprefix=$(abspath $(PREFIX)) -Dprogram_name=$(PROGRAM_NAME)
	meson install -C $(BUILD) $(if $(DESTDIR),--destdir $(DESTDIR))

clean:
	rm -rf $(BUILD) $(ASAN) $(TSAN) $(FUZZ_BUILD)
