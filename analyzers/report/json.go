package report

import (
	"encoding/json"
	"io"

	"github.com/residue-sec/residue/analyzers"
)

// jsonVersion is the version of the JSON shape; it changes only when a
// field is removed or changes meaning.
const jsonVersion = "1"

// WriteJSON writes r as one JSON document, indented by two spaces and ended
// by a newline. Its shape (version "1") is stable:
//
//	{
//	  "version": "1",
//	  "tool": {"name": "residue", "version": "0.1.0"},
//	  "findings": [
//	    {
//	      "rule": "logging/request-body",
//	      "message": "...",
//	      "location": {"path": "app/views.py", "startLine": 12, "startColumn": 13,
//	                   "endLine": 12, "endColumn": 25, "snippet": "logger.info(request.body)"},
//	      "related": [{"path": ..., "startLine": ..., ..., "message": "..."}],
//	      "flow": [{"location": {...}}],
//	      "fix": {"description": "...", "replacements": [{"location": {...}, "text": "..."}]},
//	      "level": "error",
//	      "fingerprint": "...",
//	      "function": "OrderView.create",
//	      "suppression": {"location": {...}, "justification": "..."}
//	    }
//	  ],
//	  "notifications": [{"level": "warning", "path": "x.py", "line": 3, "analyzer": "ctypes", "message": "..."}],
//	  "filesScanned": 12,
//	  "filesSkipped": 1
//	}
//
// Findings and their fields are those of analyzers.Finding, in the Run's
// order. "fix", "function", "suppression", a location's "message" and
// "snippet", and a notification's "path" and "analyzer" are left out when
// empty; "findings", "related", "flow", "replacements" and "notifications"
// are always arrays, never null. Columns count UTF-16 code units and
// EndColumn is exclusive. A location's or notification's path that is not
// valid UTF-8 has "pathBytes" too, its bytes in base64
// (analyzers.Location.MarshalJSON).
func WriteJSON(w io.Writer, r *Run) error {
	doc := jsonReport{
		Version:       jsonVersion,
		Tool:          jsonTool{Name: toolName, Version: r.ToolVersion},
		Findings:      make([]analyzers.Finding, len(r.Findings)),
		Notifications: nonNil(r.Notifications),
		FilesScanned:  r.FilesScanned,
		FilesSkipped:  r.FilesSkipped,
	}
	for i, f := range r.Findings {
		f.Related = nonNil(f.Related)
		f.Flow = nonNil(f.Flow)
		if f.Fix != nil {
			fix := *f.Fix
			fix.Replacements = nonNil(fix.Replacements)
			f.Fix = &fix
		}
		doc.Findings[i] = f
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// jsonReport is the document WriteJSON writes.
type jsonReport struct {
	Version       string                   `json:"version"`
	Tool          jsonTool                 `json:"tool"`
	Findings      []analyzers.Finding      `json:"findings"`
	Notifications []analyzers.Notification `json:"notifications"`
	FilesScanned  int                      `json:"filesScanned"`
	FilesSkipped  int                      `json:"filesSkipped"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// nonNil returns s, or an empty slice when s is nil, so that it encodes as
// [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
