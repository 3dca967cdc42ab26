package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

func writeText(t *testing.T, r *Run, opt TextOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteText(&b, r, opt); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// marks returns a caret n characters wide.
func marks(n int) string { return "^" + strings.Repeat("~", n-1) }

func TestWriteText(t *testing.T) {
	got := writeText(t, testRun(), TextOptions{})
	want := strings.Join([]string{
		"app/native.py:3:8: warning ctypes/ignored-output-buffer: output buffer is never read",
		"    \tbuf = lib.read(fd)",
		"    \t      " + marks(12), // lib.read(fd)
		"    app/native.py:1:1: note: buffer allocated here",
		"app/views.py:2:10: error logging/request-body: x is logged",
		`    s = "é"; logger.info(x)`,
		"             " + marks(14), // logger.info(x): 9 characters, 10 bytes before it
		"    app/views.py:1:1: step 1: x assigned from request.body",
		"    app/views.py:2:22: step 2: x logged",
		"app/views.py:5:5: error logging/request-body: request.body is logged (suppressed: reviewed)",
		"        logger.info(request.body)",
		"        " + marks(25), // logger.info(request.body)
		"app/broken.py: warning: parse error at 3:1",
		"residue: warning: analyzer cmem panicked",
		"3 findings (2 errors, 1 warning, 1 suppressed) in 2 of 12 files",
		"",
	}, "\n")
	if got != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s", got, want)
	}
	for i, line := range strings.Split(got, "\n") {
		if strings.TrimRight(line, " \t") != line {
			t.Errorf("line %d has trailing blanks: %q", i+1, line)
		}
	}
	if strings.Contains(got, "\x1b") {
		t.Error("Color false wrote an escape sequence")
	}
}

func TestWriteTextQuiet(t *testing.T) {
	got := writeText(t, testRun(), TextOptions{Quiet: true})
	for _, unwanted := range []string{"parse error", "residue: warning", "3 findings"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("Quiet output contains %q:\n%s", unwanted, got)
		}
	}
	if !strings.HasPrefix(got, "app/native.py:3:8: warning") || !strings.HasSuffix(got, marks(25)+"\n") {
		t.Errorf("Quiet output lost findings:\n%s", got)
	}
}

func TestWriteTextColor(t *testing.T) {
	got := writeText(t, testRun(), TextOptions{Color: true})
	for _, want := range []string{
		"app/views.py:2:10: \x1b[1m\x1b[31merror\x1b[0m \x1b[2mlogging/request-body\x1b[0m: x is logged\n",
		"app/native.py:3:8: \x1b[1m\x1b[33mwarning\x1b[0m ",
		": \x1b[1m\x1b[36mnote\x1b[0m: buffer allocated here\n",
		"    \t      \x1b[32m" + marks(12) + "\x1b[0m\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("coloured output lacks %q:\n%s", want, got)
		}
	}
}

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		run  *Run
		want string
	}{
		{emptyRun(), "no findings in 1 file\n"},
		{&Run{FilesScanned: 2, Findings: []analyzers.Finding{{RuleID: "a/b", Level: "note", Location: loc("a.py", 1, 1, 1, 2, "", "")}}},
			"a.py:1:1: note a/b:\n1 finding (1 note) in 1 of 2 files\n"},
	} {
		if got := writeText(t, tc.run, TextOptions{}); got != tc.want {
			t.Errorf("WriteText = %q, want %q", got, tc.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	line := func(l, c, el, ec int) source.Range {
		return source.Range{StartLine: l, StartColumn: c, EndLine: el, EndColumn: ec}
	}
	long := strings.Repeat("a", 300) + "secret(x)" + strings.Repeat("b", 300)
	for _, tc := range []struct {
		name, snippet string
		r             source.Range
		line          string // "" for the snippet itself
		pad, marks    string
	}{
		{"ascii", "foo(bar)", line(1, 5, 1, 8), "", "    ", "^~~"},
		{"BMP multi-byte before", `s = "é"; f(x)`, line(1, 12, 1, 13), "", "           ", "^"},
		{"astral takes two columns", `"😀"; f(x)`, line(1, 7, 1, 11), "", "      ", "^~~~"},
		{"transport emoji too", `"🚀"; f(x)`, line(1, 7, 1, 11), "", "      ", "^~~~"},
		{"newer emoji too", `"🫠"; f(x)`, line(1, 7, 1, 11), "", "      ", "^~~~"},
		{"wide characters take two terminal columns", `s = "中文"; eval(a)`, line(1, 11, 1, 18), "", strings.Repeat(" ", 12), "^~~~~~~"},
		{"multi-byte inside", `f("éé")`, line(1, 3, 1, 7), "", "  ", "^~~~"},
		{"tabs kept", "\t\tx = 1", line(1, 3, 1, 4), "", "\t\t", "^"},
		{"to end of line when multi-line", "call(a,", line(1, 6, 3, 2), "", "     ", "^~"},
		{"empty range", "abc", line(1, 2, 1, 2), "", " ", "^"},
		{"past the end", "ab", line(1, 4, 1, 4), "", "   ", "^"},
		{"escapes before", "# \x1b[2J\rx = f(y)", line(1, 12, 1, 16), `# \x1b[2J\x0dx = f(y)`, "                 ", "^~~~"},
		{"escape inside", "f(\a)", line(1, 1, 1, 5), `f(\x07)`, "", "^~~~~~~"},
		{"bidi and C1", "a\u202e\u0085b", line(1, 4, 1, 5), `a\u202e\u0085b`, "             ", "^"},
		{"invalid UTF-8", "\xff\x9b[31mx", line(1, 7, 1, 8), `\xff\x9b[31mx`, "            ", "^"},
		{"long line cut around the finding", long, line(1, 301, 1, 310),
			"…" + strings.Repeat("a", 40) + "secret(x)" + strings.Repeat("b", 111) + "…", strings.Repeat(" ", 41), "^~~~~~~~~"},
		{"long line, finding at the start", long, line(1, 1, 1, 4), long[:160] + "…", "", "^~~"},
	} {
		text, pad, marks := excerpt(tc.snippet, tc.r)
		want := tc.line
		if want == "" {
			want = tc.snippet
		}
		if text != want || pad != tc.pad || marks != tc.marks {
			t.Errorf("%s: excerpt(%q, %d:%d-%d:%d) = %q, %q, %q; want %q, %q, %q", tc.name, tc.snippet,
				tc.r.StartLine, tc.r.StartColumn, tc.r.EndLine, tc.r.EndColumn, text, pad, marks, want, tc.pad, tc.marks)
		}
	}
}

// TestTextEscapesScannedText checks that nothing from the scanned code
// reaches the terminal raw: paths, messages and notifications included.
func TestTextEscapesScannedText(t *testing.T) {
	evil := "\x1b]0;owned\x07\x1b[2J\r"
	r := &Run{FilesScanned: 1, Findings: []analyzers.Finding{{
		RuleID: "a/b", Level: "error", Message: "logged " + evil,
		Location: loc("dir"+evil+".py", 1, 1, 1, 2, "", "x = 1  # "+evil),
		Related:  []analyzers.Location{loc("r.py", 1, 1, 1, 2, "note "+evil, "")},
		Flow:     []analyzers.Step{{Location: loc("r.py", 1, 1, 1, 2, "step "+evil, "")}},
	}}, Notifications: []analyzers.Notification{{Level: "warning", Path: "n" + evil, Message: "m" + evil}}}
	for name, out := range map[string]string{"text": writeText(t, r, TextOptions{}), "github": writeGitHub(t, r)} {
		for _, c := range []string{"\x1b", "\x07", "\r"} {
			if strings.Contains(out, c) {
				t.Errorf("%s output holds %q:\n%q", name, c, out)
			}
		}
		if !strings.Contains(out, `\x1b]0;owned\x07`) {
			t.Errorf("%s output does not show the escapes:\n%s", name, out)
		}
	}
}

func TestColorFor(t *testing.T) {
	regular, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	t.Setenv("NO_COLOR", "")
	if ColorFor(regular) {
		t.Error("ColorFor(regular file) = true")
	}
	if ColorFor(nil) {
		t.Error("ColorFor(nil) = true")
	}

	// /dev/null is a character device, and no terminal.
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		if ColorFor(null) {
			t.Errorf("ColorFor(%s) = true", os.DevNull)
		}
		null.Close()
	}

	// A pseudo-terminal's master side answers as a terminal does.
	tty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skip(err)
	}
	defer tty.Close()
	if !isTerminal(tty) {
		t.Skip("/dev/ptmx is no terminal here")
	}
	if !ColorFor(tty) {
		t.Error("ColorFor(terminal) = false with NO_COLOR empty")
	}
	t.Setenv("NO_COLOR", "1")
	if ColorFor(tty) {
		t.Error("ColorFor(terminal) = true with NO_COLOR=1")
	}
}

// TestSummaryCountsSkippedFiles tells skipped files apart from scanned
// ones: "no findings" must not hide that a file was not looked at.
func TestSummaryCountsSkippedFiles(t *testing.T) {
	r := emptyRun()
	r.FilesSkipped = 2
	if got := Summary(r); got != "no findings in 1 file; 2 skipped" {
		t.Errorf("Summary = %q", got)
	}
}
