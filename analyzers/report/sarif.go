package report

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/residue-sec/residue/analyzers"
)

const (
	// srcRoot is the uriBaseId of every location: paths are relative to
	// the repository root, which GitHub's upload action resolves.
	srcRoot = "%SRCROOT%"
	// FingerprintKey names residue's own fingerprint in
	// partialFingerprints; primaryLocationLineHash is left to GitHub's
	// upload action, which computes it.
	FingerprintKey = analyzers.FingerprintKey
	// columnKind says how columns count: UTF-16 code units, like
	// source.Range.
	columnKind = "utf16CodeUnits"
	// omittedKey names the run property that lists the fingerprints of
	// the findings cut to keep GitHub's limits, so that a report of any
	// size is a complete baseline.
	omittedKey = "residue/omittedFingerprints"
	// sessionKey and filesKey name the run properties of Run.Session and
	// of the files scanned in the session.
	sessionKey = "residue/pre-commit-session"
	filesKey   = "residue/filesScanned"
	// shardKey, scanKey, treeKey and baselineKey name the run properties
	// of Run.Shard, Run.Scan, Run.Tree and Run.Baseline.
	shardKey    = "residue/shard"
	scanKey     = "residue/scan"
	treeKey     = "residue/tree"
	baselineKey = "residue/baseline"
	// ruleFindingsKey names the run property of a shard's
	// Run.RuleFindings.
	ruleFindingsKey = "residue/ruleFindings"
)

// WriteSARIF writes r as a SARIF 2.1.0 log of one run, indented by two
// spaces and ended by a newline, in the form GitHub code scanning expects:
// every rule that ran in tool.driver.rules, results with ruleIndex,
// partialFingerprints["residue/v1"], paths relative to %SRCROOT% and
// listed once in the run's artifacts (each artifactLocation with its
// index there), relatedLocations, codeFlows, fixes, inSource suppressions and, after a
// baseline comparison, baselineState "new", and the
// notifications as the invocation's toolExecutionNotifications. Empty
// results and rules are written as [] so that a clean scan closes old
// alerts. GitHub's limits are kept by truncating, each cut reported by a
// notification: 25,000 results per run, 1,000 related locations and 10,000
// code-flow steps per result, 20 tags per rule, and 10 MB gzipped, reached
// by leaving out the source snippets and then halving the results. The
// fingerprints of the results cut, and r.Omitted, are listed in the run's
// property "residue/omittedFingerprints", so that every report is a
// complete baseline, unless they alone do not fit (millions of findings):
// then they are left out, with a notification. The report of a shard
// (r.Shard) is not cut: merge cuts the shards' merged report as the
// whole scan's.
func WriteSARIF(w io.Writer, r *Run) error {
	return writeSARIF(w, r, maxGzipBytes)
}

// writeSARIF is WriteSARIF with the gzipped size limit as a parameter.
func writeSARIF(w io.Writer, r *Run, limit int) error {
	if r.Shard != "" {
		// A shard's report is merged before it is uploaded: it keeps
		// everything, and merge cuts what the whole scan's report would.
		doc, err := encodeSARIF(r, plan{results: len(r.Findings), snippets: true, uncut: true})
		if err != nil {
			return err
		}
		_, err = w.Write(doc)
		return err
	}
	p := plan{results: min(len(r.Findings), maxResults), snippets: true}
	for {
		doc, err := encodeSARIF(r, p)
		if err != nil {
			return err
		}
		if gzipSize(doc) <= limit || (!p.snippets && p.results == 0 && p.noFingerprints) {
			_, err = w.Write(doc)
			return err
		}
		switch {
		case p.snippets:
			p.snippets = false
		case p.results > 0:
			p.results /= 2
			p.shrunk = true
		default:
			// The fingerprints of the results cut alone are too many:
			// they go, and the results are fitted again without them.
			p = plan{results: min(len(r.Findings), maxResults), snippets: true, noFingerprints: true}
		}
	}
}

// encodeSARIF returns the SARIF log of r under plan p, indented.
func encodeSARIF(r *Run, p plan) ([]byte, error) {
	log, err := buildSARIF(r, p)
	if err != nil {
		return nil, err
	}
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(log); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, dropNullMembers(compact.Bytes()), "", "  "); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// buildSARIF returns the SARIF log of r under plan p.
func buildSARIF(r *Run, p plan) (*sarif.Report, error) {
	log, err := sarif.New(sarif.Version210)
	if err != nil {
		return nil, err
	}
	rules, index, notes := sarifRules(r.Rules)
	driver := sarif.NewDriver(toolName).WithInformationURI(InformationURI)
	driver.Rules = rules
	if r.ToolVersion != "" {
		driver.WithVersion(r.ToolVersion).WithSemanticVersion(r.ToolVersion)
	}
	run := sarif.NewRun(*sarif.NewTool(driver)).WithColumnKind(columnKind)
	c := resultConverter{index: index, snippets: p.snippets, uncut: p.uncut, baseline: r.Baseline, artifacts: newArtifactList()}
	for i := range r.Findings[:p.results] {
		run.Results = append(run.Results, c.result(&r.Findings[i]))
	}
	if r.Category != "" {
		run.WithAutomationDetails(sarif.NewRunAutomationDetails().WithID(automationID(r.Category)))
	}

	// Baselines need every fingerprint: those of the findings cut here
	// are kept in the run's properties.
	run.Properties = sarif.Properties{}
	if omitted := omittedFingerprints(r, p); len(omitted) > 0 {
		run.Properties[omittedKey] = omitted
	}
	if r.Shard != "" {
		run.Properties[shardKey] = r.Shard
		run.Properties[filesKey] = r.FilesScanned // merge adds them up
		if len(r.RuleFindings) > 0 {
			run.Properties[ruleFindingsKey] = r.RuleFindings
		}
	}
	if r.Scan != "" {
		run.Properties[scanKey] = r.Scan
	}
	if r.Tree != "" {
		run.Properties[treeKey] = r.Tree
	}
	if r.Baseline {
		// Said once for the run: a run without new findings has no
		// result to say it.
		run.Properties[baselineKey] = true
	}
	if r.Session != "" {
		run.Properties[sessionKey] = r.Session
		run.Properties[filesKey] = r.FilesScanned
	}

	// An error notification (an analyzer that failed on a file) means the
	// analysis did not run completely.
	inv := sarif.NewInvocation().WithExecutionSuccess(!hasError(r.Notifications))
	for _, n := range r.Notifications {
		inv.AddTToolExecutionNotification(sarifNotification(n, c.artifacts))
	}
	// The writer's own notifications, about what it cut: a report read
	// back (ReadSARIF) holds them already among its notifications.
	for _, group := range [][]analyzers.Notification{notes, p.notifications(len(r.Findings) + len(r.Omitted)), c.notifications()} {
		for _, n := range group {
			if !slices.Contains(r.Notifications, n) {
				inv.AddTToolExecutionNotification(sarifNotification(n, c.artifacts))
			}
		}
	}
	run.AddInvocations(inv)
	run.Artifacts = c.artifacts.list
	log.AddRun(run)
	return log, nil
}

// omittedFingerprints returns the fingerprints of the findings of r that
// plan p leaves out, after those r carries from an earlier report.
func omittedFingerprints(r *Run, p plan) []string {
	if p.noFingerprints {
		return nil
	}
	out := append([]string{}, r.Omitted...)
	for i := p.results; i < len(r.Findings); i++ {
		out = append(out, r.Findings[i].Fingerprint)
	}
	return out
}

// automationID returns the automationDetails.id of a --category: GitHub
// code scanning takes everything up to the id's last "/" as the category.
func automationID(category string) string {
	if strings.HasSuffix(category, "/") {
		return category
	}
	return category + "/"
}

// sarifNotification returns n as a toolExecutionNotification, its file
// among the run's artifacts.
func sarifNotification(n analyzers.Notification, artifacts *artifactList) *sarif.Notification {
	sn := sarif.NewNotification().WithTextMessage(n.Message)
	if n.Level != "" {
		sn.WithLevel(n.Level)
	}
	if n.Path != "" {
		loc := sarif.NewPhysicalLocation().WithArtifactLocation(artifacts.location(n.Path))
		if n.Line > 0 {
			loc.WithRegion(sarif.NewRegion().WithStartLine(n.Line))
		}
		sn.AddLocation(sarif.NewLocationWithPhysicalLocation(loc))
	}
	if n.Analyzer != "" {
		sn.Properties = sarif.Properties{"analyzer": n.Analyzer}
	}
	return sn
}

// hasError reports whether any notification is at level "error".
func hasError(ns []analyzers.Notification) bool {
	for _, n := range ns {
		if n.Level == "error" {
			return true
		}
	}
	return false
}
