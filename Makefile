# residue — build, test and demo targets. Needs Go and a C compiler (cgo).
GO      ?= go
BIN     ?= bin/residue
FUZZTIME ?= 20s

.PHONY: build test lint bench demo fuzz clean juliet

build:
	$(GO) build -o $(BIN) ./cmd/residue

## test: formatting, vet, and every test (the SARIF schema check runs where
## the shared check_sarif.py and python3-jsonschema are; see
## analyzers/analyzertest/sarifcheck). It says first whether it will.
test: lint
	@checker=$${RESIDUE_CHECK_SARIF:-../shared/check_sarif.py}; \
	if [ ! -f "$$checker" ]; then echo "note: SARIF schema check skipped: no $$checker (set RESIDUE_CHECK_SARIF)"; \
	elif ! python3 -c 'import jsonschema' 2>/dev/null && ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then \
		echo "note: SARIF schema check skipped: no python3 with jsonschema (apt-get install python3-jsonschema)"; \
	else echo "SARIF schema check: $$checker"; fi
	$(GO) test -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

## demo: build and scan the bundled demo project; its findings are expected
## (residue exits 1), so the target fails only on exit 2 (an error).
demo: build
	./$(BIN) scan testdata/demo; status=$$?; [ $$status -le 1 ] || exit $$status

## fuzz: run each fuzz target of the repository for FUZZTIME.
fuzz:
	@for file in $$(grep -rl --include='*_test.go' '^func Fuzz' analyzers cmd | sort); do \
		for target in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$file | cut -c6-); do \
			echo "$$target ./$$(dirname $$file)"; \
			$(GO) test -run='^$$' -fuzz="^$$target\$$" -fuzztime=$(FUZZTIME) ./$$(dirname $$file) || exit 1; \
		done; \
	done

## juliet: score cmem on the Juliet suite's CWE-457 cases, JULIET=path of a
## checkout of the suite (JULIET_PATHS=all scans the whole suite).
juliet: build
	@test -n "$(JULIET)" || { echo "usage: make juliet JULIET=path/to/juliet-test-suite-c"; exit 2; }
	$(GO) run ./scripts/juliet -residue $(BIN) -paths $(or $(JULIET_PATHS),457) $(JULIET)

clean:
	rm -rf bin
