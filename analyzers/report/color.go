package report

import "os"

// ColorFor reports whether colour should be used for output written to f:
// f is a terminal (not /dev/null or another character device) and
// NO_COLOR is unset or empty (https://no-color.org).
func ColorFor(f *os.File) bool {
	if f == nil || os.Getenv("NO_COLOR") != "" {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	return isTerminal(f)
}

// ANSI SGR sequences used by the text writer.
const (
	sgrReset  = "\x1b[0m"
	sgrBold   = "\x1b[1m"
	sgrDim    = "\x1b[2m"
	sgrRed    = "\x1b[31m"
	sgrGreen  = "\x1b[32m"
	sgrYellow = "\x1b[33m"
	sgrCyan   = "\x1b[36m"
)

// painter wraps text in SGR sequences, or leaves it alone when colour is off.
type painter bool

// paint returns s in style, or s itself when colour is off or s is empty.
func (p painter) paint(style, s string) string {
	if !p || s == "" {
		return s
	}
	return style + s + sgrReset
}

// level returns a severity word in bold, red for errors, yellow for warnings
// and cyan for anything else.
func (p painter) level(level string) string {
	style := sgrCyan
	switch level {
	case "error":
		style = sgrRed
	case "warning":
		style = sgrYellow
	}
	return p.paint(sgrBold+style, level)
}
