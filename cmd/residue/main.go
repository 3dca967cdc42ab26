// Command residue finds memory-residue and misplaced-trust bugs in Django
// applications and the C code they call, and reports them as text, JSON or
// SARIF 2.1.0.
//
// Usage:
//
//	residue [scan] [flags] [PATH ...]
//	residue init | rules | explain RULE | version
//
// Exit codes: 0 no findings, 1 findings, 2 usage, configuration or rule
// error, or an incomplete scan.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

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

// commands maps each subcommand to its function.
var commands = map[string]func(args []string, stdout, stderr io.Writer) (int, error){
	"scan": scanCmd, "init": initCmd, "rules": rulesCmd, "explain": explainCmd,
	"test": testCmd, "query": queryCmd, "version": versionCmd, "merge": mergeCmd,
}

// commandNames lists the subcommands for error messages.
const commandNames = "scan, init, rules, explain, test, query, merge, version"

// looksLikeCommand reports whether arg, the first argument and neither a
// command nor a flag, was meant as a command: a plain word that names no
// file or directory. Anything else is a path to scan.
func looksLikeCommand(arg string) bool {
	if arg == "" || strings.HasPrefix(arg, "-") || strings.ContainsAny(arg, `./\`) {
		return false
	}
	_, err := os.Lstat(arg)
	return errors.Is(err, fs.ErrNotExist)
}

// run executes one command line and returns its exit code. Output that
// could not be written (a full disk) is an error, whatever the command.
func run(args []string, stdout, stderr io.Writer) int {
	out := &checkedWriter{w: stdout}
	code := runCommand(args, out, stderr)
	if out.err != nil && code != exitError { // an exit 2 said why already
		fmt.Fprintf(stderr, "residue: writing the output: %v\n", out.err)
		return exitError
	}
	return code
}

// terminalOf returns the file under w, unwrapping a checkedWriter: output
// to a terminal may be coloured.
func terminalOf(w io.Writer) (*os.File, bool) {
	if c, ok := w.(*checkedWriter); ok {
		w = c.w
	}
	f, ok := w.(*os.File)
	return f, ok
}

// A checkedWriter keeps the first error of its writes.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.err = err
	return n, err
}

// runCommand runs one command line.
func runCommand(args []string, stdout, stderr io.Writer) int {
	cmd, rest := "scan", args
	if len(args) > 0 {
		switch a := args[0]; {
		case commands[a] != nil:
			cmd, rest = a, args[1:]
		case a == "--version" || a == "-version":
			cmd, rest = "version", nil
		case a == "help" && len(args) > 1:
			if commands[args[1]] == nil {
				fmt.Fprintf(stderr, "residue: unknown command %q (commands: %s)\n", args[1], commandNames)
				return exitError
			}
			cmd, rest = args[1], []string{"--help"} // residue help scan
		case a == "help" || a == "-h" || a == "--help" || a == "-help":
			fmt.Fprint(stdout, topUsage)
			return exitClean
		case looksLikeCommand(a):
			fmt.Fprintf(stderr, "residue: unknown command %q (commands: %s; a path to scan must exist)\nRun 'residue --help' for usage.\n", a, commandNames)
			return exitError
		}
	}
	code, err := commands[cmd](rest, stdout, stderr)
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
  residue test DIR                    run the tests of a rules directory
  residue query --lang L QUERY [PATH ...]
                                      search with a tree-sitter query or --pattern
  residue merge [-o FILE] REPORT ...  merge the SARIF reports of a scan's shards
  residue version                     print the version

Run 'residue COMMAND --help' for a command's flags and examples.

Exit codes: 0 no findings, 1 findings at or above --severity, 2 usage,
configuration or rule error, or an incomplete scan (errors above).
`
