package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/sarifcheck"
	"github.com/residue-sec/residue/analyzers/rule"
)

// writeSARIFMap writes r as SARIF and returns the text and decoded document.
func writeSARIFMap(t *testing.T, r *Run) (string, map[string]any) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String(), decode(t, b.Bytes())
}

func decode(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, doc)
	}
	return m
}

// at follows path (object keys and array indices) from v.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for i, step := range path {
		switch s := step.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not an object", path[:i])
			}
			if v, ok = m[s]; !ok {
				t.Fatalf("%v: no member %q", path[:i], s)
			}
		case int:
			a, ok := v.([]any)
			if !ok || s >= len(a) {
				t.Fatalf("%v: not an array of more than %d items", path[:i], s)
			}
			v = a[s]
		}
	}
	return v
}

// has reports whether object v has member key.
func has(v any, key string) bool {
	_, ok := v.(map[string]any)[key]
	return ok
}

func TestWriteSARIF(t *testing.T) {
	text, doc := writeSARIFMap(t, testRun())
	if doc["version"] != "2.1.0" || !strings.Contains(doc["$schema"].(string), "sarif-schema-2.1.0.json") {
		t.Errorf("version %v, $schema %v", doc["version"], doc["$schema"])
	}
	if !strings.HasPrefix(text, "{\n  \"version\": \"2.1.0\",\n") || !strings.HasSuffix(text, "}\n") {
		t.Errorf("not indented by two spaces with a trailing newline:\n%.200s", text)
	}
	if strings.Contains(text, "null") || strings.Contains(text, "primaryLocationLineHash") || strings.Contains(text, "\\u003c") {
		t.Errorf("null, primaryLocationLineHash or escaped HTML written:\n%s", text)
	}
	if runs := doc["runs"].([]any); len(runs) != 1 {
		t.Fatalf("%d runs, want 1", len(runs))
	}
	run := at(t, doc, "runs", 0)
	if run.(map[string]any)["columnKind"] != "utf16CodeUnits" {
		t.Errorf("columnKind = %v", at(t, run, "columnKind"))
	}
	if id := at(t, run, "automationDetails", "id"); id != "ci/python/" {
		t.Errorf("automationDetails.id = %v, want ci/python/", id)
	}

	driver := at(t, run, "tool", "driver")
	for key, want := range map[string]string{"name": "residue", "version": "0.1.0", "semanticVersion": "0.1.0", "informationUri": InformationURI} {
		if got := at(t, driver, key); got != want {
			t.Errorf("driver.%s = %v, want %v", key, got, want)
		}
	}
	rules := at(t, driver, "rules").([]any)
	if len(rules) != 2 || at(t, rules, 0, "id") != "ctypes/ignored-output-buffer" || at(t, rules, 1, "id") != "logging/request-body" {
		t.Fatalf("rules = %v", rules)
	}
	logging := rules[1]
	for _, c := range []struct {
		path []any
		want any
	}{
		{[]any{"name"}, "RequestBodyLogged"},
		{[]any{"shortDescription", "text"}, "Request body written to a log unsanitized."},
		{[]any{"fullDescription", "text"}, "Request body written to a log unsanitized."},
		{[]any{"help", "text"}, "Logging `request.body` leaks secrets.\n\nRedact it first."},
		{[]any{"help", "markdown"}, "Logging `request.body` leaks secrets.\n\nRedact it first."},
		{[]any{"helpUri"}, "https://cwe.mitre.org/data/definitions/532.html"},
		{[]any{"defaultConfiguration", "level"}, "error"},
		{[]any{"properties", "security-severity"}, "7.5"},
		{[]any{"properties", "precision"}, "high"},
		{[]any{"properties", "problem.severity"}, "error"},
		{[]any{"properties", "tags"}, []any{"security", "django", "logging", "external/cwe/cwe-532"}},
	} {
		if got := at(t, logging, c.path...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("rule logging/request-body %v = %#v, want %#v", c.path, got, c.want)
		}
	}
	if got := at(t, rules[0], "properties"); !reflect.DeepEqual(got, map[string]any{
		"tags": []any{"ctypes", "security"}, "security-severity": "5.0", "precision": "medium", "problem.severity": "warning",
	}) {
		t.Errorf("rule ctypes/ignored-output-buffer properties = %v", got)
	}
	if has(rules[0], "helpUri") {
		t.Error("helpUri written for a rule without references")
	}

	results := at(t, run, "results").([]any)
	if len(results) != 3 {
		t.Fatalf("%d results, want 3", len(results))
	}
	for i, want := range []struct {
		rule  string
		index float64
		level string
		fp    string
	}{
		{"ctypes/ignored-output-buffer", 0, "warning", "fp-native"},
		{"logging/request-body", 1, "error", "fp-views-2"},
		{"logging/request-body", 1, "error", "fp-views-5"},
	} {
		res := results[i]
		if at(t, res, "ruleId") != want.rule || at(t, res, "ruleIndex") != want.index || at(t, res, "level") != want.level {
			t.Errorf("result %d: ruleId %v ruleIndex %v level %v, want %v", i, at(t, res, "ruleId"), at(t, res, "ruleIndex"), at(t, res, "level"), want)
		}
		if got := at(t, res, "partialFingerprints"); !reflect.DeepEqual(got, map[string]any{"residue/v1": want.fp}) {
			t.Errorf("result %d: partialFingerprints = %v", i, got)
		}
	}

	first := results[0]
	if got := at(t, first, "message", "text"); got != "output buffer is never read" {
		t.Errorf("message = %v", got)
	}
	wantPhys := map[string]any{
		"artifactLocation": map[string]any{"uri": "app/native.py", "uriBaseId": "%SRCROOT%", "index": 0.0},
		"region": map[string]any{"startLine": 3.0, "startColumn": 8.0, "endLine": 3.0, "endColumn": 20.0,
			"snippet": map[string]any{"text": "\tbuf = lib.read(fd)"}},
	}
	if got := at(t, first, "locations", 0, "physicalLocation"); !reflect.DeepEqual(got, wantPhys) {
		t.Errorf("physicalLocation = %v, want %v", got, wantPhys)
	}
	if at(t, first, "relatedLocations", 0, "id") != 1.0 || at(t, first, "relatedLocations", 0, "message", "text") != "buffer allocated here" ||
		at(t, first, "relatedLocations", 0, "physicalLocation", "artifactLocation", "uriBaseId") != "%SRCROOT%" {
		t.Errorf("relatedLocations = %v", at(t, first, "relatedLocations"))
	}
	for _, key := range []string{"codeFlows", "suppressions", "fixes"} {
		if has(first, key) {
			t.Errorf("result 0 has %s", key)
		}
	}

	steps := at(t, results[1], "codeFlows", 0, "threadFlows", 0, "locations").([]any)
	if len(at(t, results[1], "codeFlows").([]any)) != 1 || len(steps) != 2 ||
		at(t, steps, 0, "location", "message", "text") != "x assigned from request.body" ||
		at(t, steps, 1, "location", "physicalLocation", "region", "startColumn") != 22.0 {
		t.Errorf("codeFlows = %v", at(t, results[1], "codeFlows"))
	}
	if has(results[1], "relatedLocations") {
		t.Error("result 1 has relatedLocations")
	}

	sup := at(t, results[2], "suppressions", 0).(map[string]any)
	if sup["kind"] != "inSource" || sup["justification"] != "reviewed" || has(sup, "status") || has(sup, "guid") ||
		at(t, sup, "location", "physicalLocation", "region", "startLine") != 4.0 {
		t.Errorf("suppression = %v", sup)
	}
	change := at(t, results[2], "fixes", 0, "artifactChanges", 0)
	if at(t, results[2], "fixes", 0, "description", "text") != "redact the body" ||
		at(t, change, "artifactLocation", "uri") != "app/views.py" ||
		!reflect.DeepEqual(at(t, change, "replacements", 0), map[string]any{
			"deletedRegion":   map[string]any{"startLine": 5.0, "startColumn": 17.0, "endLine": 5.0, "endColumn": 29.0},
			"insertedContent": map[string]any{"text": "redact(request.body)"},
		}) {
		t.Errorf("fixes = %v", at(t, results[2], "fixes"))
	}

	inv := at(t, run, "invocations", 0)
	if at(t, inv, "executionSuccessful") != true {
		t.Error("executionSuccessful is not true")
	}
	notes := at(t, inv, "toolExecutionNotifications").([]any)
	if len(notes) != 2 || at(t, notes, 0, "level") != "warning" || at(t, notes, 0, "message", "text") != "parse error at 3:1" ||
		!reflect.DeepEqual(at(t, notes, 0, "locations", 0, "physicalLocation", "artifactLocation"), map[string]any{"uri": "app/broken.py", "uriBaseId": "%SRCROOT%", "index": 2.0}) ||
		has(notes[1], "locations") {
		t.Errorf("toolExecutionNotifications = %v", notes)
	}
	checkSchema(t, text)
}

// TestWriteSARIFArtifacts checks the run's artifacts: every file a
// result or a notification names, once, in the order they first appear,
// and every artifactLocation's index names its own file there; a code
// flow that crosses from C to Python lists both files.
func TestWriteSARIFArtifacts(t *testing.T) {
	r := testRun()
	r.Findings = append(r.Findings, analyzers.Finding{
		RuleID: "logging/request-body", Message: "crosses", Level: "error", Fingerprint: "fp-cross",
		Location: loc("app/views.py", 9, 5, 9, 30, "", ""),
		Related:  []analyzers.Location{loc("native/codec.c", 40, 5, 40, 60, "PyMethodDef entry", "")},
		Flow: []analyzers.Step{
			{Location: loc("native/codec.c", 12, 5, 12, 20, "char buf[64] is declared here", "")},
			{Location: loc("native/codec.c", 20, 5, 20, 50, "returned to Python", "")},
			{Location: loc("app/views.py", 9, 5, 9, 30, "sent in the response", "")},
		},
	})
	text, doc := writeSARIFMap(t, r)
	run := at(t, doc, "runs", 0)
	var uris []string
	for _, a := range at(t, run, "artifacts").([]any) {
		uris = append(uris, at(t, a, "location", "uri").(string))
		if at(t, a, "location", "uriBaseId") != "%SRCROOT%" || has(at(t, a, "location"), "index") {
			t.Errorf("artifact %v: want a location under %%SRCROOT%% without index", a)
		}
	}
	if want := []string{"app/native.py", "app/views.py", "native/codec.c", "app/broken.py"}; !slices.Equal(uris, want) {
		t.Errorf("artifacts = %v, want %v", uris, want)
	}
	n := 0
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if al, ok := v["artifactLocation"].(map[string]any); ok {
				n++
				i, ok := al["index"].(float64)
				if !ok || int(i) >= len(uris) || uris[int(i)] != al["uri"] {
					t.Errorf("artifactLocation %v: index does not name its file among %v", al, uris)
				}
			}
			for _, w := range v {
				walk(w)
			}
		case []any:
			for _, w := range v {
				walk(w)
			}
		}
	}
	walk(at(t, run, "results"))
	walk(at(t, run, "invocations"))
	if n < 10 {
		t.Errorf("only %d artifactLocations checked", n)
	}
	checkSchema(t, text)
	_, empty := writeSARIFMap(t, emptyRun())
	if has(at(t, empty, "runs", 0), "artifacts") {
		t.Error("an empty run lists artifacts")
	}
}

func TestWriteSARIFEmpty(t *testing.T) {
	text, doc := writeSARIFMap(t, emptyRun())
	for _, want := range []string{`"results": []`, `"rules": []`} {
		if !strings.Contains(text, want) {
			t.Errorf("empty run lacks %s:\n%s", want, text)
		}
	}
	run := at(t, doc, "runs", 0)
	if has(run, "automationDetails") {
		t.Error("automationDetails written without a category")
	}
	if has(at(t, run, "invocations", 0), "toolExecutionNotifications") {
		t.Error("notifications written for a run without any")
	}
	checkSchema(t, text)
}

func TestAutomationID(t *testing.T) {
	for category, want := range map[string]string{"python": "python/", "ci/python/": "ci/python/"} {
		if got := automationID(category); got != want {
			t.Errorf("automationID(%q) = %q, want %q", category, got, want)
		}
	}
}

// checkSchema runs ../shared/check_sarif.py on doc in a subtest.
func checkSchema(t *testing.T, doc string) {
	t.Run("schema", func(t *testing.T) {
		report := filepath.Join(t.TempDir(), "report.sarif")
		if err := os.WriteFile(report, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		sarifcheck.Check(t, report)
	})
}

// tinyRun is a run of n findings of one rule, each on its own line.
func tinyRun(n int) *Run {
	r := &Run{ToolVersion: "0.1.0", Rules: testRules()[:1], FilesScanned: 1}
	r.Findings = make([]analyzers.Finding, n)
	for i := range r.Findings {
		r.Findings[i] = analyzers.Finding{
			RuleID: "ctypes/ignored-output-buffer", Message: "m", Level: "warning", Fingerprint: "f",
			Location: loc("a.py", i+1, 1, i+1, 2, "", ""),
		}
	}
	return r
}

// notificationTexts returns the messages of the run's toolExecutionNotifications.
func notificationTexts(t *testing.T, doc map[string]any) []string {
	t.Helper()
	inv := at(t, doc, "runs", 0, "invocations", 0).(map[string]any)
	notes, _ := inv["toolExecutionNotifications"].([]any)
	texts := make([]string, len(notes))
	for i, n := range notes {
		texts[i] = at(t, n, "message", "text").(string)
	}
	return texts
}

func TestWriteSARIFTruncatesResults(t *testing.T) {
	_, doc := writeSARIFMap(t, tinyRun(maxResults+1))
	results := at(t, doc, "runs", 0, "results").([]any)
	if len(results) != 25000 {
		t.Errorf("%d results, want 25000", len(results))
	}
	if last := at(t, results, len(results)-1, "locations", 0, "physicalLocation", "region", "startLine"); last != 25000.0 {
		t.Errorf("last result is on line %v, want the first 25000 findings kept", last)
	}
	want := []string{"results truncated: 25000 of 25001 written (GitHub code scanning keeps 25,000 per run)"}
	if got := notificationTexts(t, doc); !reflect.DeepEqual(got, want) {
		t.Errorf("notifications = %q, want %q", got, want)
	}
}

func TestWriteSARIFTruncatesLocations(t *testing.T) {
	r := tinyRun(3)
	for i := range 2 {
		f := &r.Findings[i]
		f.Related = make([]analyzers.Location, maxRelatedLocations+5)
		f.Flow = make([]analyzers.Step, maxThreadFlowLocations+1)
		for j := range f.Related {
			f.Related[j] = loc("a.py", j+1, 1, j+1, 2, "r", "")
		}
		for j := range f.Flow {
			f.Flow[j].Location = loc("a.py", j+1, 1, j+1, 2, "s", "")
		}
	}
	_, doc := writeSARIFMap(t, r)
	for i := range 2 {
		res := at(t, doc, "runs", 0, "results", i)
		related := at(t, res, "relatedLocations").([]any)
		if len(related) != 1000 || at(t, related, 999, "id") != 1000.0 {
			t.Errorf("result %d: %d related locations, want 1000 with ids up to 1000", i, len(related))
		}
		if n := len(at(t, res, "codeFlows", 0, "threadFlows", 0, "locations").([]any)); n != 10000 {
			t.Errorf("result %d: %d flow steps, want 10000", i, n)
		}
	}
	want := []string{
		"related locations truncated in 2 results: 1000 written per result (GitHub code scanning keeps 1,000 per result)",
		"code flows truncated in 2 results: 10000 steps written per result (GitHub code scanning keeps 10,000 per result)",
	}
	if got := notificationTexts(t, doc); !reflect.DeepEqual(got, want) {
		t.Errorf("notifications = %q, want %q", got, want)
	}

	// A shard's report keeps them all: merge cuts them.
	r.Shard = "1/2"
	_, doc = writeSARIFMap(t, r)
	res := at(t, doc, "runs", 0, "results", 0)
	if n := len(at(t, res, "relatedLocations").([]any)); n != maxRelatedLocations+5 {
		t.Errorf("a shard's result: %d related locations, want all %d", n, maxRelatedLocations+5)
	}
	if n := len(at(t, res, "codeFlows", 0, "threadFlows", 0, "locations").([]any)); n != maxThreadFlowLocations+1 {
		t.Errorf("a shard's result: %d flow steps, want all %d", n, maxThreadFlowLocations+1)
	}
	if got := notificationTexts(t, doc); len(got) != 0 {
		t.Errorf("a shard's notifications = %q, want none", got)
	}
}

func TestRuleTags(t *testing.T) {
	rl := &rule.Rule{ID: "x/many", CWE: []string{"CWE-79", "cwe-80", "CWE-79", "OWASP"}}
	for i := range 25 {
		rl.Tags = append(rl.Tags, fmt.Sprintf("t%d", i))
	}
	tags, all := ruleTags(rl)
	if all != 28 || len(tags) != 20 {
		t.Fatalf("ruleTags: %d of %d tags, want 20 of 28", len(tags), all)
	}
	if want := []string{"t16", "security", "external/cwe/cwe-79", "external/cwe/cwe-80"}; !reflect.DeepEqual(tags[16:], want) {
		t.Errorf("ruleTags kept %q at the end, want %q", tags[16:], want)
	}

	r := emptyRun()
	r.Rules = []*rule.Rule{rl}
	_, doc := writeSARIFMap(t, r)
	if n := len(at(t, doc, "runs", 0, "tool", "driver", "rules", 0, "properties", "tags").([]any)); n != 20 {
		t.Errorf("%d tags written, want 20", n)
	}
	if got, want := notificationTexts(t, doc), []string{"rule x/many: 20 of 28 tags written (GitHub code scanning keeps 20 per rule)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("notifications = %q, want %q", got, want)
	}
}

// TestWriteSARIFSizeLimit checks the 10 MB rule with a smaller limit:
// snippets go first, then halves of the results.
func TestWriteSARIFSizeLimit(t *testing.T) {
	// Incompressible snippets, so that dropping them shrinks the report.
	rng := rand.New(rand.NewPCG(1, 2))
	r := tinyRun(64)
	for i := range r.Findings {
		b := make([]byte, 2000)
		for j := range b {
			b[j] = byte('a' + rng.IntN(26))
		}
		r.Findings[i].Location.Snippet = string(b)
	}
	encoded := func(p plan) []byte {
		doc, err := encodeSARIF(r, p)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	full := encoded(plan{results: 64, snippets: true})
	noSnippets := encoded(plan{results: 64})
	half := encoded(plan{results: 32, shrunk: true})

	for _, c := range []struct {
		limit int
		want  []byte
		notes []string
	}{
		{gzipSize(full), full, nil},
		{gzipSize(noSnippets), noSnippets, []string{"source snippets left out (GitHub code scanning takes at most 10 MB gzipped)"}},
		{gzipSize(noSnippets) - 1, half, []string{
			"results truncated: 32 of 64 written (GitHub code scanning takes at most 10 MB gzipped)",
			"source snippets left out (GitHub code scanning takes at most 10 MB gzipped)",
		}},
	} {
		var b bytes.Buffer
		if err := writeSARIF(&b, r, c.limit); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), c.want) {
			t.Errorf("limit %d: wrote %d bytes, not the expected %d-byte report", c.limit, b.Len(), len(c.want))
		}
		if got := notificationTexts(t, decode(t, b.Bytes())); !slices.Equal(got, c.notes) {
			t.Errorf("limit %d: notifications = %q, want %q", c.limit, got, c.notes)
		}
	}
	if bytes.Contains(noSnippets, []byte(`"snippet"`)) || !bytes.Contains(full, []byte(`"snippet"`)) {
		t.Error("snippets not dropped by the plan, or never written")
	}
}

// TestWriteSARIFTooManyFingerprints: when the fingerprints of the results
// cut alone do not fit, they are left out, with a notification, and the
// results fitted again without them.
func TestWriteSARIFTooManyFingerprints(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	r := tinyRun(8)
	for range 20000 {
		r.Omitted = append(r.Omitted, fmt.Sprintf("%016x", rng.Uint64()))
	}
	want, err := encodeSARIF(r, plan{results: 8, snippets: true, noFingerprints: true})
	if err != nil {
		t.Fatal(err)
	}
	noResults, err := encodeSARIF(r, plan{})
	if err != nil {
		t.Fatal(err)
	}
	limit := gzipSize(want)
	if gzipSize(noResults) <= limit {
		t.Fatal("the fingerprints fit: the test needs more")
	}
	var b bytes.Buffer
	if err := writeSARIF(&b, r, limit); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) || bytes.Contains(want, []byte(omittedKey)) {
		t.Errorf("wrote %d bytes, not the %d-byte report with every result and no fingerprints", b.Len(), len(want))
	}
	notes := notificationTexts(t, decode(t, b.Bytes()))
	if !slices.Equal(notes, []string{"results truncated: 8 of 20008 written (GitHub code scanning keeps 25,000 per run)",
		"the fingerprints of the results cut left out (GitHub code scanning takes at most 10 MB gzipped): the report is no complete baseline"}) {
		t.Errorf("notifications = %q", notes)
	}
}

func TestDropNullMembers(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":null}`:                        `{}`,
		`{"a":null,"b":1}`:                  `{"b":1}`,
		`{"b":1,"a":null}`:                  `{"b":1}`,
		`{"b":1,"a":null,"c":null,"d":2}`:   `{"b":1,"d":2}`,
		`[null,{"k":[null],"x":"\":null"}]`: `[null,{"k":[null],"x":"\":null"}]`,
		`{"\"q\\":null,"s":"a,\"b\":null"}`: `{"s":"a,\"b\":null"}`,
	} {
		if got := string(dropNullMembers([]byte(in))); got != want {
			t.Errorf("dropNullMembers(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestExecutionFailsOnErrorNotification(t *testing.T) {
	r := emptyRun()
	r.Notifications = []analyzers.Notification{{Level: "error", Path: "a.py", Analyzer: "ctypes", Message: "analyzer ctypes panicked: boom"}}
	_, doc := writeSARIFMap(t, r)
	inv := at(t, doc, "runs", 0, "invocations", 0)
	if at(t, inv, "executionSuccessful") != false {
		t.Error("executionSuccessful is true although an analyzer failed")
	}
}

func TestBaselineState(t *testing.T) {
	r := tinyRun(2)
	_, doc := writeSARIFMap(t, r)
	if has(at(t, doc, "runs", 0, "results", 0), "baselineState") {
		t.Error("baselineState written without a baseline")
	}
	r.Baseline = true
	_, doc = writeSARIFMap(t, r)
	for i := range 2 {
		if got := at(t, doc, "runs", 0, "results", i, "baselineState"); got != "new" {
			t.Errorf("result %d: baselineState %v, want new", i, got)
		}
	}
}
