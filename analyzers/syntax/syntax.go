// Package syntax holds node-free copies of syntax trees: a Tree is a flat
// array of nodes in preorder, made by source.File.Snapshot from a
// tree-sitter tree in one pass, that outlives the file's tree, can be read
// from any goroutine, and can be stored. Its Node has the navigation
// methods of tree-sitter's node (Type, ChildByFieldName, NamedChild,
// Parent, …), so that code written against trees reads snapshots the same
// way, at a fraction of the cost of a tree-sitter node: a Node is an
// element of the tree's array, never an allocation, and no method calls
// into C.
package syntax

// Kinds are one grammar's node and field names, by symbol and field id.
type Kinds struct {
	// Language is the grammar's language name ("python", "c").
	Language string
	names    []string
	fields   []string
	fieldIDs map[string]uint16
}

// NewKinds returns the kinds of a grammar: names[sym] is the node type of
// symbol sym, fields[id] the name of field id (fields[0] is "").
func NewKinds(lang string, names, fields []string) *Kinds {
	k := &Kinds{Language: lang, names: names, fields: fields, fieldIDs: map[string]uint16{}}
	for i, f := range fields {
		if i > 0 && f != "" {
			k.fieldIDs[f] = uint16(i)
		}
	}
	return k
}

// Name returns the node type of symbol sym, "" when it is unknown.
func (k *Kinds) Name(sym uint16) string {
	if int(sym) < len(k.names) {
		return k.names[sym]
	}
	if sym == errorSym {
		return "ERROR"
	}
	return ""
}

// Field returns the name of field id, "" for none.
func (k *Kinds) Field(id uint16) string {
	if int(id) < len(k.fields) {
		return k.fields[id]
	}
	return ""
}

// FieldID returns the id of the field named name, 0 when the grammar has
// no such field.
func (k *Kinds) FieldID(name string) uint16 { return k.fieldIDs[name] }

// Flags of a Record.
const (
	FlagNamed    = 1 << iota // a named node
	FlagMissing              // inserted by the parser to recover
	FlagExtra                // a comment or other extra
	FlagHasError             // the subtree holds an ERROR or MISSING node (set by New)
)

// errorSym is tree-sitter's symbol of ERROR nodes.
const errorSym = 0xFFFF

// A Record is one node as copied from the parser: its symbol, the field it
// fills in its parent, flags, byte range and its parent's index (-1 for
// the root).
type Record struct {
	Sym, Field uint16
	Flags      uint8
	Start, End uint32
	Parent     int32
}

// A Tree is a snapshot of a subtree of a file: its nodes in preorder and
// the file's source.
type Tree struct {
	kinds *Kinds
	src   []byte
	nodes []Node
	// depth is the depth of the deepest node (the root's is 1).
	depth int
}

// A Node is one node of a Tree. Its methods accept a nil receiver and
// return zero values, so navigation chains need no nil checks.
type Node struct {
	t   *Tree
	rec Record
	// idx is the node's own index, next the next sibling's (-1 for
	// none), last the index of the subtree's last node; kids and named
	// count children.
	idx, next, last int32
	kids, named     uint32
}

// New builds a tree from records in preorder (each record's Parent earlier
// than itself) over src, the whole file's source.
func New(kinds *Kinds, src []byte, recs []Record) *Tree {
	var b Builder
	return b.New(kinds, src, recs)
}

// A Builder builds trees in the memory of the trees handed back to it
// (Reuse): a worker that snapshots file after file and lets each snapshot
// go allocates its nodes once for files of about the same size. Its zero
// value is ready; it is not safe for concurrent use.
type Builder struct {
	// nodes is the memory of the last tree handed back, all zero.
	nodes []Node
	// lastChild and depth are scratch space, by node: the last child
	// seen, the node's depth.
	lastChild, depth []int32
}

// maxReused bounds the nodes a Builder keeps for the next tree: the
// memory of a bigger tree goes back to the heap.
const maxReused = 1 << 16

// New is the package's New, building the tree in the memory handed back
// to b when the tree fills at least half of it: a tree that is kept (a C
// part's) holds no more than twice its nodes.
func (b *Builder) New(kinds *Kinds, src []byte, recs []Record) *Tree {
	t := &Tree{kinds: kinds, src: src}
	if n := cap(b.nodes); len(recs) <= n && 2*len(recs) >= n {
		t.nodes, b.nodes = b.nodes[:len(recs)], nil
	} else {
		t.nodes = make([]Node, len(recs))
	}
	if cap(b.lastChild) < len(recs) {
		b.lastChild, b.depth = make([]int32, len(recs)), make([]int32, len(recs))
	}
	lastChild, depth := b.lastChild[:len(recs)], b.depth[:len(recs)]
	for i, r := range recs {
		n := &t.nodes[i]
		*n = Node{t: t, rec: r, idx: int32(i), next: -1, last: int32(i)}
		lastChild[i], depth[i] = -1, 1
		if p := r.Parent; p >= 0 && int(p) < i {
			if c := lastChild[p]; c >= 0 {
				t.nodes[c].next = int32(i)
			}
			lastChild[p] = int32(i)
			t.nodes[p].kids++
			if r.Flags&FlagNamed != 0 {
				t.nodes[p].named++
			}
			depth[i] = depth[p] + 1
		} else {
			n.rec.Parent = -1
		}
		t.depth = max(t.depth, int(depth[i]))
	}
	if cap(b.lastChild) > maxReused {
		b.lastChild, b.depth = nil, nil
	}
	for i := len(t.nodes) - 1; i >= 0; i-- {
		n := &t.nodes[i]
		if n.rec.Sym == errorSym || n.rec.Flags&FlagMissing != 0 {
			n.rec.Flags |= FlagHasError
		}
		if p := n.rec.Parent; p >= 0 {
			if n.last > t.nodes[p].last {
				t.nodes[p].last = n.last
			}
			t.nodes[p].rec.Flags |= n.rec.Flags & FlagHasError
		}
	}
	return t
}

// Reuse hands t's memory back to b for the next tree it builds, in place
// of what b held: files come largest first, so the last tree's memory
// fits the next best. Nothing may use t or its nodes afterwards: t is
// left empty, and the nodes are those of a next tree.
func (b *Builder) Reuse(t *Tree) {
	if t == nil {
		return
	}
	nodes := t.nodes
	t.nodes, t.depth = nil, 0
	if cap(nodes) == 0 || cap(nodes) > maxReused {
		return // an empty tree, or one handed back already, keeps b's
	}
	// The nodes point at t, which holds its file's source: they are
	// cleared, so that the source goes when the file is done. Past them
	// the memory is still zero, as New found it.
	clear(nodes)
	b.nodes = nodes[:0]
}

// Root returns the tree's first node, nil for an empty tree.
func (t *Tree) Root() *Node {
	if t == nil || len(t.nodes) == 0 {
		return nil
	}
	return &t.nodes[0]
}

// Src returns the source of the file the tree was copied from.
func (t *Tree) Src() []byte { return t.src }

// Kinds returns the tree's grammar names.
func (t *Tree) Kinds() *Kinds { return t.kinds }

// Depth returns the depth of the tree's deepest node, the root's being 1
// (source.MaxDepth's measure), 0 for an empty tree.
func (t *Tree) Depth() int { return t.depth }

// Len returns the number of nodes.
func (t *Tree) Len() int { return len(t.nodes) }

// Records returns the tree's records in preorder, for storing it.
func (t *Tree) Records() []Record {
	out := make([]Record, len(t.nodes))
	for i := range t.nodes {
		out[i] = t.nodes[i].rec
	}
	return out
}

func (n *Node) at(i int32) *Node {
	if i < 0 || int(i) >= len(n.t.nodes) {
		return nil
	}
	return &n.t.nodes[i]
}

// Type returns the node's type ("call_expression"), "" for nil.
func (n *Node) Type() string {
	if n == nil {
		return ""
	}
	return n.t.kinds.Name(n.rec.Sym)
}

// Tree returns the tree the node belongs to.
func (n *Node) Tree() *Tree {
	if n == nil {
		return nil
	}
	return n.t
}

// StartByte and EndByte return the node's byte range in the file.
func (n *Node) StartByte() uint32 {
	if n == nil {
		return 0
	}
	return n.rec.Start
}

// EndByte returns the byte offset just past the node.
func (n *Node) EndByte() uint32 {
	if n == nil {
		return 0
	}
	return n.rec.End
}

// Text returns the node's source text.
func (n *Node) Text() string {
	if n == nil || int(n.rec.End) > len(n.t.src) || n.rec.Start > n.rec.End {
		return ""
	}
	return string(n.t.src[n.rec.Start:n.rec.End])
}

// IsNamed reports whether the node is named (not punctuation or a keyword).
func (n *Node) IsNamed() bool { return n != nil && n.rec.Flags&FlagNamed != 0 }

// IsMissing reports whether the parser inserted the node to recover.
func (n *Node) IsMissing() bool { return n != nil && n.rec.Flags&FlagMissing != 0 }

// IsExtra reports whether the node is an extra, such as a comment.
func (n *Node) IsExtra() bool { return n != nil && n.rec.Flags&FlagExtra != 0 }

// IsError reports whether the node is an ERROR node.
func (n *Node) IsError() bool { return n != nil && n.Type() == "ERROR" }

// HasError reports whether the subtree holds an ERROR or MISSING node.
func (n *Node) HasError() bool { return n != nil && n.rec.Flags&FlagHasError != 0 }

// Parent returns the parent node, nil for the root of the snapshot.
func (n *Node) Parent() *Node {
	if n == nil {
		return nil
	}
	return n.at(n.rec.Parent)
}

// ChildCount returns the number of children, named or not.
func (n *Node) ChildCount() uint32 {
	if n == nil {
		return 0
	}
	return n.kids
}

// NamedChildCount returns the number of named children.
func (n *Node) NamedChildCount() uint32 {
	if n == nil {
		return 0
	}
	return n.named
}

// FirstChild returns the first child, nil for a leaf.
func (n *Node) FirstChild() *Node {
	if n == nil || n.kids == 0 {
		return nil
	}
	return n.at(n.idx + 1)
}

// NextSibling returns the next child of the same parent, nil for the last.
func (n *Node) NextSibling() *Node {
	if n == nil {
		return nil
	}
	return n.at(n.next)
}

// NextNamedSibling returns the next named child of the same parent.
func (n *Node) NextNamedSibling() *Node {
	for s := n.NextSibling(); s != nil; s = s.NextSibling() {
		if s.IsNamed() {
			return s
		}
	}
	return nil
}

// PrevSibling returns the previous child of the same parent, nil for the
// first.
func (n *Node) PrevSibling() *Node {
	var prev *Node
	for c := n.Parent().FirstChild(); c != nil && c != n; c = c.NextSibling() {
		prev = c
	}
	return prev
}

// PrevNamedSibling returns the previous named child of the same parent.
func (n *Node) PrevNamedSibling() *Node {
	var prev *Node
	for c := n.Parent().FirstChild(); c != nil && c != n; c = c.NextSibling() {
		if c.IsNamed() {
			prev = c
		}
	}
	return prev
}

// Child returns the i-th child, nil when out of range.
func (n *Node) Child(i int) *Node {
	if n == nil || i < 0 || i >= int(n.kids) {
		return nil
	}
	c := n.FirstChild()
	for ; i > 0 && c != nil; i-- {
		c = c.NextSibling()
	}
	return c
}

// NamedChild returns the i-th named child, nil when out of range.
func (n *Node) NamedChild(i int) *Node {
	if n == nil || i < 0 || i >= int(n.named) {
		return nil
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.IsNamed() {
			if i == 0 {
				return c
			}
			i--
		}
	}
	return nil
}

// Children returns the children, named or not.
func (n *Node) Children() []*Node {
	out := make([]*Node, 0, n.ChildCount())
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		out = append(out, c)
	}
	return out
}

// NamedChildren returns the named children.
func (n *Node) NamedChildren() []*Node {
	out := make([]*Node, 0, n.NamedChildCount())
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.IsNamed() {
			out = append(out, c)
		}
	}
	return out
}

// FieldName returns the name of the field the node fills in its parent.
func (n *Node) FieldName() string {
	if n == nil {
		return ""
	}
	return n.t.kinds.Field(n.rec.Field)
}

// FieldNameForChild returns the field name of the i-th child.
func (n *Node) FieldNameForChild(i int) string { return n.Child(i).FieldName() }

// ChildByFieldName returns the first child that fills field name.
func (n *Node) ChildByFieldName(name string) *Node {
	if n == nil {
		return nil
	}
	id := n.t.kinds.FieldID(name)
	if id == 0 {
		return nil
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.rec.Field == id {
			return c
		}
	}
	return nil
}

// ChildrenByFieldName returns every child that fills field name.
func (n *Node) ChildrenByFieldName(name string) []*Node {
	if n == nil {
		return nil
	}
	id := n.t.kinds.FieldID(name)
	var out []*Node
	for c := n.FirstChild(); c != nil && id != 0; c = c.NextSibling() {
		if c.rec.Field == id {
			out = append(out, c)
		}
	}
	return out
}

// Walk calls visit on n and its descendants in preorder; when visit
// returns false the node's descendants are skipped. It never recurses, so
// deep trees cost no stack.
func (n *Node) Walk(visit func(*Node) bool) {
	if n == nil {
		return
	}
	nodes := n.t.nodes
	for i, end := n.idx, n.last; i <= end; {
		c := &nodes[i]
		if visit(c) {
			i++
		} else {
			i = c.last + 1
		}
	}
}

// Holds reports whether n or a node of its subtree is of type typ.
func (n *Node) Holds(typ string) bool {
	found := false
	n.Walk(func(c *Node) bool {
		found = found || c.Type() == typ
		return !found
	})
	return found
}

// Contains reports whether m lies in n's subtree (n itself included).
func (n *Node) Contains(m *Node) bool {
	if n == nil || m == nil || n.t != m.t {
		return false
	}
	i := m.idx
	return i >= n.idx && i <= n.last
}
