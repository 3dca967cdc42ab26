package source

/*
#include <stdint.h>

// The binding's C types, with the layout of tree-sitter's api.h (ABI 14).
// The binding's own Tree.Edit passes the old end point as the new one.
typedef struct { uint32_t context[4]; const void *id; const void *tree; } rsEditNode;
typedef struct { uint32_t row; uint32_t column; } rsEditPoint;
typedef struct {
	uint32_t start_byte, old_end_byte, new_end_byte;
	rsEditPoint start_point, old_end_point, new_end_point;
} rsInputEdit;

extern void ts_tree_edit(void *tree, const rsInputEdit *edit);

// rs_edit tells the tree of root that the bytes [start, end) were
// replaced by as many bytes.
static void rs_edit(rsEditNode root, uint32_t start, uint32_t end, rsEditPoint at, rsEditPoint oldEnd, rsEditPoint newEnd) {
	rsInputEdit e = {start, end, end, at, oldEnd, newEnd};
	ts_tree_edit((void *)root.tree, &e);
}
*/
import "C"

import (
	"bytes"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

// Reparse parses src, f's source with some bytes replaced by as many (so
// that every offset is kept), as a new file of f's path and language.
// Tree-sitter reuses what f's tree parsed outside the replaced bytes
// (incremental parsing), at a fraction of the cost of a parse of src
// alone, and gives the same tree but, rarely, around syntax errors, where
// its recovery may take another path; f's tree is left as it was. A
// Python file, or one with old Mac line endings, whose parser reads other
// bytes than its source (pythonInput, crInput), is parsed anew.
func (p *Parser) Reparse(f *File, src []byte) (*File, error) {
	g := NewFile(f.Path, f.Lang, src)
	if f.tree == nil || len(src) != len(f.Src) || f.Lang == Python || HasLoneCR(f.Src) || HasLoneCR(src) {
		return g, p.Parse(g)
	}
	old := f.tree.Copy()
	defer old.Close()
	edit(old, f.Src, src)
	return g, p.parse(g, old)
}

// edit tells old, the tree of before, which runs of bytes after replaced,
// first to last.
func edit(old *sitter.Tree, before, after []byte) {
	root := *(*C.rsEditNode)(unsafe.Pointer(old.RootNode()))
	var at C.rsEditPoint // where after[done:] starts
	done := 0
	for off := 0; off < len(after); off++ {
		if after[off] == before[off] {
			continue
		}
		end := off + 1
		for end < len(after) && after[end] != before[end] {
			end++
		}
		start := advance(at, after[done:off])
		at = advance(start, after[off:end])
		C.rs_edit(root, C.uint32_t(off), C.uint32_t(end), start, advance(start, before[off:end]), at)
		done, off = end, end
	}
}

// advance returns the point after text, which starts at p.
func advance(p C.rsEditPoint, text []byte) C.rsEditPoint {
	n := bytes.Count(text, []byte{'\n'})
	if n == 0 {
		p.column += C.uint32_t(len(text))
		return p
	}
	p.row += C.uint32_t(n)
	p.column = C.uint32_t(len(text) - bytes.LastIndexByte(text, '\n') - 1)
	return p
}
