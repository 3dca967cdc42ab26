package cmem_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"
)

// FuzzCmem runs the analyzer over arbitrary C: it must not panic, and every
// finding must have a valid location, a related location and a flow. It
// parses and queries as a driver worker does but calls the analyzer
// directly, so a panic is not recovered into a notification, and it runs
// about 40 times more inputs per second than analyzertest.Robust (which
// compiles the query for every input). The seeds are the fixtures' C files
// and a few pathological snippets.
func FuzzCmem(f *testing.F) {
	archives, _ := filepath.Glob("../../rules/cmem/testdata/*.txtar")
	for _, a := range archives {
		ar, err := txtar.ParseFile(a)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			f.Add(file.Data)
		}
	}
	for _, s := range []string{
		"", "int f(", "void f(void) { char b[4]; write(1, b, 4); }",
		"#define A A\nint f(int fd) { char b[A]; return write(fd, b, sizeof b); }",
		"struct s { struct s x; }; int f(int fd) { struct s v; return write(fd, &v, sizeof v); }",
		"typedef t t; int f(int fd) { t v; return write(fd, &v, sizeof v); }",
		"int f(char *p) { return f(p) + g(p); } int g(char *p) { return f(p); } int h(int fd) { char b[8]; f(b); return write(fd, b, 8); }",
		"int f(int fd) { char b[8]; for (;;) { goto x; } x: return send(fd, b + -9223372036854775807, 8, 0); }",
	} {
		f.Add([]byte(s))
	}
	p := newInProcess(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		file, ok := p.parse(src)
		if !ok {
			return
		}
		defer file.Close()
		for _, fd := range p.analyze(t, file, nil) {
			loc := fd.Location
			if loc.StartLine < 1 || loc.StartColumn < 1 || loc.EndLine < loc.StartLine || len(fd.Related) == 0 || len(fd.Flow) < 2 || fd.Message == "" {
				t.Fatalf("bad finding %+v", fd)
			}
		}
	})
}
