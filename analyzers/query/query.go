// Package query runs the declarative rules: rules whose matcher is a
// tree-sitter `query:` or a code `pattern:`, with optional `pattern-not:`,
// `inside:` and `not-inside:`. Every rule's matchers are compiled into the
// analyzer's query text, so that they run in the driver's single query
// pass with every other analyzer's patterns.
package query

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pattern"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/tsquery"
)

// Name is the analyzer's name.
const Name = "query"

// A role is what a compiled matcher does for its rule.
type role uint8

const (
	mainMatch role = iota
	patternNot
	inside
	notInside
)

// keys are the rule-file keys of the roles, for error positions.
var keys = map[role]string{mainMatch: "query", patternNot: "pattern-not", inside: "inside", notInside: "not-inside"}

// A slot maps one pattern of the analyzer's query text to its rule and
// role, with the residuals its matches must pass (for a code pattern).
type slot struct {
	rule      int
	role      role
	residuals []*pattern.Residual
}

// runner holds the compiled rules.
type runner struct {
	rules []*rule.Rule
	slots map[source.Language][]slot
}

var (
	placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)
	word        = regexp.MustCompile(`\$?(?:\.\.\.)?[A-Za-z_][A-Za-z0-9_]*`)
)

// literal returns the longest name in a pattern that is not a
// metavariable: every file the pattern matches contains it, so files
// without it need not be parsed for the rule. "" for no pattern.
func literal(pattern string) string {
	best := ""
	for _, w := range word.FindAllString(pattern, -1) {
		if !strings.HasPrefix(w, "$") && len(w) > len(best) {
			best = w
		}
	}
	return best
}

// New returns the analyzer for every query and pattern rule of rules, or
// nil when there are none. Errors name the rule file, line and column.
func New(rules []*rule.Rule) (*analyzers.Analyzer, error) {
	r := &runner{slots: map[source.Language][]slot{}}
	texts := map[source.Language][]string{}
	var errs []error
	for _, ru := range rules {
		if ru.Query == "" && ru.Pattern == "" {
			continue
		}
		lang, _ := source.ParseLanguage(ru.Language)
		idx := len(r.rules)
		r.rules = append(r.rules, ru)
		names, err := compileRule(ru, lang, func(ro role, text string, patterns int, residuals []*pattern.Residual) {
			texts[lang] = append(texts[lang], text)
			for range patterns {
				r.slots[lang] = append(r.slots[lang], slot{idx, ro, residuals})
			}
		})
		if err == nil {
			err = checkMessage(ru, names)
		}
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(r.rules) == 0 {
		return nil, nil
	}
	a := &analyzers.Analyzer{
		Name:    Name,
		Doc:     "declarative rules: tree-sitter queries and code patterns from rule files",
		Queries: map[source.Language]string{},
		Run:     r.run,
	}
	everyFile := false
	for _, ru := range r.rules {
		a.Rules = append(a.Rules, ru.ID)
		if lit := literal(ru.Pattern); lit != "" {
			a.Prefilter = append(a.Prefilter, lit)
		} else {
			everyFile = true
		}
	}
	if everyFile {
		a.Prefilter = nil // a query rule can match any file
	}
	for _, lang := range source.Languages {
		if len(texts[lang]) > 0 {
			a.Languages = append(a.Languages, lang)
			a.Queries[lang] = strings.Join(texts[lang], "\n")
		}
	}
	return a, nil
}

// compileRule compiles each matcher of ru and hands its query text, role,
// pattern count and residuals to add. It returns the capture names the
// message may use.
func compileRule(ru *rule.Rule, lang source.Language, add func(role, string, int, []*pattern.Residual)) ([]string, error) {
	var names []string
	matchers := []struct {
		ro   role
		text string
	}{{mainMatch, ru.Query + ru.Pattern}, {patternNot, ru.PatternNot}, {inside, ru.Inside}, {notInside, ru.NotInside}}
	for _, m := range matchers {
		if m.text == "" {
			continue
		}
		key := keys[m.ro]
		if m.ro == mainMatch && ru.Pattern != "" {
			key = "pattern"
		}
		text, vars, residuals, err := matcherQuery(ru, lang, key, m.text)
		if err != nil {
			return nil, err
		}
		if ru.Pattern != "" {
			// A pattern's query is one pattern, made from a tree of the
			// language: the scan's query compiles it, and compiling it
			// alone too cost 3 ms a rule (ts_query_new), seconds for a
			// pack of rules on every run.
			if m.ro == mainMatch {
				names = append(vars, captureNames(text)...)
			}
			add(m.ro, text, 1, residuals)
			continue
		}
		q, err := tsquery.Compile(lang, text)
		if err != nil {
			// Compiled as written, the error's position points into the
			// rule file, which captureRoots shifted.
			if wq, werr := tsquery.Compile(lang, m.text); werr != nil {
				err = werr
			} else {
				wq.Close()
			}
			return nil, ruleError(ru, key, err)
		}
		if m.ro == mainMatch {
			names = append(vars, q.CaptureNames()...)
		}
		add(m.ro, text, q.Patterns(), residuals)
		q.Close()
	}
	return names, nil
}

// captureNames returns the names of the captures of query text, in the
// order they first appear, as a compiled query lists them: the @names
// outside its string literals.
func captureNames(text string) []string {
	var names []string
	seen := map[string]bool{}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '"':
			for i++; i < len(text) && text[i] != '"'; i++ {
				if text[i] == '\\' {
					i++
				}
			}
		case '@':
			j := i + 1
			for j < len(text) && (isNameByte(text[j])) {
				j++
			}
			if name := text[i+1 : j]; name != "" && !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
			i = j - 1
		}
	}
	return names
}

func isNameByte(b byte) bool {
	return b == '_' || b == '-' || b == '.' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// matcherQuery returns the query text of one matcher: a pattern compiled
// to a query (whose root is @finding) with its residuals, or a query with
// its roots captured (reported when it has no @finding).
func matcherQuery(ru *rule.Rule, lang source.Language, key, text string) (string, []string, []*pattern.Residual, error) {
	if ru.Pattern != "" {
		p, err := pattern.Compile(lang, text)
		if err != nil {
			return "", nil, nil, ruleError(ru, key, err)
		}
		return p.Query, p.Metavariables, p.Residuals, nil
	}
	return captureRoots(text), nil, nil, nil
}

// ruleError places a query or pattern error at its rule-file position.
func ruleError(ru *rule.Rule, key string, err error) error {
	line, col, msg := 1, 1, err.Error()
	var qe *tsquery.Error
	var pe *pattern.Error
	switch {
	case errors.As(err, &qe):
		line, col, msg = qe.Line, qe.Column, qe.Msg
	case errors.As(err, &pe):
		line, col, msg = pe.Line, pe.Column, pe.Msg
	}
	fl, fc := ru.At(key, line, col)
	return &rule.Error{File: ru.File, Line: fl, Col: fc, Msg: key + ": " + msg}
}

// checkMessage rejects a message placeholder that names no capture.
func checkMessage(ru *rule.Rule, names []string) error {
	known := map[string]bool{}
	var shown []string
	for _, n := range names {
		known[n] = true
		if !strings.HasPrefix(n, "_") {
			shown = append(shown, n)
		}
	}
	sort.Strings(shown)
	shown = slices.Compact(shown)
	for _, m := range placeholder.FindAllStringSubmatchIndex(ru.Message, -1) {
		name := ru.Message[m[2]:m[3]]
		if !known[name] {
			line, col := ru.At("message", 1, m[0]+1)
			msg := fmt.Sprintf("message: {{%s}} is not a capture of the rule (captures: %s)", name, strings.Join(shown, ", "))
			if regexp.MustCompile(`\$\.\.\.` + regexp.QuoteMeta(name) + `\b`).MatchString(ru.Pattern) {
				msg = fmt.Sprintf("message: {{%s}} names the sequence $...%s, which a message cannot show; name a single metavariable such as $X (captures: %s)", name, name, strings.Join(shown, ", "))
			}
			return &rule.Error{File: ru.File, Line: line, Col: col, Msg: msg}
		}
	}
	return nil
}
