package csrc

import (
	"fmt"
	"strings"
)

// Families that report outputs describe them in the same words: where
// the buffer comes from, which of its bytes leave and how.

// Declared describes where a buffer comes from, for the first step of a
// finding's flow: "buf (64 bytes) is declared here".
func (b BufferInfo) Declared() string {
	switch b.Kind {
	case HeapBuffer:
		return fmt.Sprintf("%s = %s: %s bytes, uninitialized", b.Name, b.Origin, b.Size)
	case BytesBuffer:
		return fmt.Sprintf("%s = %s: a buffer of %s bytes, uninitialized", b.Name, b.Origin, b.Size)
	case RecordBuffer:
		return fmt.Sprintf("%s (%s, %s bytes) is declared here", b.Name, b.Type, b.Size)
	case ScalarBuffer:
		return fmt.Sprintf("%s (%s bytes) is declared without initializer", b.Name, b.Size)
	}
	return fmt.Sprintf("%s (%s bytes) is declared here", b.Name, b.Size)
}

// Leaves says which bytes leave and how: "all 256 are sent by send()".
func (o Output) Leaves() string {
	switch {
	case o.Whole:
		return fmt.Sprintf("all %s are %s", o.Buffer.Size, o.Verb)
	case o.Offset == 0:
		return fmt.Sprintf("the first %s are %s", o.Leaving, o.Verb)
	}
	return fmt.Sprintf("%s from byte %d are %s", o.Leaving, o.Offset, o.Verb)
}

// RangeList renders byte ranges: "1-3, 9".
func RangeList(s []Range) string {
	parts := make([]string, len(s))
	for i, x := range s {
		if x.Hi-x.Lo == 1 {
			parts[i] = fmt.Sprint(x.Lo)
		} else {
			parts[i] = fmt.Sprintf("%d-%d", x.Lo, x.Hi-1)
		}
	}
	return strings.Join(parts, ", ")
}
