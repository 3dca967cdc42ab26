package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/source"
)

// ReadSARIF reads a SARIF log that WriteSARIF wrote back into a Run, so
// that writing it again gives the same bytes: the reports of several
// shards of one scan can be merged into the report of the whole scan, and
// the runs of one pre-commit invocation into one report. (What the writer
// cut, because GitHub's limits were reached, stays cut, and its
// notifications stay; the fingerprints of the results it cut are Omitted.)
// URIs are percent-decoded back to paths. A log of another tool, or of
// more than one run, is an error.
func ReadSARIF(r io.Reader) (*Run, error) {
	// A UTF-8 byte-order mark (PowerShell 5's Out-File and Set-Content
	// write one) starts no JSON, but no other report either.
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	var doc sarifDoc
	if err := json.NewDecoder(br).Decode(&doc); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field == "":
			return nil, fmt.Errorf("not a SARIF report: a JSON %s, where a report is an object", te.Value)
		case errors.As(err, &te):
			return nil, fmt.Errorf("not a SARIF report: %s is a JSON %s", te.Field, te.Value)
		}
		return nil, fmt.Errorf("not a SARIF report: %v", err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 {
		return nil, fmt.Errorf("not a SARIF 2.1.0 report of one run")
	}
	sr := doc.Runs[0]
	if sr.Tool.Driver.Name != toolName {
		return nil, fmt.Errorf("a report of %q, not of %s", sr.Tool.Driver.Name, toolName)
	}
	run := &Run{ToolVersion: sr.Tool.Driver.Version, Findings: []analyzers.Finding{}}
	for _, d := range sr.Tool.Driver.Rules {
		run.Rules = append(run.Rules, d.rule())
	}
	if sr.AutomationDetails != nil {
		run.Category = sr.AutomationDetails.ID
	}
	run.Omitted = sr.Properties.Omitted
	run.Session, run.FilesScanned, run.Shard, run.Scan, run.Tree = sr.Properties.Session, sr.Properties.Files, sr.Properties.Shard, sr.Properties.Scan, sr.Properties.Tree
	run.Baseline = sr.Properties.Baseline
	run.RuleFindings = sr.Properties.RuleFindings
	ruleIDs := map[string]bool{}
	for _, r := range run.Rules {
		ruleIDs[r.ID] = true
	}
	for i, res := range sr.Results {
		f, err := res.finding()
		if err == nil {
			err = checkFinding(&f, ruleIDs)
		}
		if err != nil {
			return nil, fmt.Errorf("result %d: %v", i+1, err)
		}
		run.Baseline = run.Baseline || res.BaselineState == "new"
		run.Findings = append(run.Findings, f)
	}
	for _, inv := range sr.Invocations {
		for _, n := range inv.Notifications {
			note, err := n.notification()
			if err == nil && !validLevel[note.Level] {
				err = fmt.Errorf("level %q is not error, warning or note", note.Level)
			}
			if err != nil {
				return nil, fmt.Errorf("notification %q: %v", note.Message, err)
			}
			run.Notifications = append(run.Notifications, note)
		}
	}
	return run, nil
}

// validLevel holds the levels residue writes; none (SARIF's default,
// warning) is written as it was read.
var validLevel = map[string]bool{"error": true, "warning": true, "note": true, "": true}

// checkFinding refuses what residue never writes and a merged report must
// not carry on: a rule the report does not describe (code scanning
// rejects the upload), a level residue does not write. (Paths are
// checked as they are read: uriReader.)
func checkFinding(f *analyzers.Finding, ruleIDs map[string]bool) error {
	if !ruleIDs[f.RuleID] {
		return fmt.Errorf("rule %q is not one of the report's rules", f.RuleID)
	}
	if !validLevel[f.Level] {
		return fmt.Errorf("%s: level %q is not error, warning or note", f.RuleID, f.Level)
	}
	return nil
}

// A uriReader turns a report's URIs back into repository paths, keeping
// the first one residue never writes: an absolute URI (file:, https:, a
// Windows drive: residue percent-encodes a path's colons, encodeURI), an
// absolute path, or one that climbs out of the root.
type uriReader struct{ err error }

// uriScheme matches the start of an absolute URI or of a drive.
var uriScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// path returns the repository path of uri.
func (u *uriReader) path(uri string) string {
	p := uriPath(uri)
	if u.err == nil && (uriScheme.MatchString(uri) || strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) ||
		p == ".." || strings.HasPrefix(p, "../") || strings.Contains(p, "/../") || strings.HasSuffix(p, "/..")) {
		u.err = fmt.Errorf("path %q is not inside the repository", uri)
	}
	return p
}

type sarifDoc struct {
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool struct {
		Driver struct {
			Name    string           `json:"name"`
			Version string           `json:"version"`
			Rules   []sarifRuleEntry `json:"rules"`
		} `json:"driver"`
	} `json:"tool"`
	Results           []sarifResult `json:"results"`
	AutomationDetails *struct {
		ID string `json:"id"`
	} `json:"automationDetails"`
	Invocations []struct {
		Notifications []sarifNote `json:"toolExecutionNotifications"`
	} `json:"invocations"`
	Properties struct {
		Omitted  []string `json:"residue/omittedFingerprints"`
		Session  string   `json:"residue/pre-commit-session"`
		Shard    string   `json:"residue/shard"`
		Scan     string   `json:"residue/scan"`
		Tree     string   `json:"residue/tree"`
		Baseline bool     `json:"residue/baseline"`
		Files    int      `json:"residue/filesScanned"`
		// RuleFindings is a shard's Run.RuleFindings.
		RuleFindings map[string]int64 `json:"residue/ruleFindings"`
	} `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRuleEntry struct {
	ID               string     `json:"id"`
	Name             string     `json:"name"`
	ShortDescription *sarifText `json:"shortDescription"`
	Help             *sarifText `json:"help"`
	HelpURI          string     `json:"helpUri"`
	Default          *struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
	Properties struct {
		Tags             []string `json:"tags"`
		SecuritySeverity string   `json:"security-severity"`
		Precision        string   `json:"precision"`
	} `json:"properties"`
}

// rule returns the rule as written: its tags already include the CWE ones.
func (d sarifRuleEntry) rule() *rule.Rule {
	r := &rule.Rule{ID: d.ID, Name: d.Name, Tags: d.Properties.Tags, Precision: d.Properties.Precision}
	if d.ShortDescription != nil && d.ShortDescription.Text != d.ID {
		r.Summary = d.ShortDescription.Text
	}
	if d.Help != nil && d.Help.Text != r.Summary {
		r.Help = d.Help.Text
	}
	if d.HelpURI != "" {
		r.References = []string{d.HelpURI}
	}
	if d.Default != nil {
		r.Severity = d.Default.Level
	}
	r.SecuritySeverity, _ = strconv.ParseFloat(d.Properties.SecuritySeverity, 64)
	return r
}

type sarifLocation struct {
	Physical *struct {
		Artifact struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region *sarifRegion `json:"region"`
	} `json:"physicalLocation"`
	Message *sarifText `json:"message"`
}

type sarifRegion struct {
	StartLine   int        `json:"startLine"`
	StartColumn int        `json:"startColumn"`
	EndLine     int        `json:"endLine"`
	EndColumn   int        `json:"endColumn"`
	Snippet     *sarifText `json:"snippet"`
}

func (r *sarifRegion) rangeOf() source.Range {
	if r == nil {
		return source.Range{}
	}
	return source.Range{StartLine: r.StartLine, StartColumn: r.StartColumn, EndLine: r.EndLine, EndColumn: r.EndColumn}
}

// uriPath returns the repository path of a SARIF artifact URI.
func uriPath(uri string) string {
	if p, err := url.PathUnescape(uri); err == nil {
		return p
	}
	return uri
}

func (l *sarifLocation) location(u *uriReader) analyzers.Location {
	var loc analyzers.Location
	if l == nil {
		return loc
	}
	if l.Message != nil {
		loc.Message = l.Message.Text
	}
	if pl := l.Physical; pl != nil {
		loc.Path = u.path(pl.Artifact.URI)
		loc.Range = pl.Region.rangeOf()
		if pl.Region != nil && pl.Region.Snippet != nil {
			loc.Snippet = pl.Region.Snippet.Text
		}
	}
	return loc
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []*sarifLocation  `json:"locations"`
	RelatedLocations    []*sarifLocation  `json:"relatedLocations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	BaselineState       string            `json:"baselineState"`
	CodeFlows           []struct {
		ThreadFlows []struct {
			Locations []struct {
				Location *sarifLocation `json:"location"`
			} `json:"locations"`
		} `json:"threadFlows"`
	} `json:"codeFlows"`
	Fixes []struct {
		Description *sarifText `json:"description"`
		Changes     []struct {
			Artifact struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Replacements []struct {
				Deleted  *sarifRegion `json:"deletedRegion"`
				Inserted *sarifText   `json:"insertedContent"`
			} `json:"replacements"`
		} `json:"artifactChanges"`
	} `json:"fixes"`
	Suppressions []struct {
		Justification string         `json:"justification"`
		Location      *sarifLocation `json:"location"`
	} `json:"suppressions"`
}

func (res sarifResult) finding() (analyzers.Finding, error) {
	f := analyzers.Finding{RuleID: res.RuleID, Message: res.Message.Text, Level: res.Level,
		Fingerprint: res.PartialFingerprints[FingerprintKey], Related: []analyzers.Location{}, Flow: []analyzers.Step{}}
	if len(res.Locations) != 1 || f.Fingerprint == "" {
		return f, fmt.Errorf("result %q has no location or no %s fingerprint: not a report of residue", res.RuleID, FingerprintKey)
	}
	var u uriReader
	f.Location = res.Locations[0].location(&u)
	for _, l := range res.RelatedLocations {
		f.Related = append(f.Related, l.location(&u))
	}
	for _, cf := range res.CodeFlows {
		for _, tf := range cf.ThreadFlows {
			for _, step := range tf.Locations {
				f.Flow = append(f.Flow, analyzers.Step{Location: step.Location.location(&u)})
			}
		}
	}
	for _, fix := range res.Fixes {
		f.Fix = &analyzers.Fix{}
		if fix.Description != nil {
			f.Fix.Description = fix.Description.Text
		}
		for _, ch := range fix.Changes {
			for _, rep := range ch.Replacements {
				r := analyzers.Replacement{Location: analyzers.Location{Path: u.path(ch.Artifact.URI), Range: rep.Deleted.rangeOf()}}
				if rep.Inserted != nil {
					r.Text = rep.Inserted.Text
				}
				f.Fix.Replacements = append(f.Fix.Replacements, r)
			}
		}
	}
	for _, s := range res.Suppressions {
		f.Suppression = &analyzers.Suppression{Justification: s.Justification}
		if s.Location != nil {
			f.Suppression.Location = s.Location.location(&u)
		}
	}
	if u.err != nil {
		return f, fmt.Errorf("%s: %v", f.RuleID, u.err)
	}
	return f, nil
}

type sarifNote struct {
	Level     string           `json:"level"`
	Message   sarifText        `json:"message"`
	Locations []*sarifLocation `json:"locations"`
	Props     struct {
		Analyzer string `json:"analyzer"`
	} `json:"properties"`
}

func (n sarifNote) notification() (analyzers.Notification, error) {
	note := analyzers.Notification{Level: n.Level, Message: n.Message.Text, Analyzer: n.Props.Analyzer}
	var u uriReader
	if len(n.Locations) > 0 {
		loc := n.Locations[0].location(&u)
		note.Path, note.Line = loc.Path, loc.StartLine
	}
	return note, u.err
}
