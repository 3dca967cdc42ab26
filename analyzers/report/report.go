// Package report writes residue's findings as text, JSON or SARIF 2.1.0.
//
// The writers take a Run, everything one scan reports, and never reorder or
// filter it: the driver has already sorted the findings, applied
// suppressions, the baseline and the severity threshold. Output is
// deterministic: the same Run always produces the same bytes.
package report

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/rule"
)

// InformationURI is the project page written to SARIF's tool.driver.
const InformationURI = "https://github.com/residue-sec/residue"

// toolName is the tool's name in every format.
const toolName = "residue"

// Run is everything one scan reports.
type Run struct {
	// ToolVersion is residue's version, e.g. "0.1.0".
	ToolVersion string
	// Rules are every rule that ran, sorted by id.
	Rules []*rule.Rule
	// Findings are already filtered and sorted (path, line, column, rule),
	// with Level and Fingerprint set. Suppression is non-nil only when the
	// user asked to include suppressed findings.
	Findings []analyzers.Finding
	// Notifications are the problems with the run (skipped files, parse
	// errors, analyzer panics), in order.
	Notifications []analyzers.Notification
	// Category is --category: the SARIF automationDetails.id prefix that
	// tells GitHub code scanning apart the analyses of one commit; "" for
	// none.
	Category string
	// FilesScanned is the number of files analyzed.
	FilesScanned int
	// FilesSkipped is the number of files (and paths) skipped, each with a
	// notification: they are not among FilesScanned, and a summary of "no
	// findings" says how many were not looked at.
	FilesSkipped int
	// Baseline is set when the findings were compared with a baseline
	// report, which left out the ones it holds: every SARIF result is then
	// marked with baselineState "new".
	Baseline bool
	// Omitted are the fingerprints of findings an earlier SARIF report
	// could not hold (SARIFReport.Omitted), when Findings continue it.
	Omitted []string
	// Shard, when set, says which shard of a scan the run reports ("2/4",
	// residue scan --shard), so that merge can check it has them all;
	// Scan identifies the scan (what decides the findings reported beyond
	// the shard's files: the paths, the filters, the configuration), so
	// that merge joins only shards of one; Tree, in a shard's report, the
	// files every shard walked (driver.Result.Tree), so that it joins only
	// shards of one checkout.
	Shard, Scan, Tree string
	// RuleFindings are, in a shard's report, the findings of its files
	// that each rule capped by a run's count had (driver.Result's), for
	// merge to apply the cap to the whole scan's.
	RuleFindings map[string]int64
	// Session, when set, identifies the pre-commit invocation whose runs
	// the report gathers; SARIF records it, with FilesScanned, in the
	// run's properties, for the next run of the session to continue it.
	Session string
}
