package tsquery

/*
#include <stdbool.h>
#include <stdint.h>
extern uint32_t ts_query_start_byte_for_pattern(const void *, uint32_t);
extern void ts_query_cursor_set_match_limit(void *, uint32_t);
extern bool ts_query_cursor_did_exceed_match_limit(const void *);
*/
import "C"

import (
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

// The Go binding does not wrap these functions of tree-sitter's C API;
// its Query and QueryCursor hold the C object as their first field, which
// cObject reads (TestPatternStarts and TestPendingLimit check what it
// reads).
func cObject[T sitter.Query | sitter.QueryCursor](v *T) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(v))
}

// patternStart returns the byte offset in q's source where pattern p
// starts.
func patternStart(q *sitter.Query, p int) uint32 {
	return uint32(C.ts_query_start_byte_for_pattern(cObject(q), C.uint32_t(p)))
}

// setPendingLimit caps the matches qc holds in progress at once: past it,
// tree-sitter drops the earliest-starting one.
func setPendingLimit(qc *sitter.QueryCursor, n uint32) {
	C.ts_query_cursor_set_match_limit(cObject(qc), C.uint32_t(n))
}

// exceededPendingLimit reports whether qc dropped a match in progress in
// its last execution.
func exceededPendingLimit(qc *sitter.QueryCursor) bool {
	return bool(C.ts_query_cursor_did_exceed_match_limit(cObject(qc)))
}
