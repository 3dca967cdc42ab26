package filter

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/tsquery"
)

func ignoresOf(t *testing.T, lang source.Language, src string) []*Ignore {
	t.Helper()
	f := source.NewFile("x", lang, []byte(src))
	p := source.NewParser(time.Second)
	defer p.Close()
	if err := p.Parse(f); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	q, err := tsquery.Compile(lang, "(comment) @c")
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	c := tsquery.NewCursor()
	defer c.Close()
	return Ignores(f, q, c)
}

func TestIgnores(t *testing.T) {
	src := `a = 1  # residue: ignore[ctypes/x, logging] -- reviewed by sec
# residue:ignore
s = "# residue: ignore"
b = 2  # residue: ignored
c = 3  # see residue: ignore[] --
`
	got := ignoresOf(t, source.Python, src)
	if len(got) != 3 {
		t.Fatalf("got %d ignores", len(got))
	}
	var summary []string
	for _, ig := range got {
		summary = append(summary, strings.Join([]string{
			string(rune('0' + ig.Line)), strings.Join(ig.Rules, "+"), ig.Justification,
		}, "|"))
	}
	want := []string{"1|ctypes/x+logging|reviewed by sec", "2||", "5||"}
	if got[0].All || !got[1].All || got[2].All {
		t.Errorf("only the bare ignore covers every rule: %v %v %v", got[0].All, got[1].All, got[2].All)
	}
	if !reflect.DeepEqual(summary, want) {
		t.Errorf("got %q, want %q", summary, want)
	}
	if got[0].OwnLine || !got[1].OwnLine {
		t.Errorf("own-line flags: %v %v", got[0].OwnLine, got[1].OwnLine)
	}
}

func TestIgnoresInC(t *testing.T) {
	got := ignoresOf(t, source.C, "int a; /* residue: ignore[cmem] -- zeroed by caller */\n/*\n residue: ignore\n */\nint b;\n")
	if len(got) != 2 || got[0].Justification != "zeroed by caller" || got[0].Rules[0] != "cmem" || got[1].Line != 4 {
		t.Errorf("got %+v", got)
	}
}

func TestReport(t *testing.T) {
	fs := []analyzers.Finding{
		{RuleID: "a/e", Level: "error"},
		{RuleID: "a/w", Level: "warning"},
		{RuleID: "a/n", Level: "note"},
		{RuleID: "a/s", Level: "error", Suppression: &analyzers.Suppression{}},
	}
	ids := func(fs []analyzers.Finding) string {
		var out []string
		for _, f := range fs {
			out = append(out, f.RuleID)
		}
		return strings.Join(out, ",")
	}
	cases := []struct {
		min  string
		supp bool
		want string
	}{
		{"", false, "a/e,a/w,a/n"},
		{"note", true, "a/e,a/w,a/n,a/s"},
		{"warning", false, "a/e,a/w"},
		{"error", true, "a/e,a/s"},
	}
	for _, tc := range cases {
		if got := ids(Report(fs, tc.min, tc.supp)); got != tc.want {
			t.Errorf("Report(%q, %v) = %s, want %s", tc.min, tc.supp, got, tc.want)
		}
	}
}
