package ctypes

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// identifier matches a name or a dotted name.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)

// describeSize renders a buffer's size: "64 bytes", "SIZE (64) bytes",
// "16 characters, 64 bytes", "4 c_uint32 elements, 16 bytes",
// "len(data)+1 bytes".
func (ix *index) describeSize(z *sizer, b pysrc.Datum) string {
	if t, ok := strings.CutPrefix(b.Key, scalarPrefix); ok {
		return "one " + t
	}
	unit := "bytes"
	size := ix.bufferElemSize(b)
	switch {
	case b.Key == "c_wchar":
		unit = "characters"
	case b.Kind == objStruct:
		unit = lastName(b.ClassName()) + " structure"
	case strings.HasPrefix(b.Key, "struct:"):
		unit = lastName(b.Key) + " elements"
	case strings.HasPrefix(b.Key, "numpy:"):
		unit = strings.TrimPrefix(b.Key, "numpy:") + " elements"
	case size != 1:
		unit = b.Key + " elements"
	}
	text := ix.describeCount(z, b)
	count := z.count(b, 0)
	if b.Kind == objStruct {
		if size > 0 {
			return fmt.Sprintf("a %s of %d bytes", unit, size)
		}
		return "a " + unit
	}
	if size != 1 && size != 0 && count.op == 0 && count.lin.isConst() {
		return fmt.Sprintf("%s %s, %d bytes", text, unit, count.lin.c*size)
	}
	return text + " " + unit
}

// describeCount describes how many elements buffer b holds: its count's
// text, with the value when it is a constant, "an unknown number of"
// when it has none.
func (ix *index) describeCount(z *sizer, b pysrc.Datum) string {
	text := b.Name
	if count := z.count(b, 0); count.op == 0 && count.lin.isConst() {
		text = strconv.FormatInt(count.lin.c, 10)
		if identifier.MatchString(b.Name) {
			text = b.Name + " (" + text + ")"
		}
	}
	if text == "" {
		text = "an unknown number of"
	}
	return text
}
