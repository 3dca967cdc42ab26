package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var (
	textFinding   = regexp.MustCompile(`(?m)^(\S+):(\d+):(\d+): \w+ (\S+):`)
	githubFinding = regexp.MustCompile(`(?m)^::\w+ file=([^,]+),line=(\d+),endLine=\d+,col=(\d+),(?:endColumn=\d+,)?title=(\S+)::`)
)

// TestFormatsAgree scans one tree in every format and expects the same
// findings, as "path:line:col rule", in each.
func TestFormatsAgree(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{
		"app/views.py": "def view(request):\n    leak(request.body)\n    leak(2)  # residue: ignore[test/leak] -- ok\n",
		"b.py":         "x = 1; leak(1)\n",
		"native/n.c":   "void f(void) {\n  leak(1);\n}\n",
	})
	byFormat := map[string][]string{}
	for _, format := range []string{"text", "json", "sarif", "github"} {
		out := filepath.Join(t.TempDir(), "report")
		if code, _, errs := residue("scan", "--include-suppressed", "--format", format, "-o", out, dir); code != 1 {
			t.Fatalf("%s: exit %d %s", format, code, errs)
		}
		data := readFile(t, out)
		var got []string
		switch format {
		case "text":
			got = matches(textFinding, data)
		case "github":
			got = matches(githubFinding, data)
		case "json":
			var doc struct {
				Findings []struct {
					Rule     string
					Location struct {
						Path                   string
						StartLine, StartColumn int
					}
				}
			}
			must(t, json.Unmarshal([]byte(data), &doc))
			for _, f := range doc.Findings {
				got = append(got, fmt.Sprintf("%s:%d:%d %s", f.Location.Path, f.Location.StartLine, f.Location.StartColumn, f.Rule))
			}
		case "sarif":
			var doc struct {
				Runs []struct {
					Results []struct {
						RuleID    string
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct{ URI string }
								Region           struct{ StartLine, StartColumn int }
							}
						}
					}
				}
			}
			must(t, json.Unmarshal([]byte(data), &doc))
			for _, r := range doc.Runs[0].Results {
				pl := r.Locations[0].PhysicalLocation
				got = append(got, fmt.Sprintf("%s:%d:%d %s", pl.ArtifactLocation.URI, pl.Region.StartLine, pl.Region.StartColumn, r.RuleID))
			}
		}
		sort.Strings(got)
		byFormat[format] = got
	}
	want := []string{"app/views.py:2:5 test/leak", "app/views.py:3:5 test/leak", "b.py:1:8 test/leak", "native/n.c:2:3 test/cleak"}
	for format, got := range byFormat {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s shows %q, want %q", format, got, want)
		}
	}
}

func matches(re *regexp.Regexp, text string) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		out = append(out, fmt.Sprintf("%s:%s:%s %s", m[1], m[2], m[3], m[4]))
	}
	return out
}

func TestGitHubFormat(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"a.py": "leak(1)\n", "ok.py": "x = 1\n"})
	code, out, _ := residue("scan", "--format", "github", dir)
	if want := "::warning file=a.py,line=1,endLine=1,col=1,endColumn=8,title=test/leak::leak called with (1)\n"; code != 1 || out != want {
		t.Errorf("exit %d\n%s\nwant\n%s", code, out, want)
	}
	if code, out, _ := residue("scan", "--format", "github", filepath.Join(dir, "ok.py")); code != 0 || out != "" {
		t.Errorf("clean: exit %d %q", code, out)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	must(t, err)
	return string(data)
}

// TestTerminalEscapesFromScannedCode scans code that tries to rewrite the
// terminal (a comment with ESC, BEL and CR; a file name with ESC) and a
// minified line: text and GitHub output carry no control character, and
// the long line is cut to a window around the finding.
func TestTerminalEscapesFromScannedCode(t *testing.T) {
	useTestAnalyzers(t)
	evil := "\x1b]0;owned\x07\x1b[2K\r"
	dir := tree(t, map[string]string{
		"a.py":             "leak(1)  # " + evil + "looks clean\n",
		"b" + evil + ".py": "leak(2)\n",
		"min.py":           "x = [" + strings.Repeat("1, ", 30000) + "leak(3)" + strings.Repeat(", 2", 30000) + "]\n",
	})
	for _, format := range []string{"text", "github"} {
		code, out, errs := residue("scan", "--format", format, dir)
		if code != 1 {
			t.Fatalf("%s: exit %d: %s", format, code, errs)
		}
		for _, c := range []string{"\x1b", "\x07", "\r"} {
			if strings.Contains(out+errs, c) {
				t.Errorf("%s: output holds %q:\n%q", format, c, out+errs)
			}
		}
		if !strings.Contains(out, `\x1b]0;owned\x07`) {
			t.Errorf("%s: the escapes are not shown:\n%s", format, out)
		}
		for _, line := range strings.Split(out, "\n") {
			if len(line) > 400 {
				t.Errorf("%s: a line of %d bytes: %.100q…", format, len(line), line)
			}
		}
	}
}
