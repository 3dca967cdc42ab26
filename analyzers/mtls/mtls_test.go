package mtls

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest"
	"github.com/residue-sec/residue/analyzers/driver"
	"github.com/residue-sec/residue/analyzers/pysrc"
	"github.com/residue-sec/residue/analyzers/source"
)

// crossFile is the fixture whose findings the repository decides.
const crossFile = "../../rules/mtls/testdata/cross-file.txtar"

func extract(t *testing.T, archive string) string {
	t.Helper()
	ar, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := analyzertest.Write(dir, ar); err != nil {
		t.Fatal(err)
	}
	return dir
}

// scanDir scans paths of the repository at root with the analyzer alone,
// its rules at level error.
func scanDir(t testing.TB, root string, paths ...string) []analyzers.Finding {
	t.Helper()
	res, err := driver.Run(driver.Config{Analyzers: []*analyzers.Analyzer{Analyzer}, Rules: analyzertest.Rules("error", Analyzer),
		Paths: paths, Root: root, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	return res.Findings
}

func lines(fs []analyzers.Finding, path string) []string {
	var out []string
	for _, f := range fs {
		if f.Location.Path == path {
			out = append(out, f.Location.Path+":"+strconv.Itoa(f.Location.StartLine)+" "+f.Level+" "+f.RuleID)
		}
	}
	return out
}

// analyzeFiles models files (path → source) and checks each of them as
// Check would, without the driver; it returns the findings and the work
// each file's check did (see repo.work). ok is false when a file does not
// parse.
func analyzeFiles(tb testing.TB, files map[string]string, settings analyzers.Settings) (fds []analyzers.Finding, work map[string]int, ok bool) {
	tb.Helper()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	parser := source.NewParser(5 * time.Second)
	defer parser.Close()
	var parts []analyzers.Part
	for _, path := range paths {
		f := source.NewFile(path, source.Python, []byte(files[path]))
		if parser.Parse(f) != nil {
			return nil, nil, false
		}
		if source.MaxDepth(f.Root(), maxDepth) > maxDepth {
			f.Close()
			return nil, nil, false
		}
		syn, err := source.NewSyntax(f, 1<<22)
		f.Close()
		if err != nil {
			return nil, nil, false
		}
		part, err := pysrc.Model.Extract(&analyzers.ExtractPass{Model: pysrc.Model, Syntax: syn, Files: paths, Settings: settings})
		if err != nil {
			tb.Fatal(err)
		}
		parts = append(parts, part)
	}
	built, err := pysrc.Model.Build(&analyzers.BuildPass{Parts: parts})
	if err != nil {
		tb.Fatal(err)
	}
	prog := built.(*pysrc.Program)
	work = map[string]int{}
	for _, path := range paths {
		rp := newRepo(prog, settings)
		c := newChecker(rp, prog.Module(path))
		if c.relevant(nil, func() []byte { return []byte(files[path]) }) {
			fds = append(fds, c.run()...)
		}
		work[path] = rp.work
	}
	return fds, work, true
}

// maxDepth is the driver's default nesting cap: deeper files are skipped
// before any analyzer runs.
const maxDepth = 2000

// largeInputs are shapes which make a naive evaluator quadratic or
// exponential: long attribute chains, thousands of early returns, calls
// fanning out through helpers, long boolean chains.
func largeInputs() map[string]string {
	var ifs, calls strings.Builder
	ifs.WriteString("def f(request):\n")
	for i := range 3000 {
		fmt.Fprintf(&ifs, "    if request.META.get('HTTP_X_SSL_CLIENT_S_DN_%d'):\n        return None\n", i)
	}
	ifs.WriteString("    request.user = User.objects.get(dn=request.META['SSL_CLIENT_S_DN'])\n")
	calls.WriteString("def g(request):\n" + strings.Repeat("    h(request)\n", 300) + "    return 1\n")
	calls.WriteString("def h(request):\n" + strings.Repeat("    k(request)\n", 300) + "    return 1\n")
	calls.WriteString("def k(request):\n    request.user = User.objects.get(dn=request.META['SSL_CLIENT_S_DN'])\n")
	calls.WriteString("class M:\n    def process_request(self, request):\n" + strings.Repeat("        g(request)\n", 300))
	var tests []string
	for i := range 1000 {
		tests = append(tests, fmt.Sprintf("request.META.get('SSL_CLIENT_VERIFY') != 'x%d'", i))
	}
	return map[string]string{
		"attribute chain": "def f(request):\n    x = request.META['SSL_CLIENT_S_DN']" + strings.Repeat(".a", 1500) + "\n    request.user = x\n",
		"early returns":   ifs.String(),
		"call fan-out":    calls.String(),
		"boolean chain":   "def f(request):\n    if " + strings.Join(tests, " and ") + ":\n        request.user = request.META['SSL_CLIENT_S_DN']\n",
	}
}

// TestLargeInputs checks that the shapes of largeInputs are still found,
// and that the work their check does is bounded by their size, whatever
// the machine: each statement walked, call made and test judged counts
// one, and a walk makes each of its function's calls and judges each of
// its tests once, so that a module is walked in linear work, plus at
// most maxInlines walks of the functions it calls.
func TestLargeInputs(t *testing.T) {
	for name, src := range largeInputs() {
		fds, work, ok := analyzeFiles(t, map[string]string{"app/x.py": src}, analyzers.Settings{})
		if !ok {
			continue
		}
		if len(fds) == 0 {
			t.Errorf("%s: no finding", name)
		}
		// A unit of work reads at least a few bytes of source.
		if limit := len(src) + maxInlines*3*calledLines(src); work["app/x.py"] > limit {
			t.Errorf("%s: work %d, over %d", name, work["app/x.py"], limit)
		}
	}
}

// calledLines returns the lines of the longest module-level function of
// src that src calls.
func calledLines(src string) int {
	longest := 0
	for _, def := range strings.Split(src, "\ndef ")[1:] {
		name, _, _ := strings.Cut(def, "(")
		body, _, _ := strings.Cut(def, "\nclass ")
		if strings.Contains(src, " "+name+"(request)") {
			longest = max(longest, strings.Count(body, "\n")+1)
		}
	}
	return longest
}

// BenchmarkLargeInputs measures the check of the shapes of largeInputs.
func BenchmarkLargeInputs(b *testing.B) {
	inputs := largeInputs()
	for b.Loop() {
		for _, src := range inputs {
			analyzeFiles(b, map[string]string{"app/x.py": src}, analyzers.Settings{})
		}
	}
}

// TestMiddlewareOrderLowers checks the level, not only the message: a
// middleware listed after a validating one is lowered one step, the same
// finding in a middleware listed before it is not.
func TestMiddlewareOrderLowers(t *testing.T) {
	dir := extract(t, crossFile)
	levels := map[string]string{}
	for _, f := range scanDir(t, dir, dir) {
		if f.RuleID == rulePassthrough {
			levels[f.Function] = f.Level
		}
	}
	if levels["EarlyDNMiddleware.__call__"] != "error" || levels["DNMiddleware.__call__"] != "warning" {
		t.Errorf("passthrough levels by function: %v; want EarlyDNMiddleware (before VerifyingMiddleware) error, DNMiddleware (after it) warning", levels)
	}
}

// TestCheckingCallersLower: a function every caller of which checked first
// is lowered one level and says so; one with an unchecked caller does not
// say so. In the fixture, every request also passes VerifyingMiddleware:
// both are lowered for it, and the two reasons lower only one level.
func TestCheckingCallersLower(t *testing.T) {
	dir := extract(t, crossFile)
	level, msg := map[string]string{}, map[string]string{}
	for _, f := range scanDir(t, dir, dir) {
		if f.Location.Path == "app/certs.py" && f.RuleID == ruleUnverified {
			level[f.Function], msg[f.Function] = f.Level, f.Message
		}
	}
	callers, behind := "every call of user_for() found in the repository checks first", "every request passes app.middleware.VerifyingMiddleware first"
	if !strings.Contains(msg["user_for"], callers) || strings.Contains(msg["lookup_user"], "every call of") {
		t.Errorf("messages by function: %q", msg)
	}
	if !strings.Contains(msg["user_for"], behind) || !strings.Contains(msg["lookup_user"], behind) {
		t.Errorf("messages by function: %q; want both behind VerifyingMiddleware", msg)
	}
	if level["user_for"] != "warning" || level["lookup_user"] != "warning" {
		t.Errorf("levels by function: %v; want one level lower each", level)
	}
}

// TestOneScannedFileSeesTheRepository scans only the middleware module:
// the settings, the MIDDLEWARE list and the other modules' checks are
// read for the model, and the findings are those of the whole scan.
func TestOneScannedFileSeesTheRepository(t *testing.T) {
	dir := extract(t, crossFile)
	const mw = "app/middleware.py"
	whole := strings.Join(lines(scanDir(t, dir, dir), mw), "\n")
	one := scanDir(t, dir, filepath.Join(dir, "app", "middleware.py"))
	if got := strings.Join(lines(one, mw), "\n"); got != whole || len(one) != strings.Count(whole, "\n")+1 {
		t.Errorf("one file:\n%s\nwhole repository:\n%s", got, whole)
	}
}

func TestReadsNamedKey(t *testing.T) {
	for src, want := range map[string]bool{
		`request.META.get(settings.REMOTE_USER_HEADER)`:               true,
		`request.META[ settings.X ]`:                                  true,
		`request.headers.get(getattr(settings, "X"))`:                 true,
		`environ.get(settings.KEY, "")`:                               true,
		"    header = settings.REMOTE_AUTH_HEADER\n":                  true,
		`from django.conf import settings`:                            false,
		`x = settings.DEBUG and request.META.get("HTTP_X_FORWARDED")`: false,
		`request.META.get("HTTP_HOST") == settings.ALLOWED_HOSTS[0]`:  false,
		`cache.get(settings.CACHE_KEY)`:                               false,
		`my_header = settings.X`:                                      false,
		`request.headers.get(USER_DN_HEADER)`:                         true,
		`request.META[conf.DN_KEY]`:                                   true,
		`request.headers.get(name)`:                                   false,
		`settings`:                                                    false,
	} {
		if got := readsNamedKey([]byte(src)); got != want {
			t.Errorf("readsNamedKey(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestSatisfies(t *testing.T) {
	sound, spoof, weak, guard := &check{}, &check{spoofable: true}, &check{how: "x"}, &check{}
	for _, c := range []struct {
		f    facts
		n    need
		want bool
	}{
		{facts{verified: sound}, needVerify, true},
		{facts{verified: spoof}, needVerify, false},
		{facts{verified: spoof, guarded: guard}, needVerify, true},
		{facts{weak: weak, guarded: guard}, needVerify, false},
		{facts{guarded: guard}, needGuard, true},
		{facts{verified: sound}, needGuard, false},
		{facts{verified: sound, guarded: guard}, needGuard | needVerify, true},
		{facts{verified: sound, guarded: guard}, 0, false},
	} {
		if got := satisfies(c.f, c.n); got != c.want {
			t.Errorf("%+v satisfies %d = %v", c.f, c.n, got)
		}
	}
}

// TestRelevanceFromTheDriversLiterals: the literals a file's relevance
// depends on are the Python model's prefilter, which the driver looks for
// in every file it reads, and the analyzer's markers; a module judged from
// the literals the driver found is judged as from its bytes, on every
// Python file of the fixtures, and the bytes are read only when the file
// holds a marker.
func TestRelevanceFromTheDriversLiterals(t *testing.T) {
	for _, lit := range relevantLiterals {
		if !slices.Contains(pysrc.Model.Prefilter, lit) {
			t.Fatalf("%q is not in the Python model's prefilter", lit)
		}
	}
	// Every word a named key read starts with holds a marker, and no
	// marker holds another.
	for _, r := range namedKeyReads {
		if !slices.ContainsFunc(Analyzer.Markers, func(m string) bool { return strings.Contains(r.word, m) }) {
			t.Errorf("no marker in %q", r.word)
		}
	}
	if slices.Contains(Analyzer.Markers, "headers") || len(Analyzer.Markers) != 3 {
		t.Errorf("markers %q", Analyzer.Markers)
	}
	archives, err := filepath.Glob("../../rules/*/testdata/*.txtar")
	if err != nil || len(archives) < 10 {
		t.Fatalf("%d fixtures (%v)", len(archives), err)
	}
	c := &checker{rp: &repo{}}
	relevantFiles, files, unread := 0, 0, 0
	for _, archive := range archives {
		ar, err := txtar.ParseFile(archive)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if !strings.HasSuffix(f.Name, ".py") {
				continue
			}
			found := []string{}
			for _, lit := range append(slices.Clone(pysrc.Model.Prefilter), Analyzer.Markers...) {
				if strings.Contains(string(f.Data), lit) {
					found = append(found, lit)
				}
			}
			reads := 0
			src := func() []byte { reads++; return f.Data }
			fromBytes := c.relevant(nil, src)
			reads = 0
			if fromLiterals := c.relevant(found, src); fromLiterals != fromBytes {
				t.Errorf("%s %s: relevant %v from the literals found, %v from the bytes", filepath.Base(archive), f.Name, fromLiterals, fromBytes)
			}
			if reads == 0 {
				unread++
			} else if !slices.ContainsFunc(found, func(lit string) bool { return slices.Contains(Analyzer.Markers, lit) }) {
				t.Errorf("%s %s: the file was read again though it holds no marker", filepath.Base(archive), f.Name)
			}
			files++
			if fromBytes {
				relevantFiles++
			}
		}
	}
	if relevantFiles == 0 || relevantFiles == files {
		t.Fatalf("%d of %d files relevant", relevantFiles, files)
	}
	if unread == 0 || unread == files {
		t.Fatalf("%d of %d files judged without reading them", unread, files)
	}
	t.Logf("%d of %d files relevant, %d judged without reading them", relevantFiles, files, unread)
}

// TestFlowOfEachBranch: a header stored in the session by one branch of
// an if and another by the else is traced through its own assignment; a
// header a branch rebinds is traced through the rebinding.
func TestFlowOfEachBranch(t *testing.T) {
	src := `from app.models import Account


def view(request):
    if "SSL_CLIENT_S_DN" in request.META:
        request.session["dn"] = request.META["SSL_CLIENT_S_DN"]
    else:
        request.session["dn"] = request.META["HTTP_X_SSL_CLIENT_S_DN"]
    return Account.objects.filter(dn=request.session["dn"]).first()
`
	flowLines(t, src, []int{8, 8, 9})
	flowLines(t, `from app.models import Account


def view(request):
    dn = request.META["HTTP_X_SSL_CLIENT_S_DN"]
    if request.GET.get("trim"):
        dn = dn.strip()
    return Account.objects.get(dn=dn)
`, []int{5, 5, 7, 8})
}

// flowLines scans a module app/views.py of source src and checks the lines
// of the flow of its spoofable-header-identity finding.
func flowLines(t *testing.T, src string, want []int) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"app/views.py": src, "app/models.py": "class Account:\n    pass\n"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	found := false
	for _, f := range scanDir(t, dir, dir) {
		if f.RuleID != ruleSpoofable {
			continue
		}
		found = true
		var via []int
		for _, s := range f.Flow {
			via = append(via, s.Location.StartLine)
		}
		if !slices.Equal(via, want) {
			t.Errorf("flow lines %v, want %v", via, want)
		}
	}
	if !found {
		t.Fatal("no spoofable-header-identity finding")
	}
}
