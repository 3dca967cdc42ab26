package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
)

func TestWriteGitHub(t *testing.T) {
	r := testRun()
	r.Findings = append(r.Findings,
		analyzers.Finding{RuleID: "cmem/x", Level: "note", Message: "100% bad:\nsecond line",
			Location: loc("native/a,b:c.c", 4, 2, 6, 1, "", "")},
		analyzers.Finding{RuleID: "cmem/y", Message: "no level", Location: loc("n.c", 1, 3, 1, 3, "", "")},
		analyzers.Finding{RuleID: "cmem/z", Message: "odd name", Location: loc("g\nh\x1b.c", 2, 0, 2, 0, "", "")})
	var b bytes.Buffer
	if err := WriteGitHub(&b, r); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"::warning file=app/native.py,line=3,endLine=3,col=8,endColumn=20,title=ctypes/ignored-output-buffer::output buffer is never read",
		"::error file=app/views.py,line=2,endLine=2,col=10,endColumn=24,title=logging/request-body::x is logged",
		"::notice file=app/views.py,line=5,endLine=5,col=5,endColumn=30,title=logging/request-body::request.body is logged (suppressed: reviewed)",
		"::notice file=native/a%2Cb%3Ac.c,line=4,endLine=6,title=cmem/x::100%25 bad:%0Asecond line",
		"::warning file=n.c,line=1,endLine=1,col=3,title=cmem/y::no level",
		`::warning file=g%0Ah\x1b.c,line=2,endLine=2,title=cmem/z::odd name`,
		"",
	}, "\n")
	if got := b.String(); got != want {
		t.Errorf("WriteGitHub:\n%s\nwant:\n%s", got, want)
	}
	b.Reset()
	if err := WriteGitHub(&b, emptyRun()); err != nil || b.Len() != 0 {
		t.Errorf("empty run wrote %q, %v", b.String(), err)
	}
}

func writeGitHub(t *testing.T, r *Run) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteGitHub(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
