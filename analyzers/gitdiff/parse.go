package gitdiff

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Parse reads a unified diff with b/ as the new files' prefix, as
// `git diff -U0` writes it, and returns the new versions' changed lines.
// Deleted files and pure deletions add no line; lines inside a hunk are
// never taken for headers, whatever their text.
func Parse(diff []byte) (*Changes, error) {
	c := &Changes{lines: map[string][]span{}, whole: map[string]bool{}}
	sc := bufio.NewScanner(bytes.NewReader(diff))
	sc.Buffer(make([]byte, 64<<10), 1<<30)
	path := ""
	oldLeft, newLeft := 0, 0 // lines of the current hunk still to read
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if oldLeft > 0 || newLeft > 0 {
			switch {
			case strings.HasPrefix(line, "-"):
				oldLeft--
			case strings.HasPrefix(line, "+"):
				newLeft--
			case strings.HasPrefix(line, " "):
				oldLeft--
				newLeft--
			case strings.HasPrefix(line, `\`): // "\ No newline at end of file"
			default:
				return nil, fmt.Errorf("diff line %d: %q inside a hunk", n, line)
			}
			continue
		}
		switch {
		case strings.HasPrefix(line, "diff "):
			path = ""
		case strings.HasPrefix(line, "+++ "):
			p, err := newPath(line[len("+++ "):])
			if err != nil {
				return nil, fmt.Errorf("diff line %d: %v", n, err)
			}
			path = p
		case strings.HasPrefix(line, "@@ "):
			oldCount, newStart, newCount, err := hunkHeader(line)
			if err != nil {
				return nil, fmt.Errorf("diff line %d: %v", n, err)
			}
			oldLeft, newLeft = oldCount, newCount
			if path != "" && newCount > 0 {
				c.lines[path] = append(c.lines[path], span{newStart, newStart + newCount - 1})
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if oldLeft > 0 || newLeft > 0 {
		return nil, fmt.Errorf("the diff ends inside a hunk")
	}
	return c, nil
}

// newPath returns the path of a "+++ " header's value: "b/path", the same
// quoted C-style when it has unusual characters, or /dev/null ("" then).
func newPath(s string) (string, error) {
	s = strings.TrimRight(s, "\t")
	if s == "/dev/null" {
		return "", nil
	}
	if strings.HasPrefix(s, `"`) {
		u, err := strconv.Unquote(s)
		if err != nil {
			return "", fmt.Errorf("bad quoted path %s", s)
		}
		s = u
	}
	p, ok := strings.CutPrefix(s, "b/")
	if !ok {
		return "", fmt.Errorf("new path %q lacks the b/ prefix", s)
	}
	return p, nil
}

// hunkHeader parses "@@ -l[,s] +l[,s] @@ ...": the old side's line count
// and the new side's first line and count; a missing count is 1.
func hunkHeader(line string) (oldCount, newStart, newCount int, err error) {
	fields := strings.Fields(line)
	if len(fields) < 4 || fields[3] != "@@" || !strings.HasPrefix(fields[1], "-") || !strings.HasPrefix(fields[2], "+") {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q", line)
	}
	if _, oldCount, err = lineRange(fields[1][1:]); err == nil {
		newStart, newCount, err = lineRange(fields[2][1:])
	}
	if err != nil {
		err = fmt.Errorf("bad hunk header %q", line)
	}
	return
}

// maxLine bounds line numbers and counts, so that no sum overflows.
const maxLine = 1 << 31

// lineRange parses "l" or "l,s".
func lineRange(s string) (start, count int, err error) {
	first, rest, hasCount := strings.Cut(s, ",")
	if start, err = strconv.Atoi(first); err != nil || start < 0 || start > maxLine {
		return 0, 0, fmt.Errorf("bad line number")
	}
	count = 1
	if hasCount {
		if count, err = strconv.Atoi(rest); err != nil || count < 0 || count > maxLine {
			return 0, 0, fmt.Errorf("bad line count")
		}
	}
	return start, count, nil
}
