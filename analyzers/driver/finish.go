package driver

import (
	"fmt"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/discover"
	"github.com/residue-sec/residue/analyzers/filter"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/source"
)

// An ownedFact is a fact with the index of the analyzer that exported it.
type ownedFact struct {
	analyzer int
	fact     analyzers.Fact
}

// runState gathers the files' results for the Finish steps.
type runState struct {
	findings []analyzers.Finding
	owners   []int
	facts    []ownedFact
	ignores  map[string][]*filter.Ignore // by path
	scanned  map[string]bool             // paths of the scanned (not facts-only) files
}

func (r *runState) add(path string, fr fileResult) {
	if r.scanned == nil {
		r.scanned = map[string]bool{}
	}
	r.scanned[path] = true
	r.findings = append(r.findings, fr.findings...)
	r.owners = append(r.owners, fr.owners...)
	if len(fr.ignores) > 0 && r.ignores[path] == nil {
		if r.ignores == nil {
			r.ignores = map[string][]*filter.Ignore{}
		}
		r.ignores[path] = ownIgnores(fr.ignores)
	}
}

// ownIgnores returns copies of a file's suppression comments for the run
// to mark as its Check findings use them (filter.Suppress). The file's
// result holds them as its own pass left them, marked used by the findings
// that pass suppressed; the cache keeps that result, which its pack may be
// encoding meanwhile (Cache.Flush), and which must not carry a mark that
// depends on the other files into a later run.
func ownIgnores(igs []*filter.Ignore) []*filter.Ignore {
	out := make([]*filter.Ignore, len(igs))
	for i, ig := range igs {
		c := *ig
		out[i] = &c
	}
	return out
}

// withFactFiles adds, for analyzers with a Finish step and fact prefilters,
// the repository's other files as facts-only jobs, so that scanning a
// subfolder or a few files still sees the repository's facts. walked is
// what the walk of the scanned paths found (files is its shard): when the
// scan is of the whole root, it is the repository's files already.
func (p *plan) withFactFiles(files, walked []discover.File, root string) ([]job, error) {
	jobs := make([]job, 0, len(files))
	scanned := map[string]bool{}
	for _, f := range files {
		jobs = append(jobs, job{File: f})
		scanned[f.Path] = true
	}
	need := len(p.models) > 0
	for _, a := range p.cfg.Analyzers {
		need = need || a.Finish != nil && len(a.FactPrefilter) > 0
	}
	if !need {
		return jobs, nil
	}
	all := walked
	if !p.scansRoot(root) {
		var err error
		if all, _, err = discover.Walk([]string{root}, discover.Options{
			Root: root, Exclude: p.cfg.Exclude, MaxFileSize: p.cfg.MaxFileSize, NoIgnore: p.cfg.NoIgnore,
		}); err != nil {
			return nil, err
		}
	}
	p.repo = map[string]discover.File{}
	p.files = map[source.Language][]string{}
	for _, f := range files {
		p.repo[f.Path] = f
	}
	for _, f := range all {
		if _, ok := p.repo[f.Path]; !ok {
			p.repo[f.Path] = f
		}
		if !scanned[f.Path] {
			jobs = append(jobs, job{File: f, factsOnly: true})
		}
	}
	for path, f := range p.repo {
		p.files[f.Lang] = append(p.files[f.Lang], path)
	}
	for _, paths := range p.files {
		sort.Strings(paths)
	}
	p.modelContexts = make([]string, len(p.models))
	p.fileKeys = map[source.Language]string{}
	for mi, m := range p.models {
		if m.Context != nil {
			p.modelContexts[mi] = m.Context(root, p.files[m.Language])
		}
		if m.Admit != nil && p.fileKeys[m.Language] == "" {
			p.fileKeys[m.Language] = pathsKey(p.files[m.Language])
		}
	}
	return jobs, nil
}

// scansRoot reports whether the scan's paths are the root alone, with no
// include globs: the walk of the scanned paths is then the repository's.
func (p *plan) scansRoot(root string) bool {
	if len(p.cfg.Paths) != 1 || len(p.cfg.Include) > 0 {
		return false
	}
	abs, err := filepath.Abs(p.cfg.Paths[0])
	return err == nil && abs == root
}

// finish runs every analyzer's Finish step over the run's facts and its
// findings, and returns the findings that remain plus those it reported.
func (p *plan) finish(r *runState, notes *[]analyzers.Notification) []analyzers.Finding {
	dropped := map[int]bool{}
	updated := map[int]analyzers.Finding{}
	var added []analyzers.Finding
	for ai, a := range p.cfg.Analyzers {
		if a.Finish == nil {
			continue
		}
		sum := &analyzers.Summary{Analyzer: a, Settings: p.cfg.Settings[a.Name]}
		if sum.Settings == nil {
			sum.Settings = analyzers.Settings{}
		}
		sum.Model = func(m *analyzers.Model) any {
			if mi := slices.Index(p.models, m); mi >= 0 && mi < len(p.built) && slices.Contains(a.Uses, m) {
				return p.built[mi]
			}
			return nil
		}
		for _, of := range r.facts {
			if of.analyzer == ai {
				sum.Facts = append(sum.Facts, of.fact)
			}
		}
		// By path whatever was scanned: facts-only files come last in
		// the run, and Finish must not see another order when they are
		// scanned too.
		sort.SliceStable(sum.Facts, func(i, j int) bool { return sum.Facts[i].Location.Path < sum.Facts[j].Location.Path })
		var mine []int
		for i, owner := range r.owners {
			if owner == ai {
				mine = append(mine, i)
				sum.Findings = append(sum.Findings, r.findings[i])
			}
		}
		sum.Drop = func(i int) {
			if i >= 0 && i < len(mine) {
				dropped[mine[i]] = true
			}
		}
		sum.Update = func(i int, fd analyzers.Finding) {
			if i < 0 || i >= len(mine) {
				return
			}
			cur := r.findings[mine[i]]
			if u, ok := updated[mine[i]]; ok {
				cur = u
			}
			cur.Message, cur.Related, cur.Flow, cur.Fix = fd.Message, fd.Related, fd.Flow, fd.Fix
			if fd.Level != "" && rule.SeverityRank(fd.Level) > 0 && rule.SeverityRank(fd.Level) < rule.SeverityRank(cur.Level) {
				cur.Level = fd.Level
			}
			updated[mine[i]] = cur
		}
		sum.Report = func(fd analyzers.Finding) {
			if !declares(a, fd.RuleID) {
				*notes = append(*notes, analyzers.Notification{Level: "error", Analyzer: a.Name,
					Message: fmt.Sprintf("analyzer %s reported undeclared rule %q; finding dropped", a.Name, fd.RuleID)})
				return
			}
			// Only scanned files are reported on; facts-only files inform.
			if !r.scanned[fd.Location.Path] {
				return
			}
			if fd = p.completeFinished(fd); p.ruleApplies(fd.RuleID, fd.Location.Path) {
				added = append(added, p.suppressFinished(fd, r.ignores[fd.Location.Path]))
			}
		}
		if err := runFinish(a, sum); err != nil {
			*notes = append(*notes, analyzers.Notification{Level: "error", Analyzer: a.Name, Message: err.Error()})
		}
	}
	out := make([]analyzers.Finding, 0, len(r.findings)+len(added))
	for i, fd := range r.findings {
		if u, ok := updated[i]; ok {
			fd = u
		}
		if !dropped[i] {
			out = append(out, fd)
		}
	}
	return append(out, added...)
}

// runFinish calls a.Finish, turning a panic into an error.
func runFinish(a *analyzers.Analyzer, sum *analyzers.Summary) (err error) {
	defer func() {
		if r := recover(); r != nil {
			stack := string(debug.Stack())
			if len(stack) > 2000 {
				stack = stack[:2000]
			}
			err = fmt.Errorf("analyzer %s panicked in its Finish step: %v\n%s", a.Name, r, strings.TrimSpace(stack))
		}
	}()
	if err := a.Finish(sum); err != nil {
		return fmt.Errorf("analyzer %s failed in its Finish step: %v", a.Name, err)
	}
	return nil
}

// completeFinished fills in what the driver owns for a finding reported
// after the files' trees are gone: the fingerprint then rests on the
// snippet of the reported line.
func (p *plan) completeFinished(fd analyzers.Finding) analyzers.Finding {
	fd.Level = p.cfg.Rules.Get(fd.RuleID).Severity
	snippet := fd.Location.Snippet
	fd.Fingerprint = fingerprint(fd, func(line int) string {
		if line == fd.Location.StartLine {
			return snippet
		}
		return ""
	})
	return fd
}

// suppressFinished applies a file's ignore comments to a finding reported
// by a Finish step, on the lines of its location.
func (p *plan) suppressFinished(fd analyzers.Finding, ignores []*filter.Ignore) analyzers.Finding {
	stmts := [][2]int{{fd.Location.StartLine, fd.Location.EndLine}}
	return filter.Suppress([]analyzers.Finding{fd}, stmts, ignores)[0]
}

// unusedIgnores warns about the ignore comments no finding used, when asked to.
// unknownIgnoreRules warns of the names in ignore comments that are no
// rule id and no family: a misspelt id suppresses nothing, silently.
func (p *plan) unknownIgnoreRules(byPath map[string][]*filter.Ignore) []analyzers.Notification {
	if p.cfg.SkipIgnoreNames {
		return nil
	}
	var out []analyzers.Notification
	for path, igs := range byPath {
		for _, ig := range igs {
			for _, name := range ig.Rules {
				if !rule.Names(p.rules, name) {
					out = append(out, analyzers.Notification{Level: "warning", Path: path, Line: ig.Line,
						Message: fmt.Sprintf("residue: ignore names %q, which is no rule or family: it suppresses nothing", name)})
				}
			}
		}
	}
	return out
}

func (p *plan) unusedIgnores(byPath map[string][]*filter.Ignore) []analyzers.Notification {
	if !p.cfg.WarnUnusedIgnores {
		return nil
	}
	var out []analyzers.Notification
	for path, igs := range byPath {
		for _, ig := range igs {
			if !ig.Used {
				out = append(out, analyzers.Notification{Level: "warning", Path: path, Line: ig.Line,
					Message: "residue: ignore comment matches no finding"})
			}
		}
	}
	return out
}
