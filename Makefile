# residue — build, test and demo targets. Needs Go and a C compiler (cgo).
GO      ?= go
BIN     ?= bin/residue
FUZZTIME ?= 20s

.PHONY: build test lint bench demo fuzz clean juliet

build:
	$(GO) build -o $(BIN) ./cmd/residue

## test: formatting, vet, and every test (the SARIF schema check runs where
## the shared check_sarif.py and python3-jsonschema are; see
## analyzers/analyzertest/sarifcheck).
test: lint
	$(GO) test -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

## demo: build and scan the bundled demo project (exit 1 means findings).
demo: build
	./$(BIN) scan testdata/demo; status=$$?; [ $$status -le 1 ] || exit $$status

## fuzz: run each fuzz target for FUZZTIME.
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzParseAndAnalyze -fuzztime=$(FUZZTIME) ./analyzers/driver
	$(GO) test -run='^$$' -fuzz=FuzzLines -fuzztime=$(FUZZTIME) ./analyzers/source
	$(GO) test -run='^$$' -fuzz=FuzzSnapshotDecode -fuzztime=$(FUZZTIME) ./analyzers/source
	$(GO) test -run='^$$' -fuzz=FuzzRuleParse -fuzztime=$(FUZZTIME) ./analyzers/rule
	$(GO) test -run='^$$' -fuzz=FuzzParse -fuzztime=$(FUZZTIME) ./analyzers/config
	$(GO) test -run='^$$' -fuzz=FuzzParse -fuzztime=$(FUZZTIME) ./analyzers/gitdiff
	$(GO) test -run='^$$' -fuzz=FuzzLogging -fuzztime=$(FUZZTIME) ./analyzers/logging
	$(GO) test -run='^$$' -fuzz=FuzzModel -fuzztime=$(FUZZTIME) ./analyzers/pysrc
	$(GO) test -run='^$$' -fuzz=FuzzMtls -fuzztime=$(FUZZTIME) ./analyzers/mtls
	$(GO) test -run='^$$' -fuzz=FuzzCmem -fuzztime=$(FUZZTIME) ./analyzers/cmem
	$(GO) test -run='^$$' -fuzz=FuzzCrosslang -fuzztime=$(FUZZTIME) ./analyzers/crosslang
	$(GO) test -run='^$$' -fuzz=FuzzModel -fuzztime=$(FUZZTIME) ./analyzers/csrc
	$(GO) test -run='^$$' -fuzz=FuzzCtypes -fuzztime=$(FUZZTIME) ./analyzers/ctypes
	$(GO) test -run='^$$' -fuzz=FuzzEncodeURI -fuzztime=$(FUZZTIME) ./analyzers/report

## juliet: score cmem on the Juliet suite's CWE-457 cases, JULIET=path of a
## checkout of the suite (JULIET_PATHS=all scans the whole suite).
juliet: build
	@test -n "$(JULIET)" || { echo "usage: make juliet JULIET=path/to/juliet-test-suite-c"; exit 2; }
	$(GO) run ./scripts/juliet -residue $(BIN) -paths $(or $(JULIET_PATHS),457) $(JULIET)

clean:
	rm -rf bin
