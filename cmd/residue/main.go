// Command residue finds memory-residue and misplaced-trust bugs in Django
// applications and the C code they call, and reports them as text, JSON or
// SARIF 2.1.0.
//
// Usage:
//
//	residue [scan] [flags] [PATH ...]
//	residue init | rules | explain RULE | version
//
// Exit codes: 0 no findings, 1 findings, 2 usage, configuration or rule error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/residue-sec/residue/analyzers/all"
)

// registry returns the analyzers a scan runs; tests substitute their own.
var registry = all.Analyzers

// Exit codes.
const (
	exitClean    = 0
	exitFindings = 1
	exitError    = 2
)

// usageError is an error in how residue was called: exit code 2 and a hint.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns its exit code.
func run(args []string, stdout, stderr io.Writer) int {
	cmd, rest := "scan", args
	if len(args) > 0 {
		switch args[0] {
		case "scan", "init", "rules", "explain", "version", "help":
			cmd, rest = args[0], args[1:]
		case "--version", "-version":
			cmd, rest = "version", nil
		case "-h", "--help", "-help":
			cmd, rest = "help", nil
		}
	}
	var code int
	var err error
	switch cmd {
	case "scan":
		code, err = scanCmd(rest, stdout, stderr)
	case "init":
		code, err = initCmd(rest, stdout, stderr)
	case "rules":
		code, err = rulesCmd(rest, stdout, stderr)
	case "explain":
		code, err = explainCmd(rest, stdout, stderr)
	case "version":
		code, err = versionCmd(rest, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, topUsage)
		return exitClean
	}
	if err != nil {
		if errors.Is(err, errHelp) {
			return exitClean
		}
		fmt.Fprintf(stderr, "residue: %v\n", err)
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "Run 'residue %s --help' for usage.\n", cmd)
		}
		return exitError
	}
	return code
}

const topUsage = `residue finds memory-residue and misplaced-trust bugs in Django applications
and the C code they call: ctypes buffers, uninitialized C memory, unvalidated
client-certificate data and request data written to logs.

Usage:
  residue [scan] [flags] [PATH ...]   scan files and directories (default: .)
  residue init [DIR]                  write a commented .residue.yml
  residue rules [--format text|json]  list the rules
  residue explain RULE                print a rule's documentation
  residue version                     print the version

Run 'residue COMMAND --help' for a command's flags and examples.

Exit codes: 0 no findings, 1 findings at or above --severity, 2 usage,
configuration or rule error.
`
