# ytexa: `make run` to try it, `make test` to check it. See README.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
PORT       ?= 8080
DATA       ?= var
JOBS       ?= 2
CMAKE_FLAGS ?=

.PHONY: all setup build web run test test-unit test-asan test-postgres soak bench fuzz clean

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)
	@$(MAKE) --no-print-directory web

web:
	@if [ -f web/package.json ]; then (cd web && npm run --silent build >/dev/null) && echo "web app built into web/dist"; fi

run: build
	@$(BUILD)/ytexa demo --data $(DATA)
	@echo
	@echo "ytexa is starting on http://127.0.0.1:$(PORT)  (Ctrl-C to stop)"
	@echo
	@PORT=$(PORT) exec $(BUILD)/ytexa serve --data $(DATA) --web web/dist

# The unit tests, the static checks and the browser tests on the regular build; the unit tests
# again and the API tests against the server built with AddressSanitizer and UBSan (a finding fails
# the run). The API tests run against the regular build on PostgreSQL (test-postgres): each build
# meets every API test once, and CI stays within its time.
test: build test-asan
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -LE '^api$$'

test-asan: setup
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DYX_SANITIZE=ON -DYX_E2E_TESTS=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j$(JOBS)

# The unit and API tests on a PostgreSQL server of their own (started and stopped here); then,
# when `make test` has built it, the unit tests of the sanitized build on PostgreSQL too (the
# PostgreSQL engine's own code, its pipeline, runs under AddressSanitizer and UBSan only there).
test-postgres: build
	@bash scripts/test-postgres.sh $(BUILD)
	@if [ -x $(ASAN_BUILD)/store_test ]; then \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		YTEXA_TEST_REGEX='^unit\.' bash scripts/test-postgres.sh $(ASAN_BUILD); fi

# The kill -9 soak for 200 cycles (SOAK_CYCLES) on SQLite, then on PostgreSQL (about 45 min here).
soak: build
	@bash scripts/soak.sh $(BUILD)

bench: build
	@bash bench/run.sh

fuzz: setup
	@bash fuzz/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) web/dist
