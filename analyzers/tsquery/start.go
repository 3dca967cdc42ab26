package tsquery

/*
#include <stdint.h>
extern uint32_t ts_query_start_byte_for_pattern(const void *, uint32_t);
*/
import "C"

import (
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

// patternStart returns the byte offset in q's source where pattern p
// starts, a function of tree-sitter's C API that the Go binding does not
// wrap: its Query holds the C query as its first field
// (TestPatternStarts checks what this reads).
func patternStart(q *sitter.Query, p int) uint32 {
	c := *(*unsafe.Pointer)(unsafe.Pointer(q))
	return uint32(C.ts_query_start_byte_for_pattern(c, C.uint32_t(p)))
}
