package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/residue-sec/residue/analyzers/report"
)

// preCommitSession identifies the process that started this one: the
// pre-commit run that splits a long file list into several runs of one
// hook, one after another, each started by it. It is the parent's process
// id and, where the system tells, the parent's start time, so that a later
// process with a reused id is another session.
func preCommitSession() string {
	ppid := os.Getppid()
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
func continueReport(r *report.Run, path string) *report.Run {
	if direct, err := writesInPlace(path); err != nil || direct {
		// A FIFO, a device, /dev/stdout: no report to read back, and a
		// read would wait for a writer that is this very run.
		return r
	}
	prev, err := readReport(path)
	if err != nil || prev.Session == "" || prev.Session != r.Session {
		return r
	}
	merged, err := mergeRuns([]*report.Run{prev, r}, []string{path, "this run"})
	if err != nil {
		return r
	}
	return merged
}
