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

// patternStart returns the byte offset in q's source where pattern p
// starts, a function of tree-sitter's C API that the Go binding does not
// wrap: its Query holds the C query as its first field
// (TestPatternStarts checks what this reads).
func patternStart(q *sitter.Query, p int) uint32 {
	c := *(*unsafe.Pointer)(unsafe.Pointer(q))
	return uint32(C.ts_query_start_byte_for_pattern(c, C.uint32_t(p)))
}

// cursorOf returns the C cursor of qc, its first field as the Query's
// (TestPendingLimit checks it).
func cursorOf(qc *sitter.QueryCursor) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(qc))
}

// setPendingLimit caps the matches qc holds in progress at once: past it,
// tree-sitter drops the earliest-starting one.
func setPendingLimit(qc *sitter.QueryCursor, n uint32) {
	C.ts_query_cursor_set_match_limit(cursorOf(qc), C.uint32_t(n))
}

// exceededPendingLimit reports whether qc dropped a match in progress in
// its last execution.
func exceededPendingLimit(qc *sitter.QueryCursor) bool {
	return bool(C.ts_query_cursor_did_exceed_match_limit(cursorOf(qc)))
}
