package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/residue-sec/residue/analyzers"
)

// TextOptions configures WriteText.
type TextOptions struct {
	// Color wraps levels, rule ids and carets in ANSI colour sequences.
	Color bool
	// Quiet leaves out the notifications and the summary line.
	Quiet bool
}

// WriteText writes r for a human reader, one block per finding:
//
//	app/views.py:12:13: error logging/request-body: request body written to a log
//	    logger.info(request.body)
//	                ^~~~~~~~~~~~
//	    app/settings.py:40:5: note: the logger's handler writes to a file
//	    app/views.py:12:13: step 1: request.body read here
//
// Related locations are "note" lines and Flow steps "step N" lines. A
// suppressed finding ends its first line with "(suppressed: reason)".
// Everything that comes from the scanned code is escaped (Printable), and
// a source line longer than 160 characters is cut to a window around the
// finding. Unless
// opt.Quiet, the findings are followed by one "path: level: message" line
// per notification ("residue: ..." without a path) and a summary line.
func WriteText(w io.Writer, r *Run, opt TextOptions) error {
	t := &textWriter{w: bufio.NewWriter(w), p: painter(opt.Color)}
	for i := range r.Findings {
		t.finding(&r.Findings[i])
	}
	if !opt.Quiet {
		for _, n := range r.Notifications {
			t.notification(n)
		}
		t.line(Summary(r), "")
	}
	return t.w.Flush()
}

// textWriter writes lines of the text format; bufio keeps the first error.
type textWriter struct {
	w *bufio.Writer
	p painter
}

// line writes head, then " "+msg when msg is not empty, without trailing
// blanks.
func (t *textWriter) line(head, msg string) {
	t.w.WriteString(head)
	if msg = strings.TrimRight(msg, " \t"); msg != "" {
		t.w.WriteString(" ")
		t.w.WriteString(msg)
	}
	t.w.WriteString("\n")
}

func (t *textWriter) finding(f *analyzers.Finding) {
	msg := f.Message
	if s := f.Suppression; s != nil {
		msg = strings.TrimSpace(msg + " " + suppressedMark(s))
	}
	t.line(position(f.Location)+": "+t.p.level(levelOf(f.Level))+" "+t.p.paint(sgrDim, Printable(f.RuleID))+":", Printable(msg))
	t.source(f.Location)
	for _, rel := range f.Related {
		t.line("    "+position(rel)+": "+t.p.level("note")+":", Printable(rel.Message))
	}
	for i, s := range f.Flow {
		t.line(fmt.Sprintf("    %s: step %d:", position(s.Location), i+1), Printable(s.Location.Message))
	}
}

// source writes loc's source line, escaped and cut around the range when
// long (excerpt), and the caret line under its range.
func (t *textWriter) source(loc analyzers.Location) {
	if strings.TrimRight(loc.Snippet, " \t") == "" {
		return
	}
	text, pad, marks := excerpt(loc.Snippet, loc.Range)
	t.line("    "+strings.TrimRight(text, " \t"), "")
	t.line("    "+pad+t.p.paint(sgrGreen, marks), "")
}

func (t *textWriter) notification(n analyzers.Notification) {
	where := NotePlace(n)
	if where == "" {
		where = toolName
	}
	t.line(where+": "+t.p.level(levelOf(n.Level))+":", Printable(n.Message))
}

// NotePlace formats where a notification is: its path, escaped
// (Printable), and ":line" when it names one; "" for none.
func NotePlace(n analyzers.Notification) string {
	if n.Path != "" && n.Line > 0 {
		return fmt.Sprintf("%s:%d", Printable(n.Path), n.Line)
	}
	return Printable(n.Path)
}

// position formats loc as path:line:col, the path escaped (Printable).
func position(loc analyzers.Location) string {
	return fmt.Sprintf("%s:%d:%d", Printable(loc.Path), loc.StartLine, loc.StartColumn)
}

// levelOf returns level, or SARIF's default level "warning" when it is empty.
func levelOf(level string) string {
	if level == "" {
		return "warning"
	}
	return level
}

// Summary returns the last line of the text format, e.g.
// "3 findings (2 errors, 1 warning) in 2 of 12 files" (the files with
// findings of those scanned), followed by "; 2 skipped" when files were
// skipped.
func Summary(r *Run) string {
	skipped := ""
	if r.FilesSkipped > 0 {
		skipped = fmt.Sprintf("; %d skipped", r.FilesSkipped)
	}
	if len(r.Findings) == 0 {
		return "no findings in " + plural(r.FilesScanned, "file") + skipped
	}
	count := map[string]int{}
	suppressed := 0
	inFiles := map[string]bool{}
	for _, f := range r.Findings {
		count[levelOf(f.Level)]++
		if f.Suppression != nil {
			suppressed++
		}
		inFiles[f.Location.Path] = true
	}
	files := fmt.Sprintf("%d of %s", len(inFiles), plural(r.FilesScanned, "file")) + skipped
	if len(inFiles) > r.FilesScanned {
		// The scanned files were not counted (a report read back that
		// does not record them).
		files = plural(len(inFiles), "file") + skipped
	}
	var parts []string
	for _, level := range []string{"error", "warning", "note"} {
		if n := count[level]; n > 0 {
			parts = append(parts, plural(n, level))
		}
	}
	if suppressed > 0 {
		parts = append(parts, fmt.Sprintf("%d suppressed", suppressed))
	}
	return fmt.Sprintf("%s (%s) in %s", plural(len(r.Findings), "finding"), strings.Join(parts, ", "), files)
}

// plural returns "1 word" or "n words".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
