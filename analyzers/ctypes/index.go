package ctypes

import (
	"sort"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/csrc"
)

// index is the repository's facts, arranged for Finish: C prototypes by
// name (typedefs are the C model's), libraries by module variable,
// bindings and calls by function pointer (library id # symbol, imports
// resolved).
type index struct {
	protos   map[string]*proto // nil: declared inconsistently
	repo     *csrc.Repo
	libs     map[string]string
	libNames []string // sorted keys of libs
	bindings map[string][]analyzers.Fact
	bySymbol map[string][]analyzers.Fact // argtypes bindings by symbol
	calls    []analyzers.Fact
	byFP     map[string][]analyzers.Fact // calls by function pointer
}

// newIndex arranges the Python facts and the prototypes of the C model
// repo (nil when it could not be built).
func newIndex(facts []analyzers.Fact, repo *csrc.Repo) *index {
	ix := &index{protos: map[string]*proto{}, repo: repo, libs: map[string]string{},
		bindings: map[string][]analyzers.Fact{}, bySymbol: map[string][]analyzers.Fact{}, byFP: map[string][]analyzers.Fact{}}
	if repo != nil {
		for _, p := range repo.Prototypes() {
			ix.addProto(protoOf(p))
		}
	}
	for _, f := range facts {
		switch f.Kind {
		case factLibrary:
			if _, ok := ix.libs[f.Key]; !ok && len(f.Values) == 1 {
				ix.libs[f.Key] = f.Values[0]
				ix.libNames = append(ix.libNames, f.Key)
			}
		}
	}
	sort.Strings(ix.libNames)
	for _, f := range facts {
		if len(f.Values) < 2 || f.Kind != factBinding && f.Kind != factCall {
			continue
		}
		lib, ok := ix.resolve(f.Values[0], 0)
		if !ok {
			continue
		}
		f.Values = append([]string{lib}, f.Values[1:]...)
		key := lib + "#" + f.Key
		if f.Kind == factBinding {
			ix.bindings[key] = append(ix.bindings[key], f)
			if f.Values[1] == "argtypes" {
				ix.bySymbol[f.Key] = append(ix.bySymbol[f.Key], f)
			}
		} else {
			ix.calls = append(ix.calls, f)
			ix.byFP[key] = append(ix.byFP[key], f)
		}
	}
	return ix
}

// addProto records a prototype; two that disagree on the parameter count
// make the symbol ambiguous.
func (ix *index) addProto(p *proto) {
	old, seen := ix.protos[p.name]
	switch {
	case !seen:
		ix.protos[p.name] = p
	case old != nil && (len(old.params) != len(p.params) || old.variadic != p.variadic):
		ix.protos[p.name] = nil
	}
}

// resolve turns an imported library id into the id of the library the
// imported module variable holds; ok is false when it holds none.
func (ix *index) resolve(lib string, depth int) (string, bool) {
	path, imported := strings.CutPrefix(lib, importPrefix)
	if !imported {
		return lib, true
	}
	if depth > 4 {
		return "", false
	}
	if v, ok := ix.libs[path]; ok {
		return ix.resolve(v, depth+1)
	}
	for _, name := range ix.libNames {
		if strings.HasSuffix(name, "."+path) {
			return ix.resolve(ix.libs[name], depth+1)
		}
	}
	return "", false
}

// ctypeOf classifies a prototype's type through the repository's typedefs.
func (ix *index) ctypeOf(p cparam) ctype {
	base, stars := strings.TrimPrefix(p.base, "const "), p.stars
	text := strings.TrimSpace(p.base + " " + strings.Repeat("*", p.stars))
	for range 8 {
		if _, ok := cScalars[base]; ok {
			break
		}
		if ix.repo == nil {
			break
		}
		tdBase, tdStars, ok := ix.repo.TypedefShape(base)
		if !ok {
			break
		}
		base, stars = strings.TrimPrefix(tdBase, "const "), stars+tdStars
	}
	switch {
	case stars > 0:
		return ctype{kind: kindPtr, pointee: cPointees[base], text: text}
	case base == "void":
		return ctype{kind: kindVoid, text: text}
	case base == "struct":
		return ctype{kind: kindStruct, text: text}
	case base == "enum":
		return ctype{kind: kindInt, width: 4, text: text}
	}
	if t, ok := cScalars[base]; ok {
		t.text = text
		return t
	}
	return ctype{text: text}
}

// argtypes returns the types a function pointer's argtypes declare, the
// binding, and ok false when there is none or it is not a literal list.
// Bindings that disagree on the count make it unknown too.
func (ix *index) argtypes(fpKey string) ([]ctype, analyzers.Fact, bool) {
	var types []ctype
	var at analyzers.Fact
	found := false
	for _, b := range ix.bindings[fpKey] {
		if b.Values[1] != "argtypes" {
			continue
		}
		if len(b.Values) == 3 && b.Values[2] == "*" {
			return nil, b, false
		}
		ts := make([]ctype, 0, len(b.Values)-2)
		for _, v := range b.Values[2:] {
			ts = append(ts, decodeType(v))
		}
		if found && len(ts) != len(types) {
			return nil, b, false
		}
		types, at, found = ts, b, true
	}
	return types, at, found
}

// declared reports whether the function pointer has argtypes (of any shape).
func (ix *index) declared(fpKey string) bool {
	for _, b := range ix.bindings[fpKey] {
		if b.Values[1] == "argtypes" {
			return true
		}
	}
	return false
}

// binding returns a function pointer's first binding of attr.
func (ix *index) binding(fpKey, attr string) (analyzers.Fact, bool) {
	for _, b := range ix.bindings[fpKey] {
		if b.Values[1] == attr {
			return b, true
		}
	}
	return analyzers.Fact{}, false
}
