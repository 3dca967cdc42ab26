package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/driver"
	"github.com/residue-sec/residue/analyzers/report"
)

const mergeUsage = `Usage: residue merge [-o FILE] REPORT.sarif ...

Merge the SARIF reports of the shards of one scan ('residue scan --shard K/N
--format sarif') into one report, the same as the whole scan's: one upload
for GitHub code scanning. The reports must come from the same residue and
configuration (rules, category, baseline), and be every shard of one
scan, each once: a missing, repeated or foreign shard is an error (exit 2),
as a partial upload would close the alerts of the files it lacks.

Exit codes: 0 once the merged report is written, whether it holds findings
or not (each shard's scan exits 1 on its own), 2 on an error or when the
merged scan is incomplete.

Examples:
  residue merge -o residue.sarif shard-1.sarif shard-2.sarif shard-3.sarif
  residue merge shards/*.sarif > residue.sarif
`

func mergeCmd(args []string, stdout, stderr io.Writer) (int, error) {
	var output string
	fs := newCommand("merge", mergeUsage, stdout)
	fs.StringVar(&output, "o", "", "write the merged report to `FILE` instead of stdout (a regular file atomically; a device or FIFO directly; - is stdout)")
	paths, err := fs.parse(args)
	if err != nil {
		return exitError, err
	}
	if err := fs.emptyFlag("o"); err != nil {
		return exitError, err
	}
	if output == "-" {
		output = ""
	}
	if len(paths) == 0 {
		return exitError, &usageError{"merge needs at least one SARIF report"}
	}
	if slices.Contains(paths, "-") {
		return exitError, &usageError{"merge reads the shards' reports from files, not from stdin (-): save each report to a file first"}
	}
	if err := checkNotMerged(output, paths); err != nil {
		return exitError, err
	}
	// As scan's -o, but wherever the file is: a merge has no repository
	// root, and a report never belongs in a source or configuration file.
	if output != "" {
		if err := checkOutputTarget(output, filepath.Dir(absResolved(output))); err != nil {
			return exitError, err
		}
	}
	var runs []*report.Run
	for _, p := range paths {
		r, err := readReport(p)
		if err != nil {
			return exitError, err
		}
		runs = append(runs, r)
	}
	if err := checkShards(runs, paths); err != nil {
		return exitError, err
	}
	merged, err := mergeRuns(runs, paths)
	if err != nil {
		return exitError, err
	}
	if output == "" {
		err = report.WriteSARIF(stdout, merged)
	} else {
		err = writeOutput(output, func(f *os.File) error { return report.WriteSARIF(f, merged) })
	}
	if err != nil {
		return exitError, err
	}
	if output != "" {
		fmt.Fprintf(stderr, "residue: wrote %s: %s\n", output, report.Summary(merged))
	}
	if n := errorCount(merged.Notifications); n > 0 {
		// As the scan would: a shard's analyzer failed, or a rule's
		// findings are past the cap in the whole.
		fmt.Fprintf(stderr, "residue: the merged scan is incomplete: %d error%s in its notifications (SARIF executionSuccessful false)\n", n, plural(n))
		return exitError, nil
	}
	return exitClean, nil
}

// checkNotMerged refuses an output that is one of the reports merged: a
// merge run again would take the merged report for a shard. A device or
// FIFO is written in place, and replaces nothing.
func checkNotMerged(output string, paths []string) error {
	if output == "" {
		return nil
	}
	if direct, err := writesInPlace(output); err != nil || direct {
		return nil
	}
	target := absResolved(output)
	for _, p := range paths {
		if absResolved(p) == target {
			return &usageError{fmt.Sprintf("-o %s: one of the reports merged, which the merged report would replace (and a merge run again would read as a shard); write it to another file", output)}
		}
	}
	return nil
}

func readReport(path string) (*report.Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := report.ReadSARIF(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return r, nil
}

// notOneScan says how two shards' runs differ, "" when they are shards of
// one scan.
func notOneScan(a, b *report.Run) string {
	switch {
	case a.ToolVersion != b.ToolVersion:
		return fmt.Sprintf("residue %s made one, %s the other", a.ToolVersion, b.ToolVersion)
	case a.Category != b.Category:
		return fmt.Sprintf("their categories differ (%q, %q)", a.Category, b.Category)
	case a.Baseline != b.Baseline:
		return "one was compared with a baseline, the other not"
	case !slices.Equal(ruleIDs(a), ruleIDs(b)):
		return "their rules differ"
	case a.Scan != b.Scan:
		return "their scans differ (residue/scan): another build of residue (two builds of one version differ too: the jobs must run one executable), or other rules, settings, paths, filters or baseline"
	case a.Tree != b.Tree:
		return "they scanned other files (residue/tree: the paths and sizes of the files walked differ): another checkout, commit or working tree"
	}
	return ""
}

// ruleIDs returns the ids of a run's rules, in its order.
func ruleIDs(r *report.Run) []string {
	var out []string
	for _, rl := range r.Rules {
		out = append(out, rl.ID)
	}
	return out
}

// mergeRuns joins the shards' runs: findings, notifications, the
// fingerprints of the results cut and the counts of files together, in
// the order a whole scan reports them, and the run's own notifications
// once.
func mergeRuns(runs []*report.Run, paths []string) (*report.Run, error) {
	first := runs[0]
	merged := *first
	merged.Findings, merged.Notifications, merged.Omitted, merged.FilesScanned = nil, nil, nil, 0
	merged.Shard, merged.Scan, merged.Tree = "", "", ""
	for i, r := range runs {
		if why := notOneScan(first, r); why != "" {
			return nil, fmt.Errorf("%s and %s are not shards of one scan: %s", paths[0], paths[i], why)
		}
		merged.Findings = append(merged.Findings, r.Findings...)
		merged.Omitted = append(merged.Omitted, r.Omitted...)
		merged.FilesScanned += r.FilesScanned
		for _, n := range r.Notifications {
			if n.Path == "" && slices.Contains(merged.Notifications, n) {
				continue
			}
			merged.Notifications = append(merged.Notifications, n)
		}
	}
	capRules(&merged, runs)
	analyzers.SortFindings(merged.Findings)
	analyzers.SortNotifications(merged.Notifications)
	if merged.Findings == nil {
		merged.Findings = []analyzers.Finding{}
	}
	return &merged, nil
}

// capRules applies driver.MaxRuleFindings to the sum of the shards'
// counts of each rule, as the whole scan applies it to its own: a rule
// past it has its findings dropped, and the shards' errors about it (each
// shard's count past it) give way to one with the whole count. The whole
// scan's errors come together, in the rules' order: they take the place
// of the first shard's error, else come after the other notifications.
func capRules(merged *report.Run, runs []*report.Run) {
	merged.RuleFindings = nil
	over := map[string]bool{}
	var notes, owns []analyzers.Notification
	for _, rl := range merged.Rules {
		var total int64
		for _, r := range runs {
			if k := r.RuleFindings[rl.ID]; k > 0 {
				total += k
				if k > driver.MaxRuleFindings {
					owns = append(owns, driver.OverflowNotification(rl.ID, k))
				}
			}
		}
		if total > driver.MaxRuleFindings {
			over[rl.ID] = true
			notes = append(notes, driver.OverflowNotification(rl.ID, total))
		}
	}
	if len(notes) == 0 {
		return
	}
	placed := false
	var kept []analyzers.Notification
	for _, n := range merged.Notifications {
		switch {
		case !slices.Contains(owns, n):
			kept = append(kept, n)
		case !placed:
			kept, placed = append(kept, notes...), true
		}
	}
	if !placed {
		kept = append(kept, notes...)
	}
	merged.Notifications = kept
	merged.Findings = slices.DeleteFunc(merged.Findings, func(f analyzers.Finding) bool { return over[f.RuleID] })
}

// checkShards checks that the runs are the shards K/N of one scan, every
// K from 1 to N once.
func checkShards(runs []*report.Run, paths []string) error {
	count := 0
	seen := map[int]string{}
	for i, r := range runs {
		var s shardFlag
		if s.Set(r.Shard) != nil {
			return fmt.Errorf("%s is not the report of a shard (residue scan --shard K/N --format sarif)", paths[i])
		}
		k, n := s.Index+1, s.Count
		if count == 0 {
			count = n
		}
		if n != count {
			return fmt.Errorf("%s is shard %s, %s one of %d shards: not one scan", paths[i], r.Shard, paths[0], count)
		}
		if prev, dup := seen[k]; dup {
			return fmt.Errorf("%s and %s are both shard %d/%d", prev, paths[i], k, n)
		}
		seen[k] = paths[i]
	}
	var missing []string
	for k := 1; k <= count; k++ {
		if _, ok := seen[k]; !ok {
			missing = append(missing, fmt.Sprintf("%d/%d", k, count))
		}
	}
	if len(missing) > 10 {
		missing = append(missing[:10], fmt.Sprintf("and %d more", len(missing)-10))
	}
	if len(missing) > 0 {
		return fmt.Errorf("shard %s missing: the merge would lack its files' findings", strings.Join(missing, ", "))
	}
	return nil
}
