package driver

import (
	"fmt"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/filter"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/syntax"
)

// The model phase: while files are parsed, each model that wants a file
// extracts its part from the file's snapshot; parts may name other files
// they need, which later rounds read and extract too; then every model is
// built from its parts, and each analyzer with a Check step checks the
// scanned files against the built models, in parallel.

// MaxModelRounds bounds how many times the files that parts need are read
// in turn (the depth of an import chain followed).
const MaxModelRounds = 8

// MaxSnapshotNodes bounds the syntax nodes of one file's snapshot: a
// file that has more is skipped with a warning.
const MaxSnapshotNodes = 1 << 23

// maxSnapshotNodes is MaxSnapshotNodes, a variable for TestTooManyNodes.
var maxSnapshotNodes = MaxSnapshotNodes

// An ownedPart is a model's part with the index of its model.
type ownedPart struct {
	model int
	part  analyzers.Part
}

// modelsOf returns the models the analyzers use, each once, in order.
func modelsOf(as []*analyzers.Analyzer) []*analyzers.Model {
	var out []*analyzers.Model
	for _, a := range as {
		for _, m := range a.Uses {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}

// modelSettings merges, per model, the settings of the analyzers using it.
func modelSettings(cfg Config, models []*analyzers.Model) []analyzers.Settings {
	out := make([]analyzers.Settings, len(models))
	for mi, m := range models {
		out[mi] = analyzers.Settings{}
		for _, a := range cfg.Analyzers {
			if !slices.Contains(a.Uses, m) {
				continue
			}
			for k, v := range cfg.Settings[a.Name] {
				out[mi][k] = append(out[mi][k], v...)
			}
		}
	}
	return out
}

// modelsWanting returns the indexes of the models that want the file at
// path, of lang, whose literals found says, in the first round: those
// whose prefilter it passes and whose Admit, if any, takes it; and what
// the Admits read of the repository, nil for nothing.
func (p *plan) modelsWanting(path string, lang source.Language, src []byte, ff *fileFilter, found []bool) (out []int, read *admission) {
	adm, byFiles := &admission{}, false
	for i, m := range p.models {
		if m.Language != lang || len(m.Prefilter) > 0 && !anyOf(found, ff.models[i]) {
			continue
		}
		if m.Admit != nil {
			var lits []string
			for _, id := range ff.models[i] {
				if found[id] {
					lits = append(lits, ff.lits[id])
				}
			}
			pass := &analyzers.AdmitPass{Path: path, Src: src, Literals: lits, Files: p.files[lang], Read: adm.reader(p.root)}
			take, files := m.Admit(pass)
			byFiles = byFiles || files
			if !take {
				continue
			}
		}
		out = append(out, i)
	}
	if byFiles || len(adm.reads) > 0 {
		return out, adm
	}
	return out, nil
}

// extract hands syn, f's snapshot, to each model in models; the parts go
// to fr. found are the prefilter literals f holds, nil when not looked
// for yet. Of a scanned file the outline goes to fr too, to complete the
// findings of its Check steps, and the snapshot when a part keeps it
// anyway: the memory of a snapshot no part keeps goes to the next file's,
// and the outline is released (source.Outline.Release).
func (w *worker) extract(f *source.File, syn *source.Syntax, found []bool, models []int, scanned bool, fr *fileResult, note func(level, analyzer, format string, args ...any)) {
	for _, mi := range models {
		m := w.p.models[mi]
		pass := &analyzers.ExtractPass{Model: m, Syntax: syn, Files: w.p.files[m.Language], Settings: w.p.modelSettings[mi], Root: w.p.root,
			Parse: func(src []byte) (*source.Syntax, error) { return w.reparse(f, src) }}
		part, err := runExtract(m, pass)
		if err != nil {
			note("error", m.Name, "%v", err)
			continue
		}
		if part != nil {
			fr.parts = append(fr.parts, ownedPart{mi, part})
		}
	}
	if scanned && len(fr.parts) > 0 {
		fr.outline = source.NewOutline(syn)
		ff := w.p.filters[f.Lang]
		if found == nil {
			found = ff.set.Find(f.Src)
		}
		fr.outline.Literals = ff.holds(found)
	}
	held := heldSyntax(fr.parts)
	if held == nil {
		reuseSnapshot(&w.trees, syn.Tree)
		if fr.outline != nil {
			// Nothing else keeps the file's bytes until the end of the
			// scan: the few outlines that need them read them again.
			fr.outline.Release(filepath.Join(w.p.root, filepath.FromSlash(f.Path)))
		}
	}
	if scanned {
		fr.syntax = held
	}
}

// model hands f to models, unless it nests too deep or has more nodes
// than a snapshot holds: it snapshots f, in the memory of the last
// snapshot no part kept, checks its depth, then extracts (see extract).
// It reports whether f was skipped: too deep, or too big to model when
// no analyzer's Run step (users' rules) wants it either (runs, false).
func (w *worker) model(f *source.File, found []bool, models []int, scanned, runs bool, fr *fileResult, note func(level, analyzer, format string, args ...any)) (skipped bool) {
	var syn *source.Syntax
	var err error
	if len(models) > 0 {
		syn, err = source.NewSyntaxWith(&w.trees, f, maxSnapshotNodes)
	}
	switch {
	case w.tooDeep(f, syn, note):
		return true
	case err != nil && !runs:
		note("warning", "", "skipped: %v", err)
		return true
	case err != nil:
		// The families check the models: only the rules run.
		note("warning", "", "only pattern and query rules analyze it: %v", err)
	case syn != nil:
		w.extract(f, syn, found, models, scanned, fr, note)
	}
	return false
}

// reuseSnapshot hands a snapshot no part keeps back to the worker's
// builder; a variable for TestNoPartKeepsItsSnapshot.
var reuseSnapshot = (*syntax.Builder).Reuse

// heldSyntax returns the snapshot a part keeps, nil when none does.
func heldSyntax(parts []ownedPart) *source.Syntax {
	for _, op := range parts {
		if sp, ok := op.part.(analyzers.SyntaxPart); ok && sp.Syntax() != nil {
			return sp.Syntax()
		}
	}
	return nil
}

// reparse parses src as another version of f, reusing f's tree where
// their bytes agree, and snapshots it.
func (w *worker) reparse(f *source.File, src []byte) (*source.Syntax, error) {
	g, err := w.parser.Reparse(f, src)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	return source.NewSyntax(g, maxSnapshotNodes)
}

// runExtract calls m.Extract, turning a panic into an error.
func runExtract(m *analyzers.Model, pass *analyzers.ExtractPass) (part analyzers.Part, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("model %s panicked: %v\n%s", m.Name, r, shortStack())
		}
	}()
	part, err = m.Extract(pass)
	if err != nil {
		err = fmt.Errorf("model %s failed: %v", m.Name, err)
	}
	return part, err
}

func shortStack() string {
	stack := string(debug.Stack())
	if len(stack) > 2000 {
		stack = stack[:2000]
	}
	return strings.TrimSpace(stack)
}

// extractOnly parses a file that parts need, for the models j names only;
// a scanned one also gets its ignore comments, for Check's findings.
func (w *worker) extractOnly(j job, src []byte) (fr fileResult) {
	note := func(level, analyzer, format string, args ...any) {
		fr.notes = append(fr.notes, analyzers.Notification{Level: level, Path: j.Path, Analyzer: analyzer, Message: fmt.Sprintf(format, args...)})
	}
	f := source.NewFile(j.Path, j.Lang, src)
	if err := w.parser.Parse(f); err != nil {
		note("warning", "", "skipped: %v", err)
		return fr
	}
	defer f.Close()
	fr.parsed = true
	if w.model(f, nil, j.models, !j.factsOnly, false, &fr, note) {
		return fr
	}
	if !j.factsOnly {
		fr.ignores, fr.ignoresRead = filter.Ignores(f, w.p.comments[j.Lang], w.cursor), true
	}
	return fr
}

// modelState gathers the parts of every round.
type modelState struct {
	parts     [][]analyzers.Part // by model
	extracted []map[string]bool  // by model: paths extracted
	// scanned holds the scanned files a model extracted.
	scanned map[string]scannedFile
}

// A scannedFile is what the Check steps of a scanned file read: its
// outline, and its snapshot when a part keeps it.
type scannedFile struct {
	outline *source.Outline
	syntax  *source.Syntax
}

func newModelState(n int) *modelState {
	s := &modelState{parts: make([][]analyzers.Part, n), extracted: make([]map[string]bool, n), scanned: map[string]scannedFile{}}
	for i := range s.extracted {
		s.extracted[i] = map[string]bool{}
	}
	return s
}

// add records a file's parts, and its outline and snapshot.
func (s *modelState) add(path string, fr fileResult) {
	for _, op := range fr.parts {
		s.parts[op.model] = append(s.parts[op.model], op.part)
		s.extracted[op.model][path] = true
	}
	if fr.outline != nil {
		s.scanned[path] = scannedFile{fr.outline, fr.syntax}
	}
}

// needed returns the jobs of the next round: the repository's files that
// the parts of the last round name in Needs and their models have not
// extracted yet, sorted by path.
func (s *modelState) needed(p *plan, last []fileResult, scanned map[string]bool, round int) []job {
	want := map[string][]int{}
	for _, fr := range last {
		for _, op := range fr.parts {
			for _, path := range op.part.Needs() {
				df, ok := p.repo[path]
				if ok && df.Lang == p.models[op.model].Language && !s.extracted[op.model][path] && !slices.Contains(want[path], op.model) {
					want[path] = append(want[path], op.model)
				}
			}
		}
	}
	paths := make([]string, 0, len(want))
	for path := range want {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	jobs := make([]job, 0, len(paths))
	for _, path := range paths {
		models := want[path]
		sort.Ints(models)
		jobs = append(jobs, job{File: p.repo[path], factsOnly: !scanned[path], round: round, models: models})
	}
	return jobs
}

// building are the models being built, each on its own goroutine, and
// the tokens that let at most cfg.Jobs builds and checks run at once.
type building struct {
	values  []any
	names   []string                   // by model: its name
	timeout time.Duration              // the model phase's backstop
	notes   []*analyzers.Notification  // by model: why it failed to build
	warns   [][]analyzers.Notification // by model: what its Build warned of
	done    []chan struct{}
	// finished receives each model's index once it is built.
	finished chan int
	// tokens holds the free tokens; waiting counts the checks that gave
	// theirs back to wait for a model.
	tokens  chan struct{}
	waiting atomic.Int32
}

// maxWaiting bounds the checks that give their token back while they wait
// for a model (and so the goroutines of checks at once); past it, a check
// waits holding its token.
const maxWaiting = 64

// get returns model mi once it is built, nil when it failed. The caller
// holds a token, which it gives back while it waits.
func (b *building) get(mi int) any {
	if b.ready(mi) {
		return b.values[mi]
	}
	if b.waiting.Add(1) > maxWaiting {
		b.waiting.Add(-1)
		<-b.done[mi]
		return b.values[mi]
	}
	b.tokens <- struct{}{}
	<-b.done[mi]
	b.waiting.Add(-1)
	<-b.tokens
	return b.values[mi]
}

// ready reports whether model mi is built.
func (b *building) ready(mi int) bool {
	select {
	case <-b.done[mi]:
		return true
	default:
		return false
	}
}

// wait returns every model once all are built, adding the notifications
// of those that failed, in the models' order.
func (b *building) wait(notes *[]analyzers.Notification) []any {
	for mi := range b.done {
		<-b.done[mi]
	}
	return b.builtSoFar(notes)
}

// builtSoFar returns the models built so far (nil for the others), adding
// the notifications of those that failed and an error for each one still
// building, in the models' order.
func (b *building) builtSoFar(notes *[]analyzers.Notification) []any {
	values := make([]any, len(b.values))
	for mi := range b.done {
		if !b.ready(mi) {
			*notes = append(*notes, analyzers.Notification{Level: "error", Analyzer: b.names[mi],
				Message: fmt.Sprintf("model %s still building after %s, %v; the findings that need it are missing", b.names[mi], b.timeout, source.ErrBackstop)})
			continue
		}
		values[mi] = b.values[mi]
		*notes = append(*notes, b.warns[mi]...)
		if b.notes[mi] != nil {
			*notes = append(*notes, *b.notes[mi])
		}
	}
	return values
}

// build starts linking each model's parts, sorted by path, each model on
// its own goroutine with a token taken before it starts (so that a check
// never holds the token a build waits for). A model that fails to build
// is nil, with a notification.
func (p *plan) build(s *modelState) *building {
	b := &building{values: make([]any, len(p.models)), names: make([]string, len(p.models)), timeout: p.cfg.ModelTimeout, notes: make([]*analyzers.Notification, len(p.models)), warns: make([][]analyzers.Notification, len(p.models)),
		done: make([]chan struct{}, len(p.models)), finished: make(chan int, len(p.models)), tokens: make(chan struct{}, p.cfg.Jobs)}
	for range p.cfg.Jobs {
		b.tokens <- struct{}{}
	}
	scanned := make([]string, 0, len(s.scanned))
	for path := range s.scanned {
		scanned = append(scanned, path)
	}
	sort.Strings(scanned)
	for mi, m := range p.models {
		b.names[mi] = m.Name
		b.done[mi] = make(chan struct{})
		parts := s.parts[mi]
		sort.SliceStable(parts, func(i, j int) bool { return parts[i].Path() < parts[j].Path() })
		<-b.tokens
		go func() {
			defer func() { b.tokens <- struct{}{}; close(b.done[mi]); b.finished <- mi }()
			warn := func(msg string) {
				b.warns[mi] = append(b.warns[mi], analyzers.Notification{Level: "warning", Analyzer: m.Name, Message: msg})
			}
			v, err := runBuild(m, &analyzers.BuildPass{Parts: parts, Scanned: scanned, Root: p.root, Files: p.files[m.Language], Spare: b.tokens, Warn: warn})
			if err != nil {
				b.notes[mi] = &analyzers.Notification{Level: "error", Analyzer: m.Name, Message: err.Error()}
				return
			}
			b.values[mi] = v
		}()
	}
	return b
}

func runBuild(m *analyzers.Model, pass *analyzers.BuildPass) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("model %s panicked in Build: %v\n%s", m.Name, r, shortStack())
		}
	}()
	v, err = m.Build(pass)
	if err != nil {
		err = fmt.Errorf("model %s failed to build: %v", m.Name, err)
	}
	return v, err
}

// A checkJob is one scanned file and the analyzers that check it.
type checkJob struct {
	file      scannedFile
	analyzers []int
}

// checkResult is what the Check steps found in one file.
type checkResult struct {
	findings []analyzers.Finding
	owners   []int
	notes    []analyzers.Notification
}

// modelPhase builds the models and runs the Check steps (see build and
// check), and returns the checks' results in the order of the files'
// paths, with the notifications of the models' builds. The phase has a
// wall-clock backstop, cfg.ModelTimeout, far beyond what a repository
// needs: past it, a model still building or a check still running (a bug
// of an analyzer, say) is left behind, with an error for each, and the
// run goes on with what finished, since a hang must not lose the rest of
// the report.
func (p *plan) modelPhase(s *modelState, ignores map[string][]*filter.Ignore) ([]checkResult, []analyzers.Notification) {
	built := p.build(s)
	jobs := p.checkJobs(s)
	results := &checkResults{results: make([]checkResult, len(jobs)), done: make([]bool, len(jobs))}
	type phaseEnd struct {
		values []any
		notes  []analyzers.Notification
	}
	// The goroutine hands its results over the channel alone: past the
	// backstop it may still finish, and must write nothing this
	// function reads.
	finished := make(chan phaseEnd, 1)
	go func() {
		p.check(jobs, built, ignores, results)
		var end phaseEnd
		end.values = built.wait(&end.notes)
		finished <- end
	}()
	backstop := time.NewTimer(p.cfg.ModelTimeout)
	defer backstop.Stop()
	select {
	case end := <-finished:
		p.built = end.values
		return results.results, end.notes
	case <-backstop.C:
	}
	var notes []analyzers.Notification
	p.built = built.builtSoFar(&notes)
	out, unfinished := results.close()
	if len(unfinished) > 0 {
		others := ""
		if n := len(unfinished) - 1; n > 0 {
			others = fmt.Sprintf(" (and of %d other files)", n)
		}
		notes = append(notes, analyzers.Notification{Level: "error", Path: jobs[unfinished[0]].file.outline.Path,
			Message: fmt.Sprintf("the model phase's check of this file%s did not finish within %s, %v; its findings of that phase are missing",
				others, p.cfg.ModelTimeout, source.ErrBackstop)})
	}
	return out, notes
}

// checkResults collects the results of the checks as they finish, until
// the model phase's backstop closes it.
type checkResults struct {
	mu      sync.Mutex
	closed  bool
	results []checkResult
	done    []bool
}

// put keeps the result of job i, unless the collection is closed.
func (c *checkResults) put(i int, cr checkResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.results[i], c.done[i] = cr, true
	}
}

// close stops the collection and returns the results of the jobs that
// finished, with the indexes of those that did not.
func (c *checkResults) close() ([]checkResult, []int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var out []checkResult
	var unfinished []int
	for i, cr := range c.results {
		if c.done[i] {
			out = append(out, cr)
		} else {
			unfinished = append(unfinished, i)
		}
	}
	return out, unfinished
}

// checkJobs returns the scanned files some model of an analyzer with a
// Check step extracted, in the order of their paths, each with the
// analyzers that check it.
func (p *plan) checkJobs(s *modelState) []checkJob {
	paths := make([]string, 0, len(s.scanned))
	for path := range s.scanned {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	var jobs []checkJob
	for _, path := range paths {
		file := s.scanned[path]
		var as []int
		for ai, a := range p.cfg.Analyzers {
			if a.Check == nil || !hasLanguage(a, file.outline.Lang) {
				continue
			}
			for _, m := range a.Uses {
				if mi := slices.Index(p.models, m); mi >= 0 && s.extracted[mi][path] {
					as = append(as, ai)
					break
				}
			}
		}
		if len(as) > 0 {
			jobs = append(jobs, checkJob{file, as})
		}
	}
	return jobs
}

// check runs every Check step over the jobs, while the models are being
// built: a file is checked once the models of its language are built (so
// that C files are checked while the Python model's Build runs), on its
// own goroutine holding a token, which it gives back while it waits for
// another model. Each result goes to results, under the job's index.
func (p *plan) check(jobs []checkJob, built *building, ignores map[string][]*filter.Ignore, results *checkResults) {
	// queues hold the jobs of each language, in the order of paths.
	queues := make([][]int, len(source.Languages))
	for i, j := range jobs {
		li := slices.Index(source.Languages, j.file.outline.Lang)
		queues[li] = append(queues[li], i)
	}
	var wg sync.WaitGroup
	for range jobs {
		i := p.nextCheck(queues, built)
		<-built.tokens
		wg.Add(1)
		go func() {
			defer func() { built.tokens <- struct{}{}; wg.Done() }()
			results.put(i, p.checkFile(jobs[i], built, ignores[jobs[i].file.outline.Path]))
		}()
	}
	wg.Wait()
}

// nextCheck takes the next job of the first queue whose language's
// models are built (a check reads its own language's model first),
// waiting for a build to finish while there is none.
func (p *plan) nextCheck(queues [][]int, built *building) int {
	for {
		for li, q := range queues {
			ready := len(q) > 0
			for mi, m := range p.models {
				ready = ready && (m.Language != source.Languages[li] || built.ready(mi))
			}
			if ready {
				queues[li] = q[1:]
				return q[0]
			}
		}
		<-built.finished
	}
}

// checkFile runs the Check steps of one file and completes and suppresses
// their findings as the per-file pass does.
func (p *plan) checkFile(j checkJob, built *building, ignores []*filter.Ignore) (cr checkResult) {
	out := j.file.outline
	var stmts [][2]int
	// A file changed since its per-file pass (its outline released, the
	// file read again, once, for the findings' lines and text, or by a
	// Check step) has its findings left out: their lines and text would be
	// the new file's.
	changed := sync.OnceValue(func() bool { out.Lines(); return out.Changed() })
	for _, ai := range j.analyzers {
		a := p.cfg.Analyzers[ai]
		settings := p.cfg.Settings[a.Name]
		if settings == nil {
			settings = analyzers.Settings{}
		}
		pass := &analyzers.CheckPass{Analyzer: a, Path: out.Path, Outline: out, Syntax: j.file.syntax, Settings: settings}
		reported := 0
		pass.Model = func(m *analyzers.Model) any {
			if mi := slices.Index(p.models, m); mi >= 0 && slices.Contains(a.Uses, m) {
				return built.get(mi)
			}
			return nil
		}
		pass.Report = func(fd analyzers.Finding) {
			if !declares(a, fd.RuleID) {
				cr.notes = append(cr.notes, analyzers.Notification{Level: "error", Path: out.Path, Analyzer: a.Name,
					Message: fmt.Sprintf("analyzer %s reported undeclared rule %q; finding dropped", a.Name, fd.RuleID)})
				return
			}
			if changed() {
				return
			}
			fd = p.completeChecked(out, fd)
			if !p.ruleApplies(fd.RuleID, out.Path) {
				return
			}
			if reported++; reported > p.cfg.MaxMatches {
				if reported == p.cfg.MaxMatches+1 {
					cr.notes = append(cr.notes, analyzers.Notification{Level: "warning", Path: out.Path, Analyzer: a.Name,
						Message: fmt.Sprintf("more than %d findings; the rest were left out", p.cfg.MaxMatches)})
				}
				return
			}
			first, last := out.StatementLines(fd.Location.StartByte, fd.Location.EndByte)
			stmts = append(stmts, [2]int{first, last})
			cr.findings = append(cr.findings, fd)
			cr.owners = append(cr.owners, ai)
		}
		if err := runCheck(a, pass); err != nil {
			cr.notes = append(cr.notes, analyzers.Notification{Level: "error", Path: out.Path, Analyzer: a.Name, Message: err.Error()})
		}
	}
	if out.Changed() || p.modelSawChanged(built, out) {
		cr.notes = append(cr.notes, analyzers.Notification{Level: "error", Path: out.Path, Message: changedNote})
	}
	cr.findings = filter.Suppress(cr.findings, stmts, ignores)
	return cr
}

// modelSawChanged reports whether a built model of the file's language
// found it changed when it read its text (a model's Changed method): a
// Check step that needed the text went without it, and its findings.
func (p *plan) modelSawChanged(built *building, out *source.Outline) bool {
	for mi, m := range p.models {
		if m.Language != out.Lang {
			continue
		}
		if c, ok := built.get(mi).(interface{ Changed() []string }); ok && slices.Contains(c.Changed(), out.Path) {
			return true
		}
	}
	return false
}

// changedNote is the notification of a file changed since its per-file
// pass, whose Check findings are left out.
const changedNote = "changed since residue read it: its findings of the model phase were left out; scan again"

func runCheck(a *analyzers.Analyzer, pass *analyzers.CheckPass) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("analyzer %s panicked in its Check step: %v\n%s", a.Name, r, shortStack())
		}
	}()
	if err := a.Check(pass); err != nil {
		return fmt.Errorf("analyzer %s failed in its Check step: %v", a.Name, err)
	}
	return nil
}

// completeChecked fills in what the driver owns of a Check finding, from
// the file's outline.
func (p *plan) completeChecked(out *source.Outline, fd analyzers.Finding) analyzers.Finding {
	fd.Level = p.cfg.Rules.Get(fd.RuleID).Severity
	fd.Location.Path = out.Path
	fd.Function = out.EnclosingFunction(fd.Location.StartByte)
	return withLines(fd, out.Path, out.Lines().Text)
}
