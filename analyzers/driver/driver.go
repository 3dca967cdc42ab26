package driver

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/cache"
	"github.com/residue-sec/residue/analyzers/discover"
	"github.com/residue-sec/residue/analyzers/filter"
	"github.com/residue-sec/residue/analyzers/glob"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/tsquery"
)

// Run scans cfg.Paths with cfg.Analyzers. Problems with individual files
// become notifications; an error means the scan could not run at all (a
// missing path, a query that does not compile, a rule without metadata).
func Run(cfg Config) (*Result, error) {
	cfg.setDefaults()
	defer scanGC()()
	root := cfg.Root
	if root == "" {
		var err error
		if root, err = FindRootOf(cfg.Paths); err != nil {
			return nil, err
		}
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	p, err := newPlan(cfg)
	if err != nil {
		return nil, err
	}
	defer p.close()
	files, warnings, err := discover.Walk(cfg.Paths, discover.Options{
		Root: root, Include: cfg.Include, Exclude: cfg.Exclude, MaxFileSize: cfg.MaxFileSize, NoIgnore: cfg.NoIgnore,
	})
	if err != nil {
		return nil, err
	}
	// The paths are the repository's: the cache opens while the rest of
	// the repository is walked for what the scanned files need.
	waitCache := p.openCache(root)
	defer waitCache()
	walked := files
	files = slices.DeleteFunc(slices.Clone(files), func(f discover.File) bool { return !cfg.Shard.Has(f.Path) })
	res := &Result{Root: root, Rules: p.rules}
	if cfg.Shard.Count > 1 {
		res.Tree = treeOf(walked)
	}
	if len(cfg.Include) > 0 && len(walked) == 0 && walksDirectory(cfg.Paths) {
		// A report with no results closes every alert code scanning
		// holds: an include that matches nothing is most likely a typo.
		// (Files named one by one, as pre-commit stages them, that it
		// leaves out are what it is for.)
		res.Notifications = append(res.Notifications, analyzers.Notification{Level: "warning", Message: fmt.Sprintf(
			"include %s matches no file: its globs are relative to the repository root, where *.py matches only the top folder's files (**/*.py every folder's)",
			strings.Join(cfg.Include, ", "))})
	}
	for _, w := range warnings {
		if w.Path != "" && !cfg.Shard.Has(w.Path) {
			continue
		}
		res.Notifications = append(res.Notifications, analyzers.Notification{Level: "warning", Path: w.Path, Message: w.Message})
		if skipsPath(w) {
			res.FilesSkipped++
		}
	}
	p.root = root
	jobs, err := p.withFactFiles(files, walked, root)
	res.Notifications = append(res.Notifications, waitCache()...)
	if err != nil {
		return nil, err
	}
	var run runState
	ms := newModelState(len(p.models))
	scanned := map[string]bool{}
	for _, j := range jobs {
		scanned[j.Path] = scanned[j.Path] || !j.factsOnly
	}
	parsed := map[string]bool{}
	for round := 0; len(jobs) > 0; round++ {
		results := p.scanAll(jobs)
		for i, fr := range results {
			ms.add(jobs[i].Path, fr)
			run.facts = append(run.facts, fr.facts...)
			if jobs[i].factsOnly {
				continue
			}
			run.add(jobs[i].Path, fr)
			res.Notifications = append(res.Notifications, fr.notes...)
			if fr.read && round == 0 {
				res.FilesScanned++
			}
			if fr.skipped && round == 0 {
				res.FilesSkipped++
			}
			if fr.parsed && !parsed[jobs[i].Path] {
				parsed[jobs[i].Path] = true
				res.FilesParsed++
			}
		}
		if round+1 >= MaxModelRounds {
			break
		}
		jobs = ms.needed(p, results, scanned, round+1)
	}
	whole := len(p.models) > 0 && wholeScan(scanned)
	if whole {
		// Lower until the run returns: the cache's pack, Build, Finish
		// and the cache's last pack allocate while the models are held.
		defer lowerGC()()
	}
	if p.cache != nil {
		// Every file's results are stored: the pack is written while the
		// models build and the files are checked, but a whole scan's is
		// written first: encoded beside Build, it made the run's peak.
		p.cache.Flush(whole)
	}
	if whole {
		// The pack's buffers are gone: from here the live heap is the
		// models', which the tuner holds to a budget (collector.go).
		tuneGC()
	}
	if len(p.models) > 0 {
		// Every tree is closed: the C heap's free memory goes back to the
		// system before Build makes the run's largest Go heap.
		source.TrimCHeap()
		checked, notes := p.modelPhase(ms, run.ignores)
		res.Notifications = append(res.Notifications, notes...)
		for _, cr := range checked {
			run.findings = append(run.findings, cr.findings...)
			run.owners = append(run.owners, cr.owners...)
			res.Notifications = append(res.Notifications, cr.notes...)
		}
	}
	res.Notifications = append(res.Notifications, p.dropOverflowing(&run)...)
	res.RuleFindings = p.ruleCounts()
	res.Findings = p.finish(&run, &res.Notifications)
	res.Notifications = append(res.Notifications, p.changedFiles(res.Notifications)...)
	if p.cache != nil {
		if err := p.cache.Close(); err != nil {
			res.Notifications = append(res.Notifications, analyzers.Notification{Level: "warning", Message: "cache: " + underRoot(root, err.Error())})
		}
	}
	res.Notifications = append(res.Notifications, p.unusedIgnores(run.ignores)...)
	res.Notifications = append(res.Notifications, p.unknownIgnoreRules(run.ignores)...)
	analyzers.SortNotifications(res.Notifications)
	analyzers.SortFindings(res.Findings)
	res.Findings = dropDuplicates(res.Findings)
	numberFingerprints(res.Findings)
	return res, nil
}

// treeOf returns a hash of the files' paths and sizes (Result.Tree).
func treeOf(files []discover.File) string {
	lines := make([]string, len(files))
	for i, f := range files {
		lines[i] = fmt.Sprintf("%s\x00%d", f.Path, f.Size)
	}
	slices.Sort(lines)
	return pathsKey(lines)[:16]
}

// wholeScan reports whether the run scans most of the files it reads:
// its Build builds most of the models, on the run's largest heap, which
// lowerGC holds down. A run of a few files (pre-commit's) builds what
// they read, on a smaller heap, and keeps the collector's default, which
// costs it less time.
func wholeScan(scanned map[string]bool) bool {
	n := 0
	for _, s := range scanned {
		if s {
			n++
		}
	}
	return 2*n >= len(scanned)
}

// walksDirectory reports whether a path to scan is a directory (or none
// is given: the root).
func walksDirectory(paths []string) bool {
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return true
		}
	}
	return len(paths) == 0
}

// plan is what a run prepares once and every worker shares (read only).
type plan struct {
	cfg Config
	// models are the models the analyzers use, with the merged settings
	// of their users; repo holds the repository's files by path and files
	// their paths by language, when there are models.
	models        []*analyzers.Model
	modelSettings []analyzers.Settings
	repo          map[string]discover.File
	files         map[source.Language][]string
	root          string
	built         []any
	// modelContexts are the models' context keys (Model.Context).
	modelContexts []string
	// fileKeys are, by language, a key of the repository's files of the
	// language, which a model's Admit may read.
	fileKeys map[source.Language]string
	// cache holds files' results between runs; nil without a cache.
	cache *cache.Cache

	rules    []*rule.Rule
	queries  map[source.Language]*tsquery.Query
	owners   map[source.Language][]int // query source index → analyzer index
	comments map[source.Language]*tsquery.Query
	// prefilters are each analyzer's literals: its Prefilter plus the
	// values of its PrefilterSettings.
	prefilters [][]string
	// filters are the prefilters of each language, as one matcher.
	filters map[source.Language]*fileFilter
	// gate bounds how many bytes of source are analyzed at once.
	gate *memoryGate
	// ruleFindings counts each rule's findings in files' passes, run or
	// read from the cache (see MaxRuleFindings).
	ruleFindings map[string]*atomic.Int64
	// includes are the rules' paths.include globs, by rule id.
	includes map[string]glob.Includes
}

func newPlan(cfg Config) (*plan, error) {
	cfg.Analyzers = enabled(cfg.Analyzers, cfg.Disable)
	p := &plan{cfg: cfg, prefilters: prefilters(cfg), gate: newMemoryGate(), queries: map[source.Language]*tsquery.Query{},
		owners: map[source.Language][]int{}, comments: map[source.Language]*tsquery.Query{}, ruleFindings: map[string]*atomic.Int64{}}
	p.models = modelsOf(cfg.Analyzers)
	p.modelSettings = modelSettings(cfg, p.models)
	p.filters = map[source.Language]*fileFilter{}
	for _, lang := range source.Languages {
		p.filters[lang] = newFileFilter(p, lang)
	}
	p.includes = map[string]glob.Includes{}
	if cfg.Rules != nil {
		for _, r := range cfg.Rules.All() {
			if len(r.Paths.Include) > 0 {
				p.includes[r.ID] = glob.NewIncludes(r.Paths.Include)
			}
		}
	}
	errs := []error{checkSettings(cfg.Analyzers, cfg.Settings)}
	for _, a := range cfg.Analyzers {
		for _, id := range a.Rules {
			r := cfg.Rules.Get(id)
			if r == nil {
				errs = append(errs, fmt.Errorf("analyzer %s reports rule %s, which has no rule file", a.Name, id))
				continue
			}
			if !Disabled(cfg.Disable, id) {
				p.rules = append(p.rules, r)
			}
			p.ruleFindings[id] = new(atomic.Int64)
		}
	}
	sort.Slice(p.rules, func(i, j int) bool { return p.rules[i].ID < p.rules[j].ID })
	for _, lang := range source.Languages {
		var srcs []string
		for i, a := range cfg.Analyzers {
			if q := a.Queries[lang]; q != "" {
				srcs = append(srcs, q)
				p.owners[lang] = append(p.owners[lang], i)
			}
		}
		if len(srcs) > 0 {
			q, err := tsquery.Compile(lang, srcs...)
			if err != nil {
				var qe *tsquery.Error
				if errors.As(err, &qe) {
					err = fmt.Errorf("analyzer %s: %s query: %v", cfg.Analyzers[p.owners[lang][qe.Source]].Name, lang, qe)
				}
				errs = append(errs, err)
				continue
			}
			p.queries[lang] = q
		}
		c, err := tsquery.Compile(lang, "(comment) @comment")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.comments[lang] = c
	}
	if err := errors.Join(errs...); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

func (p *plan) close() {
	for _, q := range p.queries {
		q.Close()
	}
	for _, q := range p.comments {
		q.Close()
	}
}

// fileResult is what scanning one file produced.
type fileResult struct {
	findings []analyzers.Finding
	owners   []int // analyzer index of each finding
	facts    []ownedFact
	parts    []ownedPart
	// outline is a scanned file's outline, for its Check steps, and
	// syntax its snapshot when a part keeps it.
	outline *source.Outline
	syntax  *source.Syntax
	ignores []*filter.Ignore
	// ignoresRead is set when the file's ignore comments were looked for.
	ignoresRead bool
	notes       []analyzers.Notification
	read        bool
	parsed      bool
	// admission is what a model's Admit read of the repository to decide
	// whether the file's first round extracts it; nil for nothing.
	admission *admission
	// skipped is set when the file was not analyzed: unreadable, binary,
	// not parsed or nested too deep.
	skipped bool
	// backstop is set when a wall-clock backstop cut the file: its result
	// depends on the machine's load and is not cached. overflow is set
	// when findings were left out because their rule had too many in the
	// run (MaxRuleFindings): the result depends on the other files and is
	// not cached either.
	backstop, overflow bool
}

// A job is one file to scan; a factsOnly file lies outside the scanned
// paths and is read only for the facts of analyzers with a Finish step
// and for the models. A job of a later round (round > 0) is a file that
// parts need, read for models only.
type job struct {
	discover.File
	factsOnly bool
	round     int
	models    []int
}

// scanAll scans files on cfg.Jobs workers and returns their results in the
// order of files, so that output does not depend on scheduling. The
// largest files go first: a large file met last keeps one core busy while
// the others wait.
func (p *plan) scanAll(files []job) []fileResult {
	results := make([]fileResult, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(p.cfg.Jobs, max(len(files), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(p)
			defer w.close()
			for i := range next {
				results[i] = w.scan(files[i])
			}
		}()
	}
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(files[b].Size, files[a].Size) })
	for _, i := range order {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// readSource reads a discovered file (unless src holds its bytes already),
// refusing binary content.
func readSource(df discover.File, src []byte) ([]byte, error) {
	if src == nil {
		var err error
		if src, err = os.ReadFile(df.Abs); err != nil {
			return nil, fmt.Errorf("skipped: %v", unwrapPath(err))
		}
	}
	if looksBinary(src) {
		return nil, errors.New(binaryMessage)
	}
	return src, nil
}

// unwrapPath drops the path from an *os.PathError: the notification names it.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// prefilters returns each analyzer's prefilter literals, extended by the
// user's values of its PrefilterSettings ("NAME:BUF:LEN" gives NAME). An
// analyzer without literals stays without: it wants every file.
func prefilters(cfg Config) [][]string {
	out := make([][]string, len(cfg.Analyzers))
	for i, a := range cfg.Analyzers {
		if len(a.Prefilter) == 0 {
			continue
		}
		out[i] = append([]string{}, a.Prefilter...)
		for _, key := range a.PrefilterSettings {
			for _, v := range cfg.Settings[a.Name][key] {
				if lit, _, _ := strings.Cut(v, ":"); lit != "" {
					out[i] = append(out[i], lit)
				}
			}
		}
	}
	return out
}

// changedFiles notes the files a built model found changed since it
// modelled them (a model whose value has a Changed() []string method),
// unless notes already say so: the findings that read them may lack their
// text and lines.
func (p *plan) changedFiles(notes []analyzers.Notification) []analyzers.Notification {
	var out []analyzers.Notification
	for _, v := range p.built {
		c, ok := v.(interface{ Changed() []string })
		if !ok {
			continue
		}
		for _, path := range c.Changed() {
			if !slices.ContainsFunc(notes, func(n analyzers.Notification) bool { return n.Path == path && n.Message == changedNote }) &&
				!slices.ContainsFunc(out, func(n analyzers.Notification) bool { return n.Path == path }) {
				out = append(out, analyzers.Notification{Level: "warning", Path: path,
					Message: "changed since residue read it: findings that read it may lack its text and lines; scan again"})
			}
		}
	}
	return out
}

// dropDuplicates drops each finding that reports what one before it
// reports, in SortFindings' order, where such findings are in one run of
// findings of the same path, position, rule and message: a model's
// evaluation may meet one event twice (a loop over a literal table
// evaluates its body once per item), or by two ways (two overrides of a
// hook, two helpers on the way), which is one finding to a user, with
// the first way as its flow.
func dropDuplicates(fds []analyzers.Finding) []analyzers.Finding {
	out := fds[:0]
	run := 0 // where the run of the last finding kept starts in out
	for _, f := range fds {
		if len(out) > run && analyzers.CompareFindings(&out[run], &f) != 0 {
			run = len(out)
		}
		if slices.ContainsFunc(out[run:], func(g analyzers.Finding) bool { return sameReport(&g, &f) }) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// sameReport reports whether two findings of one run say the same to a
// user: the same span, and both suppressed or neither.
func sameReport(a, b *analyzers.Finding) bool {
	return reflect.DeepEqual(a.Location, b.Location) && (a.Suppression == nil) == (b.Suppression == nil)
}
