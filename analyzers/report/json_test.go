package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
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
