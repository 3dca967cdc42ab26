package cmem

import (
	"fmt"
	"strings"
)

// ruleOutput: part of an array, heap block or struct leaves the process
// (sent, written, returned, copied out, turned into a Python object)
// before it was written.
const ruleOutput = "cmem/uninitialized-output"

// reportOutput reports unwritten bytes of b leaving at sink s; whole and
// part name the record members they cover entirely and in part.
func (w *walker) reportOutput(s sink, b *buffer, e extent, v verdict, whole, part []string) {
	var notes []string
	if len(whole) > 0 {
		notes = append(notes, memberList(whole)+" never written")
	}
	if len(part) > 0 {
		notes = append(notes, memberList(part)+" only partly written")
	}
	detail := ""
	if len(notes) > 0 {
		detail = " (" + strings.Join(notes, "; ") + ")"
	}
	leave := leaves(s, b, v)
	msg := fmt.Sprintf("%s the %s bytes of %s%s; %s", wrote(b, e), b.size, b.name, detail, leave)
	w.emit(ruleOutput, s, b, e, msg, leave)
}

// memberList renders "member a is" or "members a, b are".
func memberList(names []string) string {
	if len(names) == 1 {
		return "member " + names[0] + " is"
	}
	return "members " + strings.Join(names, ", ") + " are"
}
