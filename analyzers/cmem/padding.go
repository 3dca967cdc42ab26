package cmem

import "fmt"

// rulePadding: every member of a struct is written but its padding is not,
// and the whole object is copied out.
const rulePadding = "cmem/struct-padding"

// reportPadding reports a record whose only unwritten bytes are padding.
func (w *walker) reportPadding(s sink, b *buffer, e extent, v verdict) {
	n := v.gaps.total()
	plural := "s"
	if n == 1 {
		plural = ""
	}
	leave := leaves(s, b, v)
	msg := fmt.Sprintf("every member of %s (%s) is written but its %d padding byte%s (%s) are not; %s",
		b.name, b.recordType().name, n, plural, spanList(v.gaps), leave)
	w.emit(rulePadding, s, b, e, msg, leave)
}
