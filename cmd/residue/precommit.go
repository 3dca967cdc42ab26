package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/residue-sec/residue/analyzers/report"
)

// preCommitSession identifies the process that started this one: the
// pre-commit run that splits a long file list into several runs of one
// hook, one after another, each started by it. It is the parent's process
// id and, where the system tells, the parent's start time, so that a later
// process with a reused id is another session. Only a hook pre-commit
// runs has a session (pre-commit sets PRE_COMMIT=1 for its hooks): runs
// from a shell or a script, one parent for hours, are not one invocation.
// Without a parent (this process is the first of a container's, pid 1,
// and its parent id 0) there is no session either: "".
func preCommitSession() string {
	ppid := os.Getppid()
	if ppid <= 0 || os.Getenv("PRE_COMMIT") != "1" {
		return ""
	}
	return fmt.Sprintf("%d@%s", ppid, processStart(ppid))
}

// processStart returns when process pid started, in clock ticks since
// boot, as Linux's /proc/PID/stat tells; "" elsewhere.
func processStart(pid int) string {
	if runtime.GOOS != "linux" {
		return ""
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// The command name, in parentheses, may hold blanks: the fields
	// after its closing parenthesis start with the third, the state;
	// the start time is the 22nd.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return ""
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 20 {
		return ""
	}
	return fields[19]
}

// continueReport returns r continuing the SARIF report at path when an
// earlier run of the same pre-commit session wrote it: r's findings,
// notifications, omitted fingerprints and files joined to that report's,
// as merge joins shards. A report of another session (yesterday's
// commit), of another configuration, or none, is replaced: r is returned.
// So is one that reports on a file r scanned (scanned holds r's paths,
// slash paths relative to the root, "." for all): pre-commit passes each
// file to one run of a session, so the same parent running residue again
// on a file (a script, a shell) is another session.
func continueReport(r *report.Run, path string, scanned []string) *report.Run {
	if direct, err := writesInPlace(path); err != nil || direct {
		// A FIFO, a device, /dev/stdout: no report to read back, and a
		// read would wait for a writer that is this very run.
		return r
	}
	prev, err := readReport(path)
	if err != nil || prev.Session == "" || prev.Session != r.Session || rescans(prev, scanned) {
		return r
	}
	merged, err := mergeRuns([]*report.Run{prev, r}, []string{path, "this run"})
	if err != nil {
		return r
	}
	return merged
}

// rescans reports whether a finding or notification of the report is on
// a file under one of the paths scanned.
func rescans(prev *report.Run, scanned []string) bool {
	for _, f := range prev.Findings {
		if under(f.Location.Path, scanned) {
			return true
		}
	}
	for _, n := range prev.Notifications {
		if n.Path != "" && under(n.Path, scanned) {
			return true
		}
	}
	return false
}

// under reports whether the slash path is one of paths or under one.
func under(path string, paths []string) bool {
	for _, p := range paths {
		if p == "." || path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// relativePaths returns the paths named on the command line as slash
// paths relative to root ("." for root itself; none named is ".", the
// current directory, as for the scan).
func relativePaths(root string, paths []string) []string {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var out []string
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			continue
		}
		out = append(out, filepath.ToSlash(rel))
	}
	return out
}
