package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
)

// writeJSONMap writes r as JSON and returns the text and the decoded document.
func writeJSONMap(t *testing.T, r *Run) (string, map[string]any) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("WriteJSON wrote invalid JSON: %v\n%s", err, b.String())
	}
	return b.String(), doc
}

func TestWriteJSON(t *testing.T) {
	text, doc := writeJSONMap(t, testRun())
	if !strings.HasPrefix(text, "{\n  \"version\": \"1\",\n  \"tool\": {\n    \"name\": \"residue\",") || !strings.HasSuffix(text, "}\n") {
		t.Errorf("not indented by two spaces with a trailing newline:\n%s", text)
	}
	if got, want := doc["tool"], map[string]any{"name": "residue", "version": "0.1.0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tool = %v, want %v", got, want)
	}
	if doc["filesScanned"] != 12.0 {
		t.Errorf("filesScanned = %v, want 12", doc["filesScanned"])
	}
	findings := doc["findings"].([]any)
	if len(findings) != 3 {
		t.Fatalf("%d findings, want 3", len(findings))
	}

	first := findings[0].(map[string]any)
	wantLoc := map[string]any{"path": "app/native.py", "startLine": 3.0, "startColumn": 8.0, "endLine": 3.0, "endColumn": 20.0, "snippet": "\tbuf = lib.read(fd)"}
	if !reflect.DeepEqual(first["location"], wantLoc) {
		t.Errorf("location = %v, want %v", first["location"], wantLoc)
	}
	if first["rule"] != "ctypes/ignored-output-buffer" || first["level"] != "warning" || first["fingerprint"] != "fp-native" {
		t.Errorf("first finding = %v", first)
	}
	if rel := first["related"].([]any); len(rel) != 1 || rel[0].(map[string]any)["message"] != "buffer allocated here" {
		t.Errorf("related = %v", rel)
	}
	if flow, ok := first["flow"].([]any); !ok || len(flow) != 0 {
		t.Errorf("flow of a finding without one = %#v, want []", first["flow"])
	}

	second := findings[1].(map[string]any)
	flow := second["flow"].([]any)
	if len(flow) != 2 || flow[1].(map[string]any)["location"].(map[string]any)["message"] != "x logged" {
		t.Errorf("flow = %v", flow)
	}
	if second["function"] != "app.views.create" {
		t.Errorf("function = %v", second["function"])
	}
	if _, ok := second["fix"]; ok {
		t.Error("a finding without a fix has a fix member")
	}

	third := findings[2].(map[string]any)
	if s := third["suppression"].(map[string]any); s["justification"] != "reviewed" {
		t.Errorf("suppression = %v", s)
	}
	if fix := third["fix"].(map[string]any); fix["description"] != "redact the body" ||
		fix["replacements"].([]any)[0].(map[string]any)["text"] != "redact(request.body)" {
		t.Errorf("fix = %v", fix)
	}

	notes := doc["notifications"].([]any)
	wantNote := map[string]any{"level": "warning", "path": "app/broken.py", "analyzer": "logging", "message": "parse error at 3:1"}
	if len(notes) != 2 || !reflect.DeepEqual(notes[0], wantNote) {
		t.Errorf("notifications = %v", notes)
	}
	if strings.Contains(text, "startByte") || strings.Contains(text, "null") {
		t.Errorf("byte offsets or nulls written:\n%s", text)
	}
}

func TestWriteJSONEmpty(t *testing.T) {
	text, doc := writeJSONMap(t, emptyRun())
	for _, want := range []string{`"findings": []`, `"notifications": []`, `"filesScanned": 1`, `"filesSkipped": 0`} {
		if !strings.Contains(text, want) {
			t.Errorf("empty run lacks %s:\n%s", want, text)
		}
	}
	if len(doc) != 6 {
		t.Errorf("top-level members = %v, want version, tool, findings, notifications, filesScanned, filesSkipped", doc)
	}
}

// A path that is not valid UTF-8 keeps its bytes in "pathBytes", in a
// location and a notification; a valid one has none, and a snippet's <
// and & stay as written.
func TestWriteJSONPathBytes(t *testing.T) {
	r := testRun()
	r.Findings[0].Location = loc("app/v\xffiew.py", 3, 8, 3, 20, "", "if a < b && c:")
	r.Notifications = []analyzers.Notification{{Level: "warning", Path: "bad\xfe.c", Message: "not modelled"}}
	text, doc := writeJSONMap(t, r)
	first := doc["findings"].([]any)[0].(map[string]any)["location"].(map[string]any)
	if got, want := first["pathBytes"], base64.StdEncoding.EncodeToString([]byte("app/v\xffiew.py")); got != want {
		t.Errorf("pathBytes = %v, want %v", got, want)
	}
	if got := first["path"]; got != "app/v\uFFFDiew.py" {
		t.Errorf("path = %q", got)
	}
	note := doc["notifications"].([]any)[0].(map[string]any)
	if got, want := note["pathBytes"], base64.StdEncoding.EncodeToString([]byte("bad\xfe.c")); got != want {
		t.Errorf("notification pathBytes = %v, want %v", got, want)
	}
	if strings.Count(text, "pathBytes") != 2 {
		t.Errorf("pathBytes on a valid path:\n%s", text)
	}
	if !strings.Contains(text, `"snippet": "if a < b && c:"`) {
		t.Errorf("snippet escaped:\n%s", text)
	}
}
