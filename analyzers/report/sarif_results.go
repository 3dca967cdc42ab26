package report

import (
	"fmt"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// A resultConverter turns findings into SARIF results and counts what it
// had to cut to stay within GitHub's per-result limits.
type resultConverter struct {
	// index is each rule's position in tool.driver.rules.
	index map[string]int
	// snippets writes locations' source lines as region snippets.
	snippets bool
	// baseline marks every result as new: the findings of the baseline
	// report were left out before.
	baseline bool
	// uncut keeps every related location and flow step (plan.uncut).
	uncut bool
	// relatedCut and flowCut count the results whose related locations,
	// and flow steps, were truncated.
	relatedCut, flowCut int
	// artifacts are the files the results name.
	artifacts *artifactList
}

func (c *resultConverter) result(f *analyzers.Finding) *sarif.Result {
	res := sarif.NewRuleResult(f.RuleID).
		WithMessage(sarif.NewTextMessage(f.Message)).
		WithLocations([]*sarif.Location{c.location(f.Location)}).
		WithPartialFingerPrints(map[string]any{FingerprintKey: f.Fingerprint})
	if i, ok := c.index[f.RuleID]; ok {
		res.WithRuleIndex(i)
	}
	if f.Level != "" {
		res.WithLevel(f.Level)
	}
	if c.baseline {
		res.WithBaselineState("new")
	}
	related := f.Related
	if len(related) > maxRelatedLocations && !c.uncut {
		related = related[:maxRelatedLocations]
		c.relatedCut++
	}
	for i, loc := range related {
		res.AddRelatedLocation(c.location(loc).WithId(i + 1))
	}
	if len(f.Flow) > 0 {
		res.AddCodeFlow(c.codeFlow(f.Flow))
	}
	if f.Fix != nil && len(f.Fix.Replacements) > 0 {
		res.AddFix(c.fix(f.Fix))
	}
	if s := f.Suppression; s != nil {
		sup := sarif.NewSuppression("inSource")
		if s.Justification != "" {
			sup.WithJustifcation(s.Justification)
		}
		if s.Location.Path != "" {
			sup.WithLocation(c.location(s.Location))
		}
		res.AddSuppression(sup)
	}
	return res
}

// codeFlow returns flow as one codeFlow of one threadFlow, at most
// maxThreadFlowLocations steps long. Each step's message is its location's.
func (c *resultConverter) codeFlow(flow []analyzers.Step) *sarif.CodeFlow {
	if len(flow) > maxThreadFlowLocations && !c.uncut {
		flow = flow[:maxThreadFlowLocations]
		c.flowCut++
	}
	steps := make([]*sarif.ThreadFlowLocation, len(flow))
	for i, s := range flow {
		steps[i] = sarif.NewThreadFlowLocation().WithLocation(c.location(s.Location))
	}
	return sarif.NewCodeFlow().WithThreadFlows([]*sarif.ThreadFlow{sarif.NewThreadFlow().WithLocations(steps)})
}

// fix returns fix as a SARIF fix, one artifactChange per file in the order
// the files first appear among the replacements.
func (c *resultConverter) fix(fix *analyzers.Fix) *sarif.Fix {
	sf := sarif.NewFix().WithArtifactChanges([]*sarif.ArtifactChange{})
	if fix.Description != "" {
		sf.WithDescriptionText(fix.Description)
	}
	changes := map[string]*sarif.ArtifactChange{}
	for _, rep := range fix.Replacements {
		change := changes[rep.Location.Path]
		if change == nil {
			change = sarif.NewArtifactChange(c.artifacts.location(rep.Location.Path))
			changes[rep.Location.Path] = change
			sf.AddArtifactChanges(change)
		}
		change.WithReplacement(sarif.NewReplacement(region(rep.Location.Range)).
			WithInsertedContent(sarif.NewArtifactContent().WithText(rep.Text)))
	}
	return sf
}

// location returns loc as a SARIF location with its message and, when
// snippets are kept, its source line as the region's snippet.
func (c *resultConverter) location(loc analyzers.Location) *sarif.Location {
	reg := region(loc.Range)
	if c.snippets && loc.Snippet != "" {
		reg.WithSnippet(sarif.NewArtifactContent().WithText(loc.Snippet))
	}
	l := sarif.NewLocationWithPhysicalLocation(
		sarif.NewPhysicalLocation().WithArtifactLocation(c.artifacts.location(loc.Path)).WithRegion(reg))
	if loc.Message != "" {
		l.WithMessage(sarif.NewTextMessage(loc.Message))
	}
	return l
}

// notifications reports the per-result truncations, one notification per
// kind.
func (c *resultConverter) notifications() []analyzers.Notification {
	var notes []analyzers.Notification
	if c.relatedCut > 0 {
		notes = append(notes, warning(fmt.Sprintf("related locations truncated in %d results: %d written per result (GitHub code scanning keeps 1,000 per result)", c.relatedCut, maxRelatedLocations)))
	}
	if c.flowCut > 0 {
		notes = append(notes, warning(fmt.Sprintf("code flows truncated in %d results: %d steps written per result (GitHub code scanning keeps 10,000 per result)", c.flowCut, maxThreadFlowLocations)))
	}
	return notes
}

// artifact returns the artifactLocation of a path relative to %SRCROOT%,
// as a percent-encoded URI reference.
func artifact(path string) *sarif.ArtifactLocation {
	return sarif.NewSimpleArtifactLocation(encodeURI(path)).WithUriBaseId(srcRoot)
}

// region returns r as a SARIF region, leaving out unset (zero) fields.
func region(r source.Range) *sarif.Region {
	reg := sarif.NewRegion()
	if r.StartLine > 0 {
		reg.WithStartLine(r.StartLine)
	}
	if r.StartColumn > 0 {
		reg.WithStartColumn(r.StartColumn)
	}
	if r.EndLine > 0 {
		reg.WithEndLine(r.EndLine)
	}
	if r.EndColumn > 0 {
		reg.WithEndColumn(r.EndColumn)
	}
	return reg
}

// warning returns a warning notification about the report itself.
func warning(msg string) analyzers.Notification {
	return analyzers.Notification{Level: "warning", Message: msg}
}
