package report

import (
	"bytes"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/source"
)

// loc returns a location of path spanning line:col to endLine:endCol.
func loc(path string, line, col, endLine, endCol int, msg, snippet string) analyzers.Location {
	return analyzers.Location{
		Path:    path,
		Range:   source.Range{StartLine: line, StartColumn: col, EndLine: endLine, EndColumn: endCol},
		Message: msg,
		Snippet: snippet,
	}
}

// testRules are two rules, sorted by id as the driver sorts them.
func testRules() []*rule.Rule {
	return []*rule.Rule{
		{
			ID:               "ctypes/ignored-output-buffer",
			Name:             "IgnoredOutputBuffer",
			Severity:         "warning",
			SecuritySeverity: 5,
			Precision:        "medium",
			Tags:             []string{"ctypes"},
			Summary:          "Output buffer of a C call is never read.",
			Help:             "The C function fills `buf`; read it.",
		},
		{
			ID:               "logging/request-body",
			Name:             "RequestBodyLogged",
			Severity:         "error",
			SecuritySeverity: 7.5,
			Precision:        "high",
			Tags:             []string{"security", "django", "logging"},
			CWE:              []string{"CWE-532"},
			References:       []string{"https://cwe.mitre.org/data/definitions/532.html"},
			Summary:          "Request body written to a log unsanitized.",
			Help:             "Logging `request.body` leaks secrets.\n\nRedact it first.",
		},
	}
}

// testRun is a Run with one finding with a related location (a tab in its
// line), one with a flow (a multi-byte character before its column) and one
// suppressed with a fix, and two notifications.
func testRun() *Run {
	return &Run{
		ToolVersion: "0.1.0",
		Rules:       testRules(),
		Findings: []analyzers.Finding{
			{
				RuleID:      "ctypes/ignored-output-buffer",
				Message:     "output buffer is never read",
				Location:    loc("app/native.py", 3, 8, 3, 20, "", "\tbuf = lib.read(fd)"),
				Related:     []analyzers.Location{loc("app/native.py", 1, 1, 1, 4, "buffer allocated here", "buf = create_string_buffer(8)")},
				Level:       "warning",
				Fingerprint: "fp-native",
			},
			{
				RuleID:   "logging/request-body",
				Message:  "x is logged",
				Location: loc("app/views.py", 2, 10, 2, 24, "", `s = "é"; logger.info(x)`),
				Flow: []analyzers.Step{
					{Location: loc("app/views.py", 1, 1, 1, 2, "x assigned from request.body", "x = request.body")},
					{Location: loc("app/views.py", 2, 22, 2, 23, "x logged", `s = "é"; logger.info(x)`)},
				},
				Level:       "error",
				Fingerprint: "fp-views-2",
				Function:    "app.views.create",
			},
			{
				RuleID:   "logging/request-body",
				Message:  "request.body is logged",
				Location: loc("app/views.py", 5, 5, 5, 30, "", "    logger.info(request.body)  "),
				Fix: &analyzers.Fix{
					Description: "redact the body",
					Replacements: []analyzers.Replacement{
						{Location: loc("app/views.py", 5, 17, 5, 29, "", ""), Text: "redact(request.body)"},
					},
				},
				Level:       "error",
				Fingerprint: "fp-views-5",
				Suppression: &analyzers.Suppression{
					Location:      loc("app/views.py", 4, 5, 4, 40, "", "    # residue: ignore[logging/request-body] -- reviewed"),
					Justification: "reviewed",
				},
			},
		},
		Notifications: []analyzers.Notification{
			{Level: "warning", Path: "app/broken.py", Analyzer: "logging", Message: "parse error at 3:1"},
			{Level: "warning", Message: "analyzer cmem panicked"},
		},
		Category:     "ci/python",
		FilesScanned: 12,
	}
}

// emptyRun is a clean scan: no rules matched anything.
func emptyRun() *Run {
	return &Run{ToolVersion: "0.1.0", FilesScanned: 1}
}

// TestDeterministic writes the same Run twice in every format and expects
// the same bytes.
func TestDeterministic(t *testing.T) {
	writers := map[string]func(*bytes.Buffer, *Run) error{
		"text":   func(b *bytes.Buffer, r *Run) error { return WriteText(b, r, TextOptions{Color: true}) },
		"json":   func(b *bytes.Buffer, r *Run) error { return WriteJSON(b, r) },
		"sarif":  func(b *bytes.Buffer, r *Run) error { return WriteSARIF(b, r) },
		"github": func(b *bytes.Buffer, r *Run) error { return WriteGitHub(b, r) },
	}
	for name, write := range writers {
		var a, b bytes.Buffer
		if err := write(&a, testRun()); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := write(&b, testRun()); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if a.Len() == 0 || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two writes of the same Run differ (or are empty)", name)
		}
	}
}
