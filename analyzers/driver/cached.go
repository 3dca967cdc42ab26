package driver

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/cache"
	"github.com/residue-sec/residue/analyzers/discover"
	"github.com/residue-sec/residue/analyzers/filter"
	"github.com/residue-sec/residue/analyzers/source"
)

// What the cache holds of a file is a function of its path and content
// under one configuration: the results of its per-file pass (as a
// scanned file, or as a facts-only one), the models' parts and its
// outline. A file whose entry has what a job needs is neither read nor
// parsed; otherwise its results are computed and added to the entry.

// An entry is one file's cache entry.
type entry struct {
	// Scan and Facts are the per-file pass as a scanned and as a
	// facts-only file; either may be missing.
	Scan, Facts *passEntry
	// Parts holds the parts of the models that extracted the file, by
	// model name; a nil Part means the model extracted nothing.
	Parts map[string]*partEntry
	// Outline is the file's outline when a model extracted it, for the
	// Check steps of a scanned file (a snapshot is kept only by parts).
	Outline *storedOutline
	// Ignores are the file's suppression comments; IgnoresRead tells
	// whether they were looked for.
	Ignores     []*filter.Ignore
	IgnoresRead bool
}

// A passEntry is what the per-file pass produced.
type passEntry struct {
	Findings []analyzers.Finding
	Owners   []string // analyzer name of each finding
	Facts    []storedFact
	Notes    []analyzers.Notification
	Parsed   bool
	// Skipped is fileResult.skipped.
	Skipped bool
	// Models are the models that extracted the file in this pass.
	Models []string
	// Admission is the key of what a model's Admit read to decide on the
	// file, the repository's files of its language (plan.fileKeys) and
	// the files Reads names; "" when it read nothing.
	Admission string
	Reads     []string
}

type storedFact struct {
	Analyzer string
	Fact     analyzers.Fact
}

// A partEntry is a model's part, with the model's context key when it was
// extracted (Model.Context).
type partEntry struct {
	Part    analyzers.Part
	Context string
}

// cacheConfig returns the key of everything besides a file that decides
// its results: residue's build, the analyzers, the rules, the settings
// and the limits.
func (p *plan) cacheConfig() string {
	h := sha256.New()
	fmt.Fprintf(h, "build %s\n", BuildID())
	for _, a := range p.cfg.Analyzers {
		fmt.Fprintf(h, "analyzer %s %q %q %q %q %q %v\n", a.Name, a.Rules, a.Prefilter, a.FactPrefilter, a.PrefilterSettings, a.Markers, a.Queries)
		for _, m := range a.Uses {
			fmt.Fprintf(h, "uses %s %q\n", m.Name, m.Prefilter)
		}
	}
	for _, r := range p.rules {
		b, _ := json.Marshal(r)
		fmt.Fprintf(h, "rule %s\n", b)
	}
	names := make([]string, 0, len(p.cfg.Settings))
	for name := range p.cfg.Settings {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		b, _ := json.Marshal(p.cfg.Settings[name])
		fmt.Fprintf(h, "settings %s %s\n", name, b)
	}
	fmt.Fprintf(h, "disable %q\nlimits %d %d %d %d %v %v\n", p.cfg.Disable, p.cfg.MaxDepth, p.cfg.MaxMatches, p.cfg.MaxQuerySteps,
		p.cfg.MaxFileSize, p.cfg.ParseTimeout, p.cfg.WarnUnusedIgnores)
	return hex.EncodeToString(h.Sum(nil))
}

// Revision returns the VCS revision residue was built from, "" when the
// build does not record one, and whether the checkout had changes (so
// taken unless the build says otherwise).
func Revision() (rev string, modified bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", true
	}
	modified = true
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	return rev, modified
}

// BuildID identifies the running build of residue: its VCS revision when
// it was built from a clean checkout, else a hash of the executable. It is
// worked out once.
var BuildID = sync.OnceValue(buildID)

func buildID() string {
	if rev, modified := Revision(); rev != "" && !modified {
		return "rev " + rev + " " + runtime.Version() // the Go that built it
	}
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	f, err := os.Open(exe)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "unknown"
	}
	return "exe " + hex.EncodeToString(h.Sum(nil))
}

// An admission is what Admit read of the repository besides its file
// list: files, by path, and the hashes of their content ("" for one that
// could not be read).
type admission struct {
	reads, hashes []string
}

// reader returns an AdmitPass.Read that records the files it reads.
func (a *admission) reader(root string) func(string) ([]byte, error) {
	return func(path string) ([]byte, error) {
		src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(path)))
		hash := ""
		if err == nil {
			hash = cache.Hash(src)
		}
		a.reads, a.hashes = append(a.reads, path), append(a.hashes, hash)
		return src, err
	}
}

// key returns the key of an admission in a run whose files of the
// language have the key files.
func (a *admission) key(files string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", files)
	for i, r := range a.reads {
		fmt.Fprintf(h, "%s %s\n", r, a.hashes[i])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// current returns the admission of the same paths read now.
func (a *admission) current(root string) *admission {
	now := &admission{}
	read := now.reader(root)
	for _, r := range a.reads {
		read(r)
	}
	return now
}

// pathsKey returns a key of a sorted list of paths.
func pathsKey(paths []string) string {
	h := sha256.New()
	for _, p := range paths {
		fmt.Fprintf(h, "%s\n", p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// cacheKey returns a job's entry key, and the file's bytes when they had
// to be read to hash them; "" when the file cannot be read. The size and
// modification time are the walk's, when it recorded them.
func (p *plan) cacheKey(j job) (string, []byte) {
	st, ok := statOf(j)
	if !ok {
		return "", nil
	}
	if hash, ok := p.cache.Lookup(j.Abs, indexStat(st)); ok {
		return cache.Key(j.Path, hash), nil
	}
	src, err := os.ReadFile(j.Abs)
	if err != nil {
		return "", nil
	}
	return p.keyOf(j, src), src
}

// keyOf returns the entry key of job j's file read as src, and indexes it.
func (p *plan) keyOf(j job, src []byte) string {
	hash := cache.Hash(src)
	if st, ok := statOf(j); ok {
		p.cache.Remember(j.Abs, j.Path, indexStat(st), hash)
	}
	return cache.Key(j.Path, hash)
}

// indexStat returns a file's metadata as the cache's index keeps it.
func indexStat(st discover.Stat) cache.Stat {
	return cache.Stat{Size: st.Size, MTime: st.MTime.UnixNano(), CTime: st.CTime, Inode: st.Inode}
}

// statOf returns the metadata of job j's file: the walk's, when it
// recorded them.
func statOf(j job) (discover.Stat, bool) {
	if !j.MTime.IsZero() {
		return j.Stat, true
	}
	info, err := os.Stat(j.Abs)
	if err != nil {
		return discover.Stat{}, false
	}
	return discover.StatOf(info), true
}

func init() { gob.Register(&entry{}) }

// loadEntry returns the entry stored under key, nil when there is none.
// It is shared: never modified.
func (p *plan) loadEntry(key string) *entry {
	v, ok := p.cache.Get(key)
	if !ok {
		return nil
	}
	e, _ := v.(*entry)
	return e
}

// storeEntry stores under key a copy of its entry with what fr holds for
// job j added.
func (p *plan) storeEntry(key string, j job, fr fileResult) {
	e := &entry{Parts: map[string]*partEntry{}}
	if old := p.loadEntry(key); old != nil {
		*e = *old
		e.Parts = maps.Clone(old.Parts)
		if e.Parts == nil {
			e.Parts = map[string]*partEntry{}
		}
	}
	var models []string
	for _, op := range fr.parts {
		name := p.models[op.model].Name
		e.Parts[name] = &partEntry{op.part, p.modelContexts[op.model]}
		models = append(models, name)
	}
	for _, mi := range j.models {
		if _, ok := e.Parts[p.models[mi].Name]; !ok {
			e.Parts[p.models[mi].Name] = &partEntry{Context: p.modelContexts[mi]}
		}
	}
	if fr.outline != nil {
		e.Outline = &storedOutline{outline: fr.outline}
	}
	// A later round reads the comments again, unmarked: those the file's
	// own pass marked stay.
	if fr.ignoresRead && (j.round == 0 || !e.IgnoresRead) {
		e.Ignores, e.IgnoresRead = fr.ignores, true
	}
	if j.round == 0 {
		pe := &passEntry{Findings: fr.findings, Notes: fr.notes, Parsed: fr.parsed, Skipped: fr.skipped, Models: models}
		if a := fr.admission; a != nil {
			pe.Admission, pe.Reads = a.key(p.fileKeys[j.Lang]), a.reads
		}
		for _, ai := range fr.owners {
			pe.Owners = append(pe.Owners, p.cfg.Analyzers[ai].Name)
		}
		for _, of := range fr.facts {
			pe.Facts = append(pe.Facts, storedFact{p.cfg.Analyzers[of.analyzer].Name, of.fact})
		}
		if j.factsOnly {
			e.Facts = pe
		} else {
			e.Scan = pe
		}
	}
	p.cache.Put(key, e)
}

// cached returns job j's result from the entry stored under key, false
// when there is none or it lacks something the job needs. hashed says the
// key was computed from the file's bytes in this run, not taken from the
// index (which trusts a file's size and time).
func (p *plan) cached(key string, j job, hashed bool) (fileResult, bool) {
	e := p.loadEntry(key)
	if e == nil {
		return fileResult{}, false
	}
	return e.result(p, j, hashed)
}

// result turns an entry into job j's result, or false when the entry
// lacks something the job needs; hashed is as for cached.
func (e *entry) result(p *plan, j job, hashed bool) (fileResult, bool) {
	fr := fileResult{read: true}
	var models []string
	if j.round == 0 {
		pe := e.Scan
		if j.factsOnly && e.Facts != nil {
			pe = e.Facts
		}
		if pe == nil || pe.Admission != "" && pe.Admission != (&admission{reads: pe.Reads}).current(p.root).key(p.fileKeys[j.Lang]) {
			return fr, false
		}
		models = pe.Models
		fr.parsed = false
		fr.skipped, fr.read = pe.Skipped, !pe.Skipped
		for _, sf := range pe.Facts {
			ai := p.analyzerIndex(sf.Analyzer)
			if ai < 0 {
				return fr, false
			}
			fr.facts = append(fr.facts, ownedFact{ai, sf.Fact})
		}
		if !j.factsOnly {
			fr.findings, fr.notes = pe.Findings, pe.Notes
			for _, name := range pe.Owners {
				ai := p.analyzerIndex(name)
				if ai < 0 {
					return fr, false
				}
				fr.owners = append(fr.owners, ai)
			}
		}
	} else {
		for _, mi := range j.models {
			models = append(models, p.models[mi].Name)
		}
	}
	for _, name := range models {
		pe, ok := e.Parts[name]
		mi := slices.IndexFunc(p.models, func(m *analyzers.Model) bool { return m.Name == name })
		if !ok || mi < 0 || pe.Context != p.modelContexts[mi] {
			return fr, false
		}
		if pe.Part != nil {
			fr.parts = append(fr.parts, ownedPart{mi, pe.Part})
		}
	}
	if !j.factsOnly && len(fr.parts) > 0 {
		outline := e.Outline.get(j.Abs, fr.parts, hashed)
		if outline == nil {
			return fr, false
		}
		fr.outline, fr.syntax = outline, heldSyntax(fr.parts)
	}
	if !j.factsOnly {
		if !e.IgnoresRead && (len(fr.parts) > 0 || fr.parsed || len(fr.findings) > 0) {
			return fr, false
		}
		fr.ignores = e.Ignores
		// Counted once the entry is taken: one refused is analyzed
		// again, and counted then.
		for _, fd := range fr.findings {
			p.countFinding(fd.RuleID)
		}
	}
	return fr, true
}

// analyzerIndex returns the index of the analyzer named name, -1.
func (p *plan) analyzerIndex(name string) int {
	return slices.IndexFunc(p.cfg.Analyzers, func(a *analyzers.Analyzer) bool { return a.Name == name })
}

// openCache starts opening the configured cache in the background, so
// that reading and decoding its packs overlaps the walks of the
// repository; the function it returns waits for the cache (p.cache, nil
// when there is none) and returns the open's notifications. A cache that
// cannot be opened is a warning: the run goes on without it.
func (p *plan) openCache(root string) (wait func() []analyzers.Notification) {
	if p.cfg.CacheDir == "" {
		return func() []analyzers.Notification { return nil }
	}
	done := make(chan []analyzers.Notification, 1)
	go func() {
		c, err := cache.Open(filepath.Clean(p.cfg.CacheDir), p.cacheConfig())
		if err != nil {
			done <- []analyzers.Notification{{Level: "warning", Message: "no cache: " + underRoot(root, err.Error())}}
			return
		}
		p.cache = c
		done <- nil
	}()
	return sync.OnceValue(func() []analyzers.Notification { return <-done })
}

// A storedOutline is an entry's outline, decoded from the cache only when
// a run scans the file: a pre-commit run reads every entry of the
// repository but reports on a few files. The cache holds it without the
// file's source, only the source's size and CRC-32C: the file is on disk,
// and a scanned file's source is read again when its outline is decoded.
// Its encoding (a pack written while the run goes on, Cache.Flush) and its
// decoding may meet.
type storedOutline struct {
	mu      sync.Mutex
	raw     []byte
	outline *source.Outline
	// failed is set once raw did not give the outline in this run.
	failed bool
}

// An outlineRecord is what the cache holds of an outline.
type outlineRecord struct {
	Outline *source.Outline
	Stamp   source.Stamp
}

// GobEncode encodes the outline on its own, without its source.
func (s *storedOutline) GobEncode() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outline == nil {
		return s.raw, nil
	}
	// The exported fields alone, which a Check step running meanwhile
	// does not write.
	o := source.Outline{Path: s.outline.Path, Lang: s.outline.Lang, Stmts: s.outline.Stmts, Defs: s.outline.Defs, Literals: s.outline.Literals}
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(outlineRecord{&o, s.outline.Stamp()})
	return buf.Bytes(), err
}

// GobDecode keeps a copy of the encoded outline for get: raw is a slice of
// the whole entry's message, which must not stay alive through it.
func (s *storedOutline) GobDecode(raw []byte) error {
	s.raw = bytes.Clone(raw)
	return nil
}

// get returns the outline, decoded on first use and checked against the
// file's source: the file at abs, or, when the entry's key was hashed
// from the file in this run (hashed), the snapshot a part of the file
// keeps if it is the same. The outline is released (Outline.Released): what
// needs the source reads abs again. It returns nil for none, for one that
// does not decode and for a file that is not the one stored (then analyzed
// again; the outline is kept for a later run that meets the stored content
// again).
func (s *storedOutline) get(abs string, parts []ownedPart, hashed bool) *source.Outline {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outline == nil && len(s.raw) > 0 && !s.failed {
		s.failed = true
		var r outlineRecord
		if gob.NewDecoder(bytes.NewReader(s.raw)).Decode(&r) == nil && r.Outline != nil {
			src := []byte(nil)
			if syn := heldSyntax(parts); syn != nil && hashed {
				src = syn.Src()
			}
			if !r.Stamp.Matches(src) {
				src, _ = os.ReadFile(abs)
			}
			if r.Stamp.Matches(src) {
				s.outline, s.raw, s.failed = r.Outline.Released(abs, r.Stamp), nil, false
			}
		}
	}
	return s.outline
}

// underRoot writes the paths under root in a cache message relative to
// it, as every other path of a report is: a report uploaded from CI named
// the runner's folders.
func underRoot(root, msg string) string {
	return strings.ReplaceAll(msg, root+string(filepath.Separator), "")
}
