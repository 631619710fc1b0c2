# A thin wrapper over meson: installs what is missing, configures, builds, runs.
#   make          build ./build/mc
#   make demo     build and start mc --demo
#   make test     build (plain and ASan+UBSan) and run every test
#   make bench    build and print the benchmark figures
BUILD ?= build
ASAN ?= build-asan
MESON_OPTS ?= -Dwerror=true

.PHONY: all deps build demo test bench clean

all: build

deps:
	@sh tools/deps.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) $(MESON_OPTS)

$(ASAN)/build.ninja: | deps
	meson setup $(ASAN) $(MESON_OPTS) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

demo: build
	./$(BUILD)/mc --demo

test: deps $(BUILD)/build.ninja $(ASAN)/build.ninja
	meson compile -C $(BUILD)
	meson compile -C $(ASAN)
	@sh tests/run.sh $(BUILD) $(ASAN)

bench: build
	@sh bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN)
