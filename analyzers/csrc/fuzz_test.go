package csrc

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/residue-sec/residue/analyzers/source"
)

// FuzzModel extracts and builds a repository of a header and a file that
// includes it, both arbitrary C, and runs the analysis on the file: no
// input may panic, and every output must have its place and its buffer.
// The seeds are the cmem fixtures' C files, paired.
func FuzzModel(f *testing.F) {
	archives, _ := filepath.Glob("../../rules/cmem/testdata/*.txtar")
	more, _ := filepath.Glob("../../rules/crosslang/testdata/*.txtar")
	archives = append(archives, more...)
	var srcs [][]byte
	for _, a := range archives {
		ar, err := txtar.ParseFile(a)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			srcs = append(srcs, file.Data)
		}
	}
	for i := range srcs {
		f.Add(srcs[i], srcs[(i+1)%len(srcs)])
	}
	f.Add([]byte("#define N N\n#if N\nstruct s { struct s x; };\n#endif\n"), []byte("#include \"h.h\"\nint f(int fd) { struct s v; char b[N]; return write(fd, b, sizeof b); }\n"))
	f.Add([]byte("int g(char **p) { return g(p) + f(*p); }\n"), []byte("#include \"h.h\"\nint f(char *p) { char *q; g(&q); printf(\"%s\", q); return f(p); }\n"))
	f.Fuzz(func(t *testing.T, header, file []byte) {
		if source.NestingEstimate(header) > 2000 || source.NestingEstimate(file) > 2000 {
			return // the driver skips files nested this deep
		}
		files := map[string]string{"inc/h.h": string(header), "src/f.c": "#include \"h.h\"\n" + string(file)}
		r := buildRepo(t, files)
		for _, path := range []string{"inc/h.h", "src/f.c"} {
			r.Analysis(Config{Sinks: []Sink{{Name: "emit", Kind: ValueSink, Arg: 0, Len: -1}}}).Check(path, func(o Output) {
				if o.At.IsNull() || o.Buffer.Decl.IsNull() || o.Buffer.Name == "" || o.Verb == "" {
					t.Fatalf("bad output %+v", o)
				}
			})
		}
		r.Prototypes()
		a := r.Analysis(Config{})
		for _, m := range r.PyMethods() {
			if m.Entry.IsNull() || m.File == "" || m.Func == "" {
				t.Fatalf("bad method table entry %+v", m)
			}
			x, ok := a.Method(m)
			checkExport(t, x, ok)
		}
		for _, name := range []string{"f", "g", "pack_header", "seal"} {
			x, ok := a.Symbol(name)
			checkExport(t, x, ok)
		}
	})
}

// checkExport fails t when an export summary lacks a place.
func checkExport(t *testing.T, x *Export, ok bool) {
	if !ok {
		return
	}
	for _, r := range x.Returned {
		if r.Output.At.IsNull() || r.Output.Buffer.Decl.IsNull() {
			t.Fatalf("bad returned output %+v", r)
		}
	}
	for _, p := range x.Params {
		for _, s := range p.Sources {
			if s.At.IsNull() || s.Buffer.Decl.IsNull() || len(p.Spans) == 0 {
				t.Fatalf("bad residue %+v", p)
			}
		}
	}
}
