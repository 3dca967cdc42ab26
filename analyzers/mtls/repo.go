package mtls

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A repo is what one goroutine reads of the repository: the built
// program, through its own reader, and the run's settings.
type repo struct {
	prog *pysrc.Program
	r    *pysrc.Reader
	keys keySet
	// proxySettings, validators and guards are the user's extra names.
	proxySettings, validators, guards map[string]bool
	settings                          analyzers.Settings
	// names caches what names resolve to.
	names map[nameKey][]pysrc.Datum
	// inlines counts the calls of the repository's functions followed;
	// work the statements walked, calls made and tests judged.
	inlines, work int
	// nested is set on a repo making a summary for the program (see
	// memo); depth counts the summaries it makes within.
	nested bool
	depth  int
}

// maxInlines caps the calls of the repository's functions one repo
// follows.
const maxInlines = 1000

// nameKey identifies the root of an atom in a module.
type nameKey struct {
	m     *pysrc.ModuleDef
	root  pysrc.RootKind
	index int32
	name  string
}

func newRepo(prog *pysrc.Program, s analyzers.Settings) *repo {
	return &repo{
		prog: prog, r: prog.Reader(), keys: newKeySet(s), settings: s,
		proxySettings: set(s["trusted-proxy-settings"]),
		validators:    set(s["cert-validators"]),
		guards:        set(s["proxy-guards"]),
		names:         map[nameKey][]pysrc.Datum{},
	}
}

// fresh returns a repo of the same program and settings for memos made
// on whatever goroutine asks first.
func (rp *repo) fresh() *repo { return newRepo(rp.prog, rp.settings) }

func set(list []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range list {
		m[s] = true
	}
	return m
}

// root returns what the root of atom a of f names (a name, an import,
// a function or class of the module).
func (rp *repo) root(f *pysrc.FuncDef, a pysrc.Atom) []pysrc.Datum {
	k := nameKey{f.Module(), a.Root, a.Index, a.Name}
	if ds, ok := rp.names[k]; ok {
		return ds
	}
	ds := rp.r.Atom(f, pysrc.Atom{Root: a.Root, Index: a.Index, Name: a.Name})
	rp.names[k] = ds
	return ds
}

// attr returns attribute name of the objects ds.
func (rp *repo) attr(f *pysrc.FuncDef, ds []pysrc.Datum, name string) []pysrc.Datum {
	var out []pysrc.Datum
	for _, d := range ds {
		if d.Tag == pysrc.TagExt || d.Tag == pysrc.TagModule || d.Tag == pysrc.TagClass || d.Tag == pysrc.TagObject && d.Class != nil {
			out = unionRefs(out, rp.r.Attr(f, d, name))
		}
	}
	return out
}

// text returns the source at l.
func (rp *repo) text(l pysrc.Loc) string { return rp.prog.Text(l) }

// location returns l as a finding's location, with msg.
func (rp *repo) location(l pysrc.Loc, msg string) analyzers.Location { return rp.prog.Location(l, msg) }
