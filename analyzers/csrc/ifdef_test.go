package csrc

import (
	"strings"
	"testing"
)

// text returns the source text of spans, joined by "|".
func text(src string, spans []Span) string {
	var out []string
	for _, s := range spans {
		out = append(out, strings.TrimSpace(src[s.Start:s.End]))
	}
	return strings.Join(out, "|")
}

func TestConditionals(t *testing.T) {
	src := `#define LOCAL 2
#ifdef _WIN32
win();
#else
posix();
#endif
#if LOCAL > 1
big();
#elif defined(FEATURE)
feature();
#else
small();
#endif
#ifdef UNKNOWN
first();
#elif OTHER
second();
#else
third();
#endif
#ifndef FROM_CMDLINE
absent();
#endif
#if 0
#ifdef UNKNOWN
nested();
#endif
#endif
`
	env := newMacroEnv([]Define{{Name: "FROM_CMDLINE", Value: "1"}}, nil)
	inactive, undecided, directives, decided := conditionals([]byte(src), env)
	if got, want := text(src, inactive), "win();|feature();|small();|absent();|#ifdef UNKNOWN\nnested();\n#endif"; got != want {
		t.Errorf("inactive = %q, want %q", got, want)
	}
	if got, want := text(src, undecided), "second();|third();"; got != want {
		t.Errorf("undecided = %q, want %q", got, want)
	}
	if len(directives) != 17 {
		t.Errorf("%d directive lines, want 17 (those inside #if 0 count)", len(directives))
	}
	var groups []string
	for _, d := range decided {
		line := src[d:]
		groups = append(groups, line[:strings.IndexByte(line, '\n')])
	}
	if got, want := strings.Join(groups, "|"), "#ifdef _WIN32|#if LOCAL > 1|#ifndef FROM_CMDLINE|#if 0"; got != want {
		t.Errorf("decided groups = %q, want %q", got, want)
	}
}

func TestCompileDB(t *testing.T) {
	db := parseCompileDB([]byte(`[
 {"directory": "/repo/build", "file": "../src/a.c", "command": "cc -I../include -I /repo/vendor -DN=4 -D'MSG=\"hi there\"' -UOLD -c ../src/a.c"},
 {"directory": "/repo", "file": "/repo/src/b/c.c", "arguments": ["cc", "-iquote", "src/b/inc", "-DFAST", "-c", "src/b/c.c"]},
 {"directory": "/elsewhere", "file": "x.c", "arguments": ["cc", "x.c"]}
]`), "/repo")
	if db == nil || len(db.files) != 2 {
		t.Fatalf("db = %+v", db)
	}
	a := db.byFile["src/a.c"]
	if a == nil || strings.Join(a.dirs, ",") != "include,vendor" || len(a.defines) != 2 || a.defines[0] != (Define{"N", "4"}) ||
		a.defines[1] != (Define{"MSG", `"hi there"`}) || strings.Join(a.undefs, ",") != "OLD" {
		t.Errorf("src/a.c = %+v", a)
	}
	if h := db.commandFor("src/b/inc/c.h"); h == nil || h.file != "src/b/c.c" {
		t.Errorf("command for a header of src/b = %+v, want src/b/c.c's", h)
	}
	if h := db.commandFor("lib/z.h"); h == nil || h.file != "src/a.c" {
		t.Errorf("command for an unrelated header = %+v, want the first file's", h)
	}
}
