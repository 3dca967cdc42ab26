package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
	"github.com/residue-sec/residue/analyzers/rule"
)

// asResidueEnv, when "1", makes the test binary behave as the residue
// command with the test analyzers: testResidue writes a script that runs it
// so, for the tests that run residue as an external program (the pre-commit
// hooks, the GitHub action's scan step).
const asResidueEnv = "RESIDUE_TEST_AS_COMMAND"

// pauseBeforeRenameEnv, when "1" in the command's environment, makes an
// atomic write print pausedBeforeRename on stderr and wait forever before
// it renames its temporary file, for the signal tests.
const (
	pauseBeforeRenameEnv = "RESIDUE_TEST_PAUSE_BEFORE_RENAME"
	pausedBeforeRename   = "residue-test: paused before rename"
)

func TestMain(m *testing.M) {
	// Scans of testdata/ must not leave a cache in the checkout.
	var cacheDir string
	if os.Getenv(CacheDirEnv) == "" {
		var err error
		if cacheDir, err = os.MkdirTemp("", "residue-test-cache-"); err != nil {
			panic(err)
		}
		os.Setenv(CacheDirEnv, cacheDir)
	}
	code := 0
	if os.Getenv(asResidueEnv) == "1" {
		registry = func() []*analyzers.Analyzer { return testanalyzers.All }
		loadRules = func() (*rule.Set, error) { return testanalyzers.Rules(), nil }
		if os.Getenv(pauseBeforeRenameEnv) == "1" {
			beforeRename = func() {
				fmt.Fprintln(os.Stderr, pausedBeforeRename)
				select {}
			}
		}
		code = run(os.Args[1:], os.Stdout, os.Stderr)
	} else {
		code = m.Run()
	}
	if cacheDir != "" {
		os.RemoveAll(cacheDir)
	}
	os.Exit(code)
}

// testResidue writes an executable named residue into a new directory and
// returns its path: it runs this test binary as the residue command with
// the test analyzers, which report every call to leak().
func testResidue(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	must(t, err)
	dir := t.TempDir()
	path := filepath.Join(dir, "residue")
	script := "#!/bin/sh\n" + asResidueEnv + "=1 exec '" + self + "' \"$@\"\n"
	must(t, os.WriteFile(path, []byte(script), 0o755))
	return path
}
