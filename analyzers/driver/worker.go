package driver

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/filter"
	"github.com/residue-sec/residue/analyzers/glob"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/syntax"
	"github.com/residue-sec/residue/analyzers/tsquery"
)

// A worker owns one parser per language and one query cursor; it scans
// files one at a time, running every analyzer of a file on its goroutine.
type worker struct {
	p      *plan
	parser *source.Parser
	cursor *tsquery.Cursor
	lines  lineCache
	// trees holds the memory of the last snapshot no part kept.
	trees syntax.Builder
}

func newWorker(p *plan) *worker {
	return &worker{p: p, parser: source.NewParser(p.cfg.ParseTimeout), cursor: tsquery.NewCursor()}
}

func (w *worker) close() {
	w.cursor.Close()
	w.parser.Close()
}

// scan reads, parses and analyzes one file, within the memory gate, or
// takes its results from the cache when it has them.
func (w *worker) scan(j job) fileResult {
	var key string
	var src []byte
	if w.p.cache != nil {
		if key, src = w.p.cacheKey(j); key != "" {
			if fr, ok := w.p.cached(key, j, src != nil); ok {
				return fr
			}
		}
	}
	indexed := key != "" && src == nil
	src, err := readSource(j.File, src)
	if err != nil {
		return fileResult{notes: []analyzers.Notification{{Level: "warning", Path: j.Path, Message: err.Error()}}, skipped: true}
	}
	if indexed {
		// The index keyed an entry that did not do (its outline is not the
		// file's): the results are those of the bytes read, keyed by them.
		if k := w.p.keyOf(j, src); k != key {
			if fr, ok := w.p.cached(k, j, true); ok {
				return fr
			}
			key = k
		}
	}
	var fr fileResult
	leave := w.p.gate.enter(src)
	if j.round == 0 {
		fr = w.analyze(j.Path, j.Lang, src, j.factsOnly)
	} else {
		fr = w.extractOnly(j, src)
	}
	leave()
	fr.read = !fr.skipped
	if key != "" && !fr.backstop && !fr.overflow {
		w.p.storeEntry(key, j, fr)
	}
	return fr
}

// analyze parses src once, runs the shared query pass and every analyzer
// that wants the file, extracts the file for every model that wants it,
// applies suppressions, and closes the tree. For a factsOnly file only the
// analyzers that want its facts run.
func (w *worker) analyze(path string, lang source.Language, src []byte, factsOnly bool) (fr fileResult) {
	note := func(level, analyzer, format string, args ...any) {
		fr.notes = append(fr.notes, analyzers.Notification{Level: level, Path: path, Analyzer: analyzer, Message: fmt.Sprintf(format, args...)})
	}
	if lang == source.C && strings.EqualFold(filepath.Ext(path), ".h") && source.LooksCxx(src) {
		// A C++ header beside C++ sources: not C, which is all residue
		// parses (as it does not read .cc files).
		return fr
	}
	ff := w.p.filters[lang]
	found := ff.set.Find(src)
	wanted := w.wanted(lang, ff, found, factsOnly)
	models, admitted := w.p.modelsWanting(path, lang, src, ff, found)
	fr.admission = admitted
	unusedCheck := !factsOnly && w.p.cfg.WarnUnusedIgnores && found[ff.marker]
	if len(wanted) == 0 && len(models) == 0 && !unusedCheck {
		return fr
	}
	f := source.NewFile(path, lang, src)
	if err := w.parser.Parse(f); err != nil {
		fr.skipped, fr.backstop = true, errors.Is(err, source.ErrBackstop)
		note(cutLevel(err), "", "skipped: %v", err)
		return fr
	}
	defer f.Close()
	fr.parsed = true
	if w.model(f, found, models, !factsOnly, len(wanted) > 0, &fr, note) {
		fr.skipped = true
		return fr
	}
	root := f.Root()
	broken, reparsed := firstBroken(fr.parts)
	if root.HasError() && (len(wanted) > 0 || !reparsed || broken >= 0) {
		switch {
		case lang == source.Python || !reparsed:
			// Parsed once: its first error is where to look.
			fr.notes = append(fr.notes, analyzers.Notification{Level: "note", Path: path, Line: firstErrorLine(root),
				Message: "syntax errors, the first on this line; findings near them may be missing"})
		case broken >= 0:
			// The model's repaired parse: the first function it reads
			// with errors (a repair may have mended the first parse's).
			fr.notes = append(fr.notes, analyzers.Notification{Level: "note", Path: path, Line: 1 + bytes.Count(src[:min(broken, len(src))], []byte("\n")),
				Message: "syntax errors the model could not repair, the first in the function on this line, which may be read in part or not at all"})
		default:
			note("note", "", "syntax errors (a C rule of yours reads the file as first parsed); findings near them may be missing")
		}
	}
	var matches map[int][]tsquery.Match
	if len(wanted) > 0 {
		var err error
		if matches, err = w.matches(f); err != nil {
			// Whichever limit cut the pass, findings may be missing: the
			// run is incomplete.
			fr.backstop = errors.Is(err, source.ErrBackstop)
			note("error", "", "%v", err)
		}
	}
	var stmts [][2]int
	for _, ai := range wanted {
		a := w.p.cfg.Analyzers[ai]
		findings, facts := w.run(a, f, matches[ai], note)
		for _, ft := range facts {
			fr.facts = append(fr.facts, ownedFact{ai, w.completeFact(f, ft)})
		}
		if factsOnly {
			continue // its findings are not reported
		}
		for _, fd := range findings {
			fd = w.complete(f, fd)
			if !w.p.ruleApplies(fd.RuleID, path) {
				continue
			}
			if !w.p.countFinding(fd.RuleID) {
				fr.overflow = true
				continue
			}
			first, last := f.StatementLines(fd.Location.StartByte, fd.Location.EndByte)
			stmts = append(stmts, [2]int{first, last})
			fr.findings = append(fr.findings, fd)
			fr.owners = append(fr.owners, ai)
		}
	}
	if factsOnly {
		return fileResult{facts: fr.facts, parts: fr.parts, parsed: true, admission: fr.admission}
	}
	fr.ignores, fr.ignoresRead = filter.Ignores(f, w.p.comments[lang], w.cursor), true
	fr.findings = filter.Suppress(fr.findings, stmts, fr.ignores)
	return fr
}

// tooDeep reports whether f's syntax nests deeper than the configured
// limit, adding the notification once (when note is set): whether a guess
// from the bytes is past it too, for a file the guess passes is analyzed
// whatever its depth, with or without a snapshot. The depth is syn's,
// f's snapshot, when it has one, measured as it was built (and the guess
// is made only when that is past the limit); else a walk of the tree, made
// only when the guess is past it. A snapshot too deep goes back to the
// worker's builder.
func (w *worker) tooDeep(f *source.File, syn *source.Syntax, note func(level, analyzer, format string, args ...any)) bool {
	limit := w.p.cfg.MaxDepth
	switch {
	case syn != nil && (syn.Tree.Depth() <= limit || source.NestingEstimate(f.Src) <= limit):
		return false
	case syn == nil && (source.NestingEstimate(f.Src) <= limit || source.MaxDepth(f.Root(), limit) <= limit):
		return false
	}
	if syn != nil {
		reuseSnapshot(&w.trees, syn.Tree)
	}
	if note != nil {
		note("warning", "", "skipped: syntax nested deeper than %d levels", limit)
	}
	return true
}

// wanted returns the indexes of the analyzers that want a file of lang
// whose literals found says: its language and one of their fact
// prefilter literals, or (unless factsOnly) of their prefilter literals.
// A scanned file thus yields every fact it would yield outside the
// scanned paths.
func (w *worker) wanted(lang source.Language, ff *fileFilter, found []bool, factsOnly bool) []int {
	var out []int
	for i, a := range w.p.cfg.Analyzers {
		if a.Run == nil || !hasLanguage(a, lang) {
			continue
		}
		facts := a.Finish != nil && len(a.FactPrefilter) > 0 && anyOf(found, ff.facts[i])
		if facts || !factsOnly && (len(w.p.prefilters[i]) == 0 || anyOf(found, ff.analyzers[i])) {
			out = append(out, i)
		}
	}
	return out
}

func hasLanguage(a *analyzers.Analyzer, lang source.Language) bool {
	for _, l := range a.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// matches runs the language's shared query once and splits its matches by
// analyzer index.
func (w *worker) matches(f *source.File) (map[int][]tsquery.Match, error) {
	out := map[int][]tsquery.Match{}
	q := w.p.queries[f.Lang]
	if q == nil {
		return out, nil
	}
	owners := w.p.owners[f.Lang]
	lim := tsquery.Limits{MaxMatches: w.p.cfg.MaxMatches, MaxSteps: w.p.cfg.MaxQuerySteps, Deadline: time.Now().Add(w.p.cfg.FileTimeout)}
	err := q.Run(w.cursor, f, lim, func(src int, m tsquery.Match) {
		out[owners[src]] = append(out[owners[src]], m)
	})
	switch {
	case errors.Is(err, tsquery.ErrMatchLimit):
		return out, fmt.Errorf("a rule reached %d query matches (each way its pattern's captures can bind counts); its later matches were skipped: findings may be missing", w.p.cfg.MaxMatches)
	case errors.Is(err, tsquery.ErrStepLimit):
		return out, fmt.Errorf("query pass stopped after %d matches of all rules together (a node of a shape counts once for each rule of that shape); findings may be missing", w.p.cfg.MaxQuerySteps)
	case errors.Is(err, tsquery.ErrPendingLimit):
		return out, fmt.Errorf("a query held more than %d matches in progress at once (a pattern of siblings over a long list, or a thousand rules that start at the same node); the earliest, of any rule, were dropped (%w): findings may be missing", tsquery.MaxPending, err)
	case errors.Is(err, tsquery.ErrDeadline):
		return out, fmt.Errorf("query pass still running after %s, %w; findings may be missing", w.p.cfg.FileTimeout, source.ErrBackstop)
	}
	return out, err
}

// cutLevel is the level of the notification that err cut a file's
// parse: an error when a wall-clock backstop cut it, since what it missed
// depends on the machine's load (the run is incomplete); else a warning,
// for a file skipped by a limit of work (its nesting), counted as skipped.
// (A cut of the query pass is always an error: findings may be missing.)
func cutLevel(err error) string {
	if errors.Is(err, source.ErrBackstop) {
		return "error"
	}
	return "warning"
}

// run runs one analyzer on f, recovering a panic into a notification, and
// drops findings for rules the analyzer did not declare.
func (w *worker) run(a *analyzers.Analyzer, f *source.File, matches []tsquery.Match, note func(level, analyzer, format string, args ...any)) (out []analyzers.Finding, facts []analyzers.Fact) {
	settings := w.p.cfg.Settings[a.Name]
	if settings == nil {
		settings = analyzers.Settings{}
	}
	pass := &analyzers.Pass{Analyzer: a, File: f, Matches: matches, Settings: settings}
	dropped := 0
	pass.Report = func(fd analyzers.Finding) {
		if !declares(a, fd.RuleID) {
			note("error", a.Name, "analyzer %s reported undeclared rule %q; finding dropped", a.Name, fd.RuleID)
			return
		}
		if len(out) >= maxFileFindings {
			dropped++
			return
		}
		out = append(out, fd)
	}
	pass.Export = func(ft analyzers.Fact) { facts = append(facts, ft) }
	defer func() {
		if r := recover(); r != nil {
			stack := string(debug.Stack())
			if len(stack) > 2000 {
				stack = stack[:2000]
			}
			note("error", a.Name, "analyzer %s panicked: %v\n%s", a.Name, r, strings.TrimSpace(stack))
		}
	}()
	err := a.Run(pass)
	if dropped > 0 {
		note("warning", a.Name, "analyzer %s: %d findings past the first %d of this file left out", a.Name, dropped, maxFileFindings)
	}
	if err != nil {
		var inc *analyzers.Incomplete
		if errors.As(err, &inc) {
			note("warning", a.Name, "analyzer %s: %v", a.Name, inc)
		} else {
			note("error", a.Name, "analyzer %s failed: %v", a.Name, err)
		}
	}
	return out, facts
}

func declares(a *analyzers.Analyzer, id string) bool {
	for _, r := range a.Rules {
		if r == id {
			return true
		}
	}
	return false
}

// ruleApplies reports whether rule id is enabled and its rule file's
// `paths:` globs select path.
func (p *plan) ruleApplies(id, path string) bool {
	r := p.cfg.Rules.Get(id)
	if r == nil || Disabled(p.cfg.Disable, id) {
		return false
	}
	if in := p.includes[id]; !in.Empty() && !in.Match(path) {
		return false
	}
	return !glob.Within(r.Paths.Exclude, path)
}

// firstBroken returns, for a part whose model parsed its file again
// (analyzers.ReparsedPart), the offset of the first code it analyzes
// that still has syntax errors, -1 for none (the first parse's errors
// hide nothing from it); ok is false when no part was parsed again.
func firstBroken(parts []ownedPart) (off int, ok bool) {
	for _, op := range parts {
		if rp, is := op.part.(analyzers.ReparsedPart); is {
			return rp.FirstBroken(), true
		}
	}
	return -1, false
}

// firstErrorLine returns the 1-based line of the first syntax error under
// n, which has one: the first node, in source order, that is an error or
// a missing token.
func firstErrorLine(n *source.Node) int {
	for !n.IsError() && !n.IsMissing() {
		var next *source.Node
		for i := range int(n.ChildCount()) {
			if c := n.Child(i); c != nil && c.HasError() {
				next = c
				break
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return int(n.StartPoint().Row) + 1
}
