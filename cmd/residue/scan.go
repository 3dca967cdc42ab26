package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/driver"
	"github.com/residue-sec/residue/analyzers/report"
	"github.com/residue-sec/residue/analyzers/rule"
)

const scanUsage = `Usage: residue [scan] [flags] [PATH ...]

Scan Python and C files under each PATH (default: the current directory) and
report findings. Paths in the report are relative to the repository root (the
git top level above the first PATH, else that PATH). .gitignore files are
honoured; a file named explicitly is scanned even if ignored.

The configuration file is the nearest .residue.yml at or above the folder
that holds every PATH, up to the repository root, or the file named by
--config ('residue init' writes a starter file): one configuration applies
to a whole scan, so a nested .residue.yml applies only to scans of its
folder. Its exclude globs apply to files named explicitly too.

Examples:
  residue                                   scan the current directory
  residue scan src/ native/                 scan two folders
  residue scan --format sarif -o residue.sarif .
  residue scan --severity error --exclude 'tests/**' .
  residue scan --format json . | jq '.findings[].rule'
  residue scan --baseline residue-baseline.sarif .   report only new findings
  residue scan --diff-base origin/main .    report only findings on changed lines
  residue scan --format github .            GitHub Actions annotations

Exit codes: 0 no findings at or above --severity, 1 findings, 2 usage,
configuration or rule error, or an incomplete scan (an error on stderr says
what was left out: an analyzer that failed, a rule past the findings cap,
a file cut by a wall-clock backstop or changed during the scan).
Unreadable, binary or oversized files are warnings on stderr (and SARIF
notifications), not errors.
`

// scanOptions are the scan command's flags.
type scanOptions struct {
	format            string
	output            string
	severity          string
	jobs              int
	include, exclude  listFlag
	category          string
	quiet             bool
	exitZero          bool
	includeSuppressed bool
	warnUnusedIgnores bool
	maxFileSize       int64
	noColor           bool
	noIgnore          bool
	cacheDir          string
	noCache           bool
	shard             shardFlag
	config            string
	baseline          string
	diffBase          string
	rules             ruleSource
	preCommit         bool
	// set holds the names of the flags given on the command line.
	set map[string]bool
}

func scanCmd(args []string, stdout, stderr io.Writer) (int, error) {
	var o scanOptions
	fs := newCommand("scan", scanUsage, stdout)
	fs.StringVar(&o.format, "format", "text", "output `FORMAT`: text, json, sarif or github (workflow-command annotations)")
	fs.StringVar(&o.format, "f", "text", "shorthand for --format `FORMAT`")
	fs.StringVar(&o.output, "o", "", "write the report to `FILE` instead of stdout (a regular file atomically; a device or FIFO directly; - is stdout)")
	fs.StringVar(&o.severity, "severity", "note", "report only findings at or above `LEVEL`: error, warning or note")
	fs.IntVar(&o.jobs, "jobs", 0, "`N` files analyzed in parallel (default: the number of CPUs)")
	fs.Var(&o.include, "include", "scan only files matching `GLOB` (doublestar, relative to the root; repeatable; replaces the configuration's)")
	fs.Var(&o.exclude, "exclude", "skip files and folders matching `GLOB` (repeatable; added to the configuration's)")
	fs.StringVar(&o.category, "category", "", "SARIF automationDetails.id (`ID`), to tell several scans of one repository apart")
	fs.BoolVar(&o.quiet, "quiet", false, "print no warnings and no summary, only findings and errors")
	fs.BoolVar(&o.exitZero, "exit-zero", false, "exit 0 even when there are findings")
	fs.BoolVar(&o.includeSuppressed, "include-suppressed", false, "keep suppressed findings, marked as suppressed")
	fs.BoolVar(&o.warnUnusedIgnores, "warn-unused-ignores", false, "warn about residue: ignore comments that suppress nothing")
	o.maxFileSize = driver.DefaultMaxFileSize
	fs.Var((*sizeFlag)(&o.maxFileSize), "max-file-size", "skip files larger than `SIZE`: bytes, or with a unit such as 512KiB or 2MiB (overrides the configuration's)")
	fs.BoolVar(&o.noColor, "no-color", false, "no colour in text output (also: NO_COLOR=1)")
	fs.BoolVar(&o.noIgnore, "no-ignore", false, "do not honour .gitignore files")
	fs.StringVar(&o.cacheDir, "cache-dir", "", "keep unchanged files' results between runs in `DIR` (default: .residue_cache at the repository root)")
	fs.BoolVar(&o.noCache, "no-cache", false, "neither read nor write the cache")
	fs.Var(&o.shard, "shard", "report only shard `K/N` of the files (1 ≤ K ≤ N), for CI matrices; 'residue merge' joins the shards' SARIF reports")
	fs.StringVar(&o.config, "config", "", "read the configuration from `FILE` instead of the nearest .residue.yml")
	fs.StringVar(&o.baseline, "baseline", "", "leave out the findings of an earlier SARIF report `FILE` (report only new ones)")
	fs.StringVar(&o.diffBase, "diff-base", "", "report only findings on lines changed since git revision `REV`")
	fs.BoolVar(&o.preCommit, "pre-commit", false, "run as a pre-commit hook: the SARIF report of -o gathers every run of one pre-commit invocation (pre-commit splits long file lists)")
	o.rules.register(fs)
	paths, err := fs.parse(args)
	if err != nil {
		return exitError, err
	}
	if err := fs.emptyFlag("o", "diff-base", "baseline", "cache-dir", "config", "rules"); err != nil {
		return exitError, err
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if o.output == "-" {
		o.output = "" // stdout, as for most commands
	}
	if err := o.validate(); err != nil {
		return exitError, err
	}
	sc, err := o.prepare(paths)
	if err != nil {
		return exitError, err
	}
	res, err := driver.Run(sc.driver)
	if err != nil {
		return exitError, err
	}
	for _, n := range res.Notifications {
		// --quiet leaves out warnings and notes, never an error: the
		// incomplete scan's message below points at it.
		if !o.quiet || n.Level == "error" {
			printNotification(stderr, n)
		}
	}
	findings := sc.filter(res.Findings, &o, stderr)
	r := &report.Run{ToolVersion: toolVersion(), Rules: res.Rules, Findings: findings,
		Notifications: res.Notifications, Category: o.category, FilesScanned: res.FilesScanned, FilesSkipped: res.FilesSkipped,
		Baseline: sc.baseline != nil, Shard: o.shard.String(), Scan: sc.scan}
	if r.Shard != "" {
		r.RuleFindings, r.Tree = res.RuleFindings, res.Tree
	}
	if o.preCommit && o.format == "sarif" && o.output != "" {
		r.Session = preCommitSession()
		r = continueReport(r, o.output, relativePaths(res.Root, paths))
	}
	if err := o.write(r, stdout); err != nil {
		return exitError, err
	}
	if o.output != "" && !o.quiet {
		fmt.Fprintf(stderr, "residue: wrote %s: %s\n", o.output, report.Summary(r))
	}
	if n := errorCount(res.Notifications); n > 0 {
		// An analyzer failed, or a rule's findings were dropped: the
		// report lacks them, and an upload would close their alerts.
		fmt.Fprintf(stderr, "residue: the scan is incomplete: %d error%s above (SARIF executionSuccessful false)\n", n, plural(n))
		return exitError, nil
	}
	if unsuppressed(findings) > 0 && !o.exitZero {
		return exitFindings, nil
	}
	return exitClean, nil
}

// maxJobs bounds --jobs: each job is a worker with its parsers, made
// before the scan.
const maxJobs = 1024

func (o *scanOptions) validate() error {
	switch o.format {
	case "text", "json", "sarif", "github":
	default:
		return &usageError{fmt.Sprintf("unknown --format %q (want text, json, sarif or github)", o.format)}
	}
	if rule.SeverityRank(o.severity) == 0 {
		return &usageError{fmt.Sprintf("unknown --severity %q (want error, warning or note)", o.severity)}
	}
	if o.jobs < 0 || o.jobs > maxJobs {
		return &usageError{fmt.Sprintf("--jobs must be 0 (one per CPU) or more, at most %d", maxJobs)}
	}
	if o.preCommit && o.output != "" && o.format != "sarif" {
		return &usageError{"--pre-commit gathers the runs of one pre-commit invocation in a SARIF report only: with -o, use --format sarif (pre-commit splits long file lists, and each run would replace the last)"}
	}
	if o.noCache && o.cacheDir != "" {
		return &usageError{"--no-cache and --cache-dir contradict each other: give one"}
	}
	if o.output != "" {
		switch fi, err := os.Stat(filepath.Dir(o.output)); {
		case errors.Is(err, fs.ErrNotExist):
			return &usageError{fmt.Sprintf("-o %s: no such directory %s", o.output, filepath.Dir(o.output))}
		case err != nil || !fi.IsDir():
			return &usageError{fmt.Sprintf("-o %s: %s is not a directory", o.output, filepath.Dir(o.output))}
		}
	}
	if o.maxFileSize <= 0 {
		return &usageError{"--max-file-size must be positive"}
	}
	return nil
}

// write writes the report in the chosen format to -o or stdout.
func (o *scanOptions) write(r *report.Run, stdout io.Writer) error {
	emit := func(w io.Writer, color bool) error {
		switch o.format {
		case "json":
			return report.WriteJSON(w, r)
		case "sarif":
			return report.WriteSARIF(w, r)
		case "github":
			return report.WriteGitHub(w, r)
		}
		// Notifications already went to stderr.
		text := *r
		text.Notifications = nil
		return report.WriteText(w, &text, report.TextOptions{Color: color, Quiet: o.quiet})
	}
	if o.output != "" {
		return writeOutput(o.output, func(f *os.File) error { return emit(f, false) })
	}
	color := false
	if f, ok := terminalOf(stdout); ok && !o.noColor {
		color = report.ColorFor(f)
	}
	return emit(stdout, color)
}

// printNotification prints one warning line: "residue: PATH[:LINE]: LEVEL:
// MESSAGE", with the first line of the message; the path and the message
// are escaped (report.Printable), as they may come from the scanned code.
func printNotification(w io.Writer, n analyzers.Notification) {
	msg := n.Message
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	msg = report.Printable(msg)
	if n.Path != "" {
		fmt.Fprintf(w, "residue: %s: %s: %s\n", report.NotePlace(n), n.Level, msg)
		return
	}
	fmt.Fprintf(w, "residue: %s: %s\n", n.Level, msg)
}

func unsuppressed(fs []analyzers.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Suppression == nil {
			n++
		}
	}
	return n
}

// errorCount counts the notifications of level error: what the scan could
// not do.
func errorCount(notes []analyzers.Notification) int {
	n := 0
	for _, note := range notes {
		if note.Level == "error" {
			n++
		}
	}
	return n
}
