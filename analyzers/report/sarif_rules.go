package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/rule"
)

// sarifRules returns the reportingDescriptors of rules, in order, their
// index by rule id, and a notification for each rule whose tags were cut to
// maxTags.
func sarifRules(rules []*rule.Rule) ([]*sarif.ReportingDescriptor, map[string]int, []analyzers.Notification) {
	descs := make([]*sarif.ReportingDescriptor, 0, len(rules))
	index := make(map[string]int, len(rules))
	var notes []analyzers.Notification
	for _, rl := range rules {
		tags, all := ruleTags(rl)
		if len(tags) < all {
			notes = append(notes, warning(fmt.Sprintf("rule %s: %d of %d tags written (GitHub code scanning keeps 20 per rule)", rl.ID, len(tags), all)))
		}
		index[rl.ID] = len(descs)
		descs = append(descs, ruleDescriptor(rl, tags))
	}
	return descs, index, notes
}

// ruleDescriptor returns rl as a SARIF reportingDescriptor with the given
// tags.
func ruleDescriptor(rl *rule.Rule, tags []string) *sarif.ReportingDescriptor {
	summary := firstNonEmpty(rl.Summary, rl.ID)
	help := firstNonEmpty(rl.Help, summary)
	d := sarif.NewRule(rl.ID).
		WithShortDescription(sarif.NewMultiformatMessageString(summary)).
		WithFullDescription(sarif.NewMultiformatMessageString(summary)).
		WithHelp(sarif.NewMultiformatMessageString(help).WithMarkdown(help))
	if rl.Name != "" {
		d.WithName(rl.Name)
	}
	if len(rl.References) > 0 {
		d.WithHelpURI(rl.References[0])
	}
	if rl.Severity != "" {
		d.WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(rl.Severity))
	}
	props := sarif.Properties{
		"tags":              tags,
		"security-severity": strconv.FormatFloat(rl.SecuritySeverity, 'f', 1, 64),
		"problem.severity":  problemSeverity(rl.Severity),
	}
	if rl.Precision != "" {
		props["precision"] = rl.Precision
	}
	return d.WithProperties(props)
}

// ruleTags returns the tags written for rl, at most maxTags, and how many
// there were before the cut: rl.Tags, "security" if missing, and
// "external/cwe/cwe-N" for each "CWE-N". When there are too many, the
// rule's own tags are cut first: GitHub code scanning reads the others.
func ruleTags(rl *rule.Rule) (tags []string, all int) {
	var required []string
	if !slices.Contains(rl.Tags, "security") {
		required = append(required, "security")
	}
	for _, cwe := range rl.CWE {
		n, ok := strings.CutPrefix(strings.ToUpper(cwe), "CWE-")
		if !ok || n == "" {
			continue
		}
		if tag := "external/cwe/cwe-" + n; !slices.Contains(rl.Tags, tag) && !slices.Contains(required, tag) {
			required = append(required, tag)
		}
	}
	var own []string
	for _, t := range rl.Tags {
		if !slices.Contains(own, t) {
			own = append(own, t)
		}
	}
	all = len(own) + len(required)
	required = required[:min(len(required), maxTags)]
	own = own[:min(len(own), maxTags-len(required))]
	return append(own, required...), all
}

// problemSeverity returns the problem.severity property, CodeQL's severity
// for readers that ignore security-severity: "recommendation" for a note.
func problemSeverity(level string) string {
	if level == "note" {
		return "recommendation"
	}
	return levelOf(level)
}

// firstNonEmpty returns the first of ss that is not "".
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
