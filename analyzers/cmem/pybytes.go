package cmem

import (
	"fmt"

	"github.com/residue-sec/residue/analyzers/source"
)

// ruleBytes: PyBytes_FromStringAndSize(NULL, n) (or the bytearray
// variant) is returned after its buffer was filled with fewer than n bytes
// and without shrinking it with _PyBytes_Resize.
const ruleBytes = "cmem/unfilled-bytes-object"

// bytesReturn checks a bytes object returned to Python.
func (w *walker) bytesReturn(at *source.Node, b *buffer, st *state) {
	e := *st.extentOf(b.id)
	w.needSummaries = w.needSummaries || e.callee
	if _, leak := judge(b, e, 0, b.size); !leak {
		return
	}
	s := sink{at: at, r: ref{buf: b.id, off: constant(0)}, leaving: b.size, verb: "returned to Python"}
	leave := fmt.Sprintf("all %s are returned without %s", b.size, b.resizer)
	msg := fmt.Sprintf("%s the %s bytes of %s's buffer; %s", wrote(b, e), b.size, b.name, leave)
	w.emit(ruleBytes, s, b, e, msg, leave)
}
