package query

import (
	"fmt"
	"sort"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pattern"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/tsquery"
)

// span is a matched node's byte range.
type span struct{ start, end uint32 }

func spanOf(n *source.Node) span { return span{n.StartByte(), n.EndByte()} }

func (s span) within(o span) bool { return o.start <= s.start && s.end <= o.end }

// perRule gathers one rule's matches in a file.
type perRule struct {
	found             []tsquery.Match
	not, in, notInRng []span
}

func (r *runner) run(pass *analyzers.Pass) error {
	slots := r.slots[pass.File.Lang]
	by := map[int]*perRule{}
	budgets := map[int]*pattern.Budget{}
	for _, m := range pass.Matches {
		if m.Pattern >= len(slots) {
			continue
		}
		sl := slots[m.Pattern]
		pr := by[sl.rule]
		if pr == nil {
			pr = &perRule{}
			by[sl.rule] = pr
		}
		if len(sl.residuals) > 0 {
			b := budgets[sl.rule]
			if b == nil {
				b = &pattern.Budget{Limit: pattern.DefaultSteps}
				budgets[sl.rule] = b
			}
			var ok bool
			if m, ok = matchResiduals(pass.File, m, sl.residuals, b); !ok {
				continue
			}
		}
		root := reported(m)
		if root == nil {
			continue
		}
		switch sl.role {
		case mainMatch:
			pr.found = append(pr.found, m)
		case patternNot:
			pr.not = append(pr.not, spanOf(root))
		case inside:
			pr.in = append(pr.in, spanOf(root))
		case notInside:
			pr.notInRng = append(pr.notInRng, spanOf(root))
		}
	}
	for idx, pr := range by {
		ru := r.rules[idx]
		for _, m := range pr.found {
			node := reported(m)
			s := spanOf(node)
			if containsSpan(pr.not, s, true) || containsSpan(pr.notInRng, s, false) ||
				(ru.Inside != "" && !containsSpan(pr.in, s, false)) {
				continue
			}
			pass.Report(analyzers.Finding{RuleID: ru.ID, Message: render(ru.Message, m, pass.File), Location: pass.Location(node, "")})
		}
	}
	var cut []string
	for idx, b := range budgets {
		if b.Steps > b.Limit {
			cut = append(cut, r.rules[idx].ID)
		}
	}
	if len(cut) > 0 {
		sort.Strings(cut)
		return &analyzers.Incomplete{Reason: fmt.Sprintf("pattern matching stopped after %d steps for %s; matches may be missing in this file",
			pattern.DefaultSteps, strings.Join(cut, ", "))}
	}
	return nil
}

// matchResiduals checks a match of a code pattern against the pattern's
// residuals, and returns it with the residuals' metavariables added to its
// captures. Once b is spent, no match passes.
func matchResiduals(f *source.File, m tsquery.Match, residuals []*pattern.Residual, b *pattern.Budget) (tsquery.Match, bool) {
	if b.Steps > b.Limit {
		return m, false
	}
	bound := map[string]string{}
	for _, c := range m.Captures {
		if _, ok := bound[c.Name]; !ok {
			bound[c.Name] = f.Text(c.Node)
		}
	}
	caps := append([]tsquery.Capture{}, m.Captures...)
	for _, res := range residuals {
		got, ok, err := res.Match(f, m.Node(res.Capture), bound, b)
		if err != nil || !ok {
			return m, false
		}
		names := make([]string, 0, len(got))
		for name := range got {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			bound[name] = f.Text(got[name])
			caps = append(caps, tsquery.Capture{Name: name, Node: got[name]})
		}
	}
	m.Captures = caps
	return m, true
}

// reported is the node a match reports: @finding, else the pattern's root.
func reported(m tsquery.Match) *source.Node {
	if n := m.Node("finding"); n != nil {
		return n
	}
	return m.Node(rootCapture)
}

// containsSpan reports whether s equals (exact) or lies within (not exact)
// one of spans.
func containsSpan(spans []span, s span, exact bool) bool {
	for _, o := range spans {
		if exact && o == s || !exact && s.within(o) {
			return true
		}
	}
	return false
}

// render fills a message's {{capture}} placeholders with the first line of
// each capture's text, cut to 80 characters.
func render(msg string, m tsquery.Match, f *source.File) string {
	return placeholder.ReplaceAllStringFunc(msg, func(ph string) string {
		name := placeholder.FindStringSubmatch(ph)[1]
		text := f.Text(m.Node(name))
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			text = text[:i] + "…"
		}
		if r := []rune(text); len(r) > 80 {
			text = string(r[:80]) + "…"
		}
		return text
	})
}
