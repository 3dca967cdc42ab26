package source

/*
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>

// The binding's C types, declared here with the layout of tree-sitter's
// api.h (ABI 14); the functions are the binding's, linked into the binary.
typedef struct { uint32_t context[4]; const void *id; const void *tree; } rsTSNode;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } rsTSTreeCursor;
typedef struct { uint32_t row; uint32_t column; } rsTSPoint;

extern rsTSTreeCursor ts_tree_cursor_new(rsTSNode);
extern void ts_tree_cursor_delete(rsTSTreeCursor *);
extern bool ts_tree_cursor_goto_first_child(rsTSTreeCursor *);
extern bool ts_tree_cursor_goto_next_sibling(rsTSTreeCursor *);
extern bool ts_tree_cursor_goto_parent(rsTSTreeCursor *);
extern rsTSNode ts_tree_cursor_current_node(const rsTSTreeCursor *);
extern uint16_t ts_tree_cursor_current_field_id(const rsTSTreeCursor *);
extern uint16_t ts_node_symbol(rsTSNode);
extern uint32_t ts_node_start_byte(rsTSNode);
extern uint32_t ts_node_end_byte(rsTSNode);
extern bool ts_node_is_named(rsTSNode);
extern bool ts_node_is_missing(rsTSNode);
extern bool ts_node_is_extra(rsTSNode);
extern uint32_t ts_node_descendant_count(rsTSNode);

typedef struct {
	uint16_t sym, field;
	uint8_t flags;
	uint32_t start, end;
	int32_t parent;
} rsRecord;

enum { rsNamed = 1, rsMissing = 2, rsExtra = 4 };

static void rs_fill(rsRecord *r, rsTSNode n, uint16_t field, int32_t parent) {
	r->sym = ts_node_symbol(n);
	r->field = field;
	r->flags = (ts_node_is_named(n) ? rsNamed : 0) | (ts_node_is_missing(n) ? rsMissing : 0) |
		(ts_node_is_extra(n) ? rsExtra : 0);
	r->start = ts_node_start_byte(n);
	r->end = ts_node_end_byte(n);
	r->parent = parent;
}

// rs_snapshot copies the subtree at root in preorder into a malloc'd array
// whose length it stores in *count; NULL when memory runs out or more than
// limit nodes would be copied (then *count is limit + 1). The tree knows
// how many nodes the walk will visit: past the limit it fails at once,
// without the walk, which costs seconds on a file of millions of nodes
// (finding a node's field climbs the balanced hidden nodes of a long list).
static rsRecord *rs_snapshot(rsTSNode root, int32_t limit, int32_t *count) {
	uint32_t total = ts_node_descendant_count(root);
	if (total > (uint32_t)limit) { *count = limit + 1; return NULL; }
	int32_t cap = total > 0 ? (int32_t)total : 1, n = 0, depth = 0, stackCap = 64;
	rsRecord *out = malloc(sizeof(rsRecord) * cap);
	int32_t *stack = malloc(sizeof(int32_t) * stackCap);
	if (!out || !stack) { free(out); free(stack); *count = 0; return NULL; }
	rsTSTreeCursor cur = ts_tree_cursor_new(root);
	rs_fill(&out[n++], root, 0, -1);
	stack[0] = 0;
	for (;;) {
		bool down = ts_tree_cursor_goto_first_child(&cur);
		if (!down) {
			for (;;) {
				if (depth == 0) goto done;
				if (ts_tree_cursor_goto_next_sibling(&cur)) break;
				ts_tree_cursor_goto_parent(&cur);
				depth--;
			}
		} else {
			depth++;
			if (depth >= stackCap) {
				stackCap *= 2;
				int32_t *s = realloc(stack, sizeof(int32_t) * stackCap);
				if (!s) goto fail;
				stack = s;
			}
		}
		if (n >= limit) { n = limit + 1; goto fail; }
		if (n == cap) {
			cap *= 2;
			rsRecord *o = realloc(out, sizeof(rsRecord) * cap);
			if (!o) goto fail;
			out = o;
		}
		rs_fill(&out[n], ts_tree_cursor_current_node(&cur), ts_tree_cursor_current_field_id(&cur), stack[depth - 1]);
		stack[depth] = n;
		n++;
	}
done:
	ts_tree_cursor_delete(&cur);
	free(stack);
	*count = n;
	return out;
fail:
	ts_tree_cursor_delete(&cur);
	free(stack);
	free(out);
	*count = n;
	return NULL;
}

// rs_max_depth returns the depth of the deepest node under root (root is
// 1), stopping once it passes limit.
static int32_t rs_max_depth(rsTSNode root, int32_t limit) {
	rsTSTreeCursor cur = ts_tree_cursor_new(root);
	int32_t depth = 1, max = 1;
	for (;;) {
		if (ts_tree_cursor_goto_first_child(&cur)) {
			if (++depth > max && (max = depth) > limit) break;
			continue;
		}
		while (!ts_tree_cursor_goto_next_sibling(&cur)) {
			if (!ts_tree_cursor_goto_parent(&cur)) goto done;
			depth--;
		}
	}
done:
	ts_tree_cursor_delete(&cur);
	return max;
}
*/
import "C"

import (
	"fmt"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// kinds holds each language's symbol and field names.
var kinds = map[Language]*syntax.Kinds{}

// init reads every grammar's names and registers them, so that stored
// snapshots of any language can be decoded.
func init() {
	for _, l := range Languages {
		g := Grammar(l)
		names := make([]string, g.SymbolCount())
		for i := range names {
			names[i] = g.SymbolName(sitter.Symbol(i))
		}
		var fields []string
		for i := 0; ; i++ {
			name := g.FieldName(i)
			if i > 0 && name == "" {
				break
			}
			fields = append(fields, name)
		}
		kinds[l] = syntax.NewKinds(string(l), names, fields)
		syntax.Register(kinds[l])
	}
}

// Kinds returns the node and field names of lang's grammar.
func Kinds(lang Language) *syntax.Kinds { return kinds[lang] }

// Snapshot copies the subtree at n into a node-free syntax tree that
// outlives the file's tree, with the file's source. It fails when the
// subtree has more than limit nodes.
func (f *File) Snapshot(n *Node, limit int) (*syntax.Tree, error) {
	return f.SnapshotWith(nil, n, limit)
}

// SnapshotWith is Snapshot building the tree with b (syntax.Builder.New),
// in memory of trees handed back to it; nil b allocates it.
func (f *File) SnapshotWith(b *syntax.Builder, n *Node, limit int) (*syntax.Tree, error) {
	if n == nil {
		return nil, fmt.Errorf("no node")
	}
	var count C.int32_t
	recs := C.rs_snapshot(*(*C.rsTSNode)(unsafe.Pointer(n)), C.int32_t(min(limit, 1<<30)), &count)
	if recs == nil {
		if int(count) > limit {
			return nil, fmt.Errorf("more than %d syntax nodes", limit)
		}
		return nil, fmt.Errorf("out of memory copying the syntax tree")
	}
	defer C.free(unsafe.Pointer(recs))
	// rsRecord has syntax.Record's layout (TestRecordLayout); New copies
	// each record into its node, so it reads the C array in place.
	if b == nil {
		b = new(syntax.Builder)
	}
	return b.New(Kinds(f.Lang), f.Src, unsafe.Slice((*syntax.Record)(unsafe.Pointer(recs)), int(count))), nil
}

// MaxDepth returns the depth of the deepest node under root (root is 1),
// stopping early once limit is exceeded. It walks with a tree cursor in one
// call into C.
func MaxDepth(root *Node, limit int) int {
	if root == nil {
		return 0
	}
	return int(C.rs_max_depth(*(*C.rsTSNode)(unsafe.Pointer(root)), C.int32_t(min(limit, 1<<30))))
}

// recordSize and recordOffsets describe the C record, for TestRecordLayout.
func recordSize() uintptr { return unsafe.Sizeof(C.rsRecord{}) }

func recordOffsets() []uintptr {
	var r C.rsRecord
	return []uintptr{unsafe.Offsetof(r.sym), unsafe.Offsetof(r.field), unsafe.Offsetof(r.flags), unsafe.Offsetof(r.start), unsafe.Offsetof(r.end), unsafe.Offsetof(r.parent)}
}
