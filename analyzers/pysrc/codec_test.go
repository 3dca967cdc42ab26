package pysrc

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/tools/txtar"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// codecRepos returns the Python of the repository's tests as small
// repositories: each rule fixture's Python files, the demo project's, and
// every string literal of this package's tests as a file of its own.
func codecRepos(t testing.TB) []map[string]string {
	t.Helper()
	var repos []map[string]string
	archives, err := filepath.Glob("../../rules/*/testdata/*.txtar")
	if err != nil || len(archives) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range archives {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		for _, f := range ar.Files {
			if strings.HasSuffix(f.Name, ".py") {
				files[f.Name] = string(f.Data)
			}
		}
		if len(files) > 0 {
			repos = append(repos, files)
		}
	}
	demo := map[string]string{}
	err = filepath.WalkDir("../../testdata/demo", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".py") {
			return err
		}
		src, err := os.ReadFile(path)
		demo[strings.TrimPrefix(path, "../../testdata/demo/")] = string(src)
		return err
	})
	if err != nil || len(demo) == 0 {
		t.Fatalf("no demo: %v", err)
	}
	repos = append(repos, demo)
	tests, _ := filepath.Glob("*_test.go")
	fset := token.NewFileSet()
	seen := map[string]bool{}
	for _, path := range tests {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && s != "" && !seen[s] {
					seen[s] = true
					repos = append(repos, map[string]string{"app/views.py": s})
				}
			}
			return true
		})
	}
	return repos
}

// codecModules extracts the modules of codecRepos.
func codecModules(t testing.TB) []*Module {
	t.Helper()
	var mods []*Module
	for _, files := range codecRepos(t) {
		for _, p := range extractAll(t, files) {
			mods = append(mods, opened(t, p))
		}
	}
	return mods
}

// recode encodes m, from its fields rather than from the form it was
// decoded from, and decodes it back.
func recode(t testing.TB, m *Module) *Module {
	t.Helper()
	fresh := *m
	fresh.form, fresh.wire = nil, nil
	data, err := fresh.GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	var back Module
	if err := back.GobDecode(data); err != nil {
		t.Fatalf("%s: %v", m.File, err)
	}
	return &back
}

// loaded returns a copy of m opened, whose functions' code is decoded,
// without what the decoder keeps to decode it, and without its source but
// its size and checksum, as the cache stores it.
func loaded(m *Module) *Module {
	if o, err := m.open(); err == nil {
		m = o
	}
	out := *m
	out.form, out.wire = nil, nil
	if m.src != nil {
		out.src, out.stamp = nil, source.StampOf(m.src)
	}
	if m.Funcs != nil {
		out.Funcs = make([]Func, len(m.Funcs))
		copy(out.Funcs, m.Funcs)
	}
	for i := range out.Funcs {
		f := &out.Funcs[i]
		f.code, f.lazy = m.Funcs[i].Code(), nil
	}
	return &out
}

// loadedParts returns parts, each module loaded.
func loadedParts(parts []analyzers.Part) []analyzers.Part {
	out := make([]analyzers.Part, len(parts))
	for i, p := range parts {
		out[i] = loaded(p.(*Module))
	}
	return out
}

// reach returns field i of struct v, made readable when it is not
// exported (v must be addressable then).
func reach(v reflect.Value, i int) reflect.Value {
	f := v.Field(i)
	if f.CanInterface() || !f.CanAddr() {
		return f
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// capped reports the first slice v reaches that has room to grow in
// place, which an append could overwrite a neighbour with.
func capped(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.Pointer:
		return capped(v.Elem(), path)
	case reflect.Struct:
		for i := range v.NumField() {
			if p := capped(reach(v, i), path+"."+v.Type().Field(i).Name); p != "" {
				return p
			}
		}
	case reflect.Slice:
		if v.Cap() != v.Len() {
			return path
		}
		for i := range v.Len() {
			if p := capped(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if p := capped(it.Value(), path+"["+it.Key().String()+"]"); p != "" {
				return p
			}
		}
	}
	return ""
}

// differ returns the first place where a and b differ, "" when they are
// deeply equal.
func differ(a, b reflect.Value, path string) string {
	switch {
	case reflect.DeepEqual(a.Interface(), b.Interface()):
		return ""
	case a.Kind() == reflect.Pointer:
		return differ(a.Elem(), b.Elem(), path)
	case a.Kind() == reflect.Struct:
		for i := range a.NumField() {
			if p := differ(reach(a, i), reach(b, i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	case a.Kind() == reflect.Slice && a.Len() == b.Len() && a.IsNil() == b.IsNil():
		for i := range a.Len() {
			if p := differ(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	}
	return fmt.Sprintf("%s: %#v, then %#v", path, a.Interface(), b.Interface())
}

// sameModule fails t when back is not m, its functions' code decoded,
// or when a function's calls call other names without it.
func sameModule(t testing.TB, m, back *Module, what string) {
	t.Helper()
	for i := range min(len(m.Funcs), len(back.Funcs)) {
		if a, b := m.Funcs[i].calledNames(), back.Funcs[i].calledNames(); !slices.Equal(a, b) {
			t.Fatalf("%s %s: function %d calls %q, then %q", what, m.File, i, a, b)
		}
	}
	if p := differ(reflect.ValueOf(loaded(m)), reflect.ValueOf(loaded(back)), "Module"); p != "" {
		t.Fatalf("%s %s differs once decoded: %s", what, m.File, p)
	}
}

// TestCodecFixtures encodes and decodes the module of every Python file
// of the tests: the module must come back the same, its slices capped,
// and so through gob as the cache stores it.
func TestCodecFixtures(t *testing.T) {
	mods := codecModules(t)
	if len(mods) < 100 {
		t.Fatalf("only %d modules", len(mods))
	}
	var parts []analyzers.Part
	for _, m := range mods {
		back := recode(t, m)
		sameModule(t, m, back, "module")
		if p := capped(reflect.ValueOf(loaded(back)), "Module"); p != "" {
			t.Fatalf("%s: %s is not capped", m.File, p)
		}
		parts = append(parts, m)
	}
	if back := roundTrip(t, parts); !reflect.DeepEqual(loadedParts(parts), loadedParts(back)) {
		t.Fatal("modules differ once through gob")
	}
}

// A filler sets every field a value reaches to a value no other field
// has, or, with empty set, every slice and map to an empty one: a field
// the codec does not know comes back zero.
type filler struct {
	t     *testing.T
	n     uint64
	empty bool
	depth int // of nested slices
}

func (f *filler) fill(v reflect.Value) {
	f.n++
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + strconv.FormatUint(f.n, 10))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Uint8:
		v.SetUint(f.n%250 + 1)
	case reflect.Uint32:
		v.SetUint(f.n * 1000003 % (1 << 32))
	case reflect.Int32:
		v.SetInt(-int64(f.n)) // a negative number, as -1 for none
	case reflect.Int:
		v.SetInt(int64(f.n))
	case reflect.Struct:
		for i := range v.NumField() {
			// What a decoder keeps to decode a function's code is its own.
			if name := v.Type().Field(i).Name; name != "lazy" && name != "form" && name != "sealed" {
				f.fill(reach(v, i))
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem())
	case reflect.Slice:
		n := 2
		if f.empty || f.depth >= 3 {
			n = 0
		}
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		f.depth++
		for i := range n {
			f.fill(v.Index(i))
		}
		f.depth--
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for i := 0; i < 2 && !f.empty; i++ {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(k)
			f.fill(e)
			v.SetMapIndex(k, e)
		}
	default:
		f.t.Fatalf("the codec's test has no values of %s: teach the codec and the test the new field", v.Type())
	}
}

// TestCodecFields fills every field of a module, at every depth, and
// decodes it back: a field added to the model without the codec fails.
// So do modules whose slices and maps are all empty, or all nil.
func TestCodecFields(t *testing.T) {
	for _, empty := range []bool{false, true} {
		var m Module
		f := &filler{t: t, empty: empty}
		f.fill(reflect.ValueOf(&m).Elem())
		if len(m.Funcs) > 0 {
			m.Funcs[0].Kind = KindDef // code kept encoded
		}
		sameModule(t, &m, recode(t, &m), fmt.Sprintf("filled (empty %v)", empty))
	}
	sameModule(t, &Module{}, recode(t, &Module{}), "zero")
}

// TestCodecCorrupt decodes truncated, extended and altered forms of a
// module: every truncation and extension fails, and an alteration may
// only decode to a module that encodes and decodes the same.
func TestCodecCorrupt(t *testing.T) {
	m := recode(t, &Module{})
	for _, mod := range codecModules(t) {
		if len(mod.Funcs) > len(m.Funcs) && len(mod.src) < 1500 {
			m = mod
		}
	}
	data, err := m.GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	for n := range data {
		var back Module
		if back.GobDecode(data[:n]) == nil {
			t.Fatalf("%d bytes of %d decode", n, len(data))
		}
	}
	var back Module
	if back.GobDecode(append(data[:len(data):len(data)], 0)) == nil {
		t.Fatal("a byte more decodes")
	}
	other := bytes.Clone(data)
	other[0]++
	if back.GobDecode(other) == nil {
		t.Fatal("another version decodes")
	}
	for i := range data {
		for _, x := range []byte{0x01, 0xff} {
			bad := bytes.Clone(data)
			bad[i] ^= x
			var got Module
			if got.GobDecode(bad) == nil {
				sameModule(t, &got, recode(t, &got), fmt.Sprintf("altered (byte %d ^ %#x)", i, x))
			}
		}
	}
	for depth, ok := range map[int]bool{maxLiteralDepth: true, maxLiteralDepth + 1: false} {
		deep := &Module{Settings: []Setting{{Name: "S"}}}
		l := &deep.Settings[0].Value
		for range depth - 1 {
			l.Items = []Literal{{Kind: LitList}}
			l = &l.Items[0]
		}
		if _, err := deep.GobEncode(); (err == nil) != ok {
			t.Errorf("a literal %d deep: encoding error %v", depth, err)
		} else if ok {
			sameModule(t, deep, recode(t, deep), "deep")
		}
	}
}

// TestCodecAllocs checks that decoding a module allocates once per list
// type, not once per element.
func TestCodecAllocs(t *testing.T) {
	var m *Module
	for _, mod := range codecModules(t) {
		if m == nil || len(mod.Funcs) > len(m.Funcs) {
			m = mod
		}
	}
	data, err := m.GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(10, func() {
		var back Module
		if err := back.GobDecode(data); err != nil {
			t.Fatal(err)
		}
	})
	// The decoder, the form's copy, the table and its string, the lists,
	// and the functions' lazyCode and module and class bodies' code.
	if limit := float64(6 + numLists); allocs > limit {
		t.Errorf("decoding %s (%d functions) allocates %v times, want %v at most", m.File, len(m.Funcs), allocs, limit)
	}
}

// FuzzModuleCodec decodes arbitrary bytes, which must fail or give a
// module that round-trips, and round-trips the module of arbitrary
// Python. The seeds are the tests' Python and its modules' forms.
func FuzzModuleCodec(f *testing.F) {
	for _, files := range codecRepos(f) {
		for path, src := range files {
			m := extractAll(f, map[string]string{path: src})[0].(*Module)
			data, err := m.GobEncode()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src, data)
		}
	}
	f.Fuzz(func(t *testing.T, src string, data []byte) {
		var m Module
		if m.GobDecode(data) == nil {
			sameModule(t, &m, recode(t, &m), "decoded")
			for i := range m.Funcs {
				f := &m.Funcs[i]
				calls, names := f.Code().Calls, f.calledNames()
				if len(calls) > 0 && len(calls) != len(names) {
					t.Fatalf("function %d: %d calls, %d names of calls", i, len(calls), len(names))
				}
				for k := range calls {
					if calls[k].called() != names[k] {
						t.Fatalf("function %d: call %d calls %q, its name says %q", i, k, calls[k].called(), names[k])
					}
				}
			}
		}
		mod := opened(t, extractAll(t, map[string]string{"app/views.py": src})[0])
		sameModule(t, mod, recode(t, mod), "extracted")
	})
}

// BenchmarkModuleDecode decodes the tests' modules from one gob stream,
// as the cache does: in the codec's form, every function's code decoded
// (as a whole build reads it) or none (as pre-commit leaves most of it),
// and in gob's form of the same fields for comparison.
func BenchmarkModuleDecode(b *testing.B) {
	mods := codecModules(b)
	type plain Module // without the codec's methods
	type plainModule struct {
		Module *plain
		Code   []*FuncCode // gob does not see Func's unexported code
	}
	encode := func(gobForm bool) []byte {
		var buf bytes.Buffer
		enc := gob.NewEncoder(&buf)
		for _, m := range mods {
			var v any = m
			if gobForm {
				pm := plainModule{Module: (*plain)(m)}
				for i := range m.Funcs {
					pm.Code = append(pm.Code, m.Funcs[i].Code())
				}
				v = pm
			}
			if err := enc.Encode(v); err != nil {
				b.Fatal(err)
			}
		}
		return buf.Bytes()
	}
	for _, variant := range []string{"codec-whole", "codec-lazy", "gob"} {
		data := encode(variant == "gob")
		b.Run(variant, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				dec := gob.NewDecoder(bytes.NewReader(data))
				for range mods {
					if variant == "gob" {
						if err := dec.Decode(new(plainModule)); err != nil {
							b.Fatal(err)
						}
						continue
					}
					m := new(Module)
					if err := dec.Decode(m); err != nil {
						b.Fatal(err)
					}
					if variant == "codec-whole" {
						for i := range m.Funcs {
							m.Funcs[i].Code()
						}
					}
				}
			}
		})
	}
}

// TestLazyCode decodes a module whose functions keep their code encoded:
// copies of a function share its code once decoded, and code whose calls
// are not those its names say (a damaged form) decodes to no code, which
// Callers' references then report (CallRef.Site).
func TestLazyCode(t *testing.T) {
	files := map[string]string{"app/views.py": "def helper(x):\n    return x\n\n\ndef caller(request):\n    helper(request.body)\n    return helper(1)\n"}
	decode := func() *Module {
		m := extractAll(t, files)[0].(*Module)
		data, err := m.GobEncode()
		if err != nil {
			t.Fatal(err)
		}
		var back Module
		if err := back.GobDecode(data); err != nil {
			t.Fatal(err)
		}
		return &back
	}
	caller := func(m *Module) *Func {
		for i := range m.Funcs {
			if m.Funcs[i].Name == "caller" {
				return &m.Funcs[i]
			}
		}
		t.Fatal("no caller")
		return nil
	}

	m := decode()
	f := caller(m)
	if f.lazy == nil || f.lazy.code.Load() != nil {
		t.Fatal("caller's code is not kept encoded")
	}
	copied := *f
	if n := len(copied.Code().Calls); n != 2 {
		t.Fatalf("the copy's code has %d calls, want 2", n)
	}
	first := f.Code()
	if first != copied.Code() {
		t.Error("a function and its copy decode their code apart")
	}
	f.releaseCode()
	if f.lazy.code.Load() != nil {
		t.Fatal("released code is still held")
	}
	if again := copied.Code(); again == first || !reflect.DeepEqual(again, first) {
		t.Errorf("code decoded again after a release: same pointer %v, equal %v", again == first, reflect.DeepEqual(again, first))
	}

	m = decode()
	f = caller(m)
	f.lazy.called = []uint32{f.lazy.called[0], 0} // "helper", ""
	if n := len(f.Code().Calls); n != 0 {
		t.Errorf("code whose calls disagree with their names has %d calls, want none", n)
	}
	p, err := build([]analyzers.Part{m})
	if err != nil {
		t.Fatal(err)
	}
	refs := p.(*Program).Callers("helper")
	if len(refs) != 1 {
		t.Fatalf("Callers(helper) = %d references, want 1 (from the names)", len(refs))
	}
	if _, ok := refs[0].Site(); ok {
		t.Error("Site found a call in code that did not decode")
	}
}

// TestPartsAreCompact extracts every repository of the tests: each module
// must be sealed, nothing decoded but what the run reads before Build,
// its source left to be read again (only its stamp kept); opened, it must
// be the one lowered, every Func's code kept encoded, and Build must find
// the same of each. A whole build of the compact modules decodes only the
// functions it evaluates (it finds its roots and callers without
// decoding), and lets go of their code once their summaries are final.
func TestPartsAreCompact(t *testing.T) {
	compacted, evaluated, held := 0, 0, 0
	for _, files := range codecRepos(t) {
		lowered, parts := extractParts(t, files, nil, true), extractParts(t, files, nil, false)
		for i := range lowered {
			m, sealed := lowered[i].(*Module), parts[i].(*Module)
			if !sealed.sealed || sealed.Funcs != nil || sealed.Imports != nil || sealed.File != m.File || sealed.Package != m.Package ||
				!slices.Equal(sealed.Need, m.Need) || !reflect.DeepEqual(sealed.Config, m.Config) {
				t.Fatalf("%s: extracted, the module is not sealed with its path, package flag, settings and needs", m.File)
			}
			c := opened(t, sealed)
			if m.form != nil || c.form == nil || c.sealed {
				t.Fatalf("%s: kept as a form %v when lowered, %v when opened (sealed %v)", m.File, m.form != nil, c.form != nil, c.sealed)
			}
			for j := range c.Funcs {
				if c.Funcs[j].lazy == nil {
					t.Fatalf("%s: code of %q decoded", c.File, c.Funcs[j].Name)
				}
				if c.Funcs[j].Kind == KindDef {
					compacted++
				}
			}
			if again, err := m.compact(); err != nil || again.src != nil || again.stamp != source.StampOf(m.src) {
				t.Fatalf("%s: the compact module keeps its source, or not its stamp (%v)", m.File, err)
			}
			sameModule(t, m, c, "extracted")
		}
		// Compared, the modules above are decoded whole: Build gets fresh ones.
		parts = extractParts(t, files, nil, false)
		a, errA := build(lowered)
		b, errB := build(parts)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		for _, m := range b.(*Program).modules {
			for _, f := range m.fns {
				if f.lazy != nil && f.final {
					evaluated++
					if f.lazy.code.Load() != nil {
						held++
					}
				}
			}
		}
		if x, y := summaries(a.(*Program)), summaries(b.(*Program)); !slices.Equal(x, y) {
			t.Fatalf("the summaries differ:\n%s\n---\n%s", strings.Join(x, "\n"), strings.Join(y, "\n"))
		}
	}
	if compacted < 500 {
		t.Fatalf("only %d functions kept encoded", compacted)
	}
	if evaluated == 0 || evaluated > compacted*3/4 {
		t.Errorf("whole builds evaluated %d of %d functions", evaluated, compacted)
	}
	if held > 0 {
		t.Errorf("whole builds hold the code of %d of the %d functions they evaluated", held, evaluated)
	}
}

// TestEncodingIsKept: an extracted module gives the cache the binary form
// it was made from, the one its lowered module encodes to, without
// encoding or copying it again, and so does a module decoded from it; the
// form's array holds its bytes and no more than the stamp's room.
func TestEncodingIsKept(t *testing.T) {
	n := 0
	for _, files := range codecRepos(t) {
		lowered, parts := extractParts(t, files, nil, true), extractParts(t, files, nil, false)
		for i := range lowered {
			m, c := lowered[i].(*Module), parts[i].(*Module)
			want, err := m.GobEncode()
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.GobEncode()
			if err != nil || !bytes.Equal(got, want) || &got[0] != &c.wire[0] {
				t.Fatalf("%s: the extracted module encodes to other bytes, or a copy (%v)", m.File, err)
			}
			o := opened(t, c)
			if again, err := o.GobEncode(); err != nil || &again[0] != &got[0] {
				t.Fatalf("%s: opened, the module encodes to a copy (%v)", m.File, err)
			}
			if &o.form[0] != &got[0] || cap(got)-len(got) > 14 || cap(want)-len(want) > 14 {
				t.Fatalf("%s: the form is not the start of an array of %d bytes holding %d", m.File, cap(got), len(got))
			}
			var back Module
			if err := back.GobDecode(got); err != nil {
				t.Fatal(err)
			}
			if again, err := back.GobEncode(); err != nil || !bytes.Equal(again, want) {
				t.Fatalf("%s: decoded, the module encodes to other bytes (%v)", m.File, err)
			}
			n++
		}
	}
	if n < 100 {
		t.Fatalf("only %d modules", n)
	}
}

// TestExtractKeepsWhatTheCodecCannotEncode extracts a module whose
// setting nests deeper than the codec's bound: it stays as lowered.
func TestExtractKeepsWhatTheCodecCannotEncode(t *testing.T) {
	deep := strings.Repeat("[", maxLiteralDepth+1) + strings.Repeat("]", maxLiteralDepth+1)
	files := map[string]string{"app/deep.py": "import logging\nX = " + deep + "\n\n\ndef log_it(v):\n    logging.info(v)\n"}
	lowered, parts := extractParts(t, files, nil, true), extractParts(t, files, nil, false)
	if len(parts) != 1 || parts[0] == nil {
		t.Fatalf("extracted, the module is %v", parts)
	}
	m, c := lowered[0].(*Module), parts[0].(*Module)
	if c.form != nil || len(c.Funcs) != len(m.Funcs) || len(c.Settings) != len(m.Settings) {
		t.Errorf("extracted: form %v, %d functions and %d settings, want %d and %d", c.form != nil, len(c.Funcs), len(c.Settings), len(m.Funcs), len(m.Settings))
	}
}

// TestCodecRefusesUnsearchableEnv: a body's Env is searched by name
// (env.lookup), so a form whose Env is out of order, or names a binding
// twice, does not decode (a cache entry that would resolve no name).
func TestCodecRefusesUnsearchableEnv(t *testing.T) {
	for name, env := range map[string][]Binding{
		"unsorted":  {{Name: "b"}, {Name: "a"}},
		"duplicate": {{Name: "a"}, {Name: "a"}},
		"sorted":    {{Name: "a"}, {Name: "b"}},
	} {
		m := &Module{File: "m.py", Funcs: []Func{{Kind: KindModule, Class: -1, code: &FuncCode{Env: env}}}}
		data, err := m.GobEncode()
		if err != nil {
			t.Fatal(err)
		}
		var back Module
		if err := back.GobDecode(data); (err == nil) != (name == "sorted") {
			t.Errorf("%s: decoding gives %v", name, err)
		}
	}
}
