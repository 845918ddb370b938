# The two commands a newcomer needs: `make run` and `make test`.
# Both install missing Debian packages first (scripts/deps.sh, idempotent).
.PHONY: deps build run scan-sample test test-release test-asan bench eval clean

JOBS ?= 2

deps:
	bash scripts/deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j$(JOBS)

run: build
	@bash scripts/run-gateway.sh

scan-sample: build
	@echo "Scanning the bundled sample CRM export (data/samples/crm_contacts.csv):"
	./build/release/airlock scan --fail-on none data/samples/crm_contacts.csv

test: deps
	bash scripts/test.sh

test-release: build
	ctest --preset release -j$(JOBS)

test-asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j$(JOBS)
	ctest --preset asan -j$(JOBS)

bench: build
	bash bench/run.sh

eval: build
	./build/release/airlock-eval --datasets ../shared/datasets

clean:
	rm -rf build
