// Package syntax holds node-free copies of syntax trees: a Tree is a flat
// array of nodes in preorder, made by source.File.Snapshot from a
// tree-sitter tree in one pass, that outlives the file's tree, can be read
// from any goroutine, and can be stored. Its Node has the navigation
// methods of tree-sitter's node (Type, ChildByFieldName, NamedChild,
// Parent, …), so that code written against trees reads snapshots the same
// way, at a fraction of the cost of a tree-sitter node: a Node is the
// tree and an index in its array, never an allocation, and no method
// calls into C.
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
	nodes []node
	// depth is the depth of the deepest node (the root's is 1).
	depth int
}

// node is one node of a tree's array: its record and its links. It holds
// no pointer, so that the collector never scans a tree's nodes (a C
// file's tree is kept until the models are built, and a tree's nodes
// are most of its memory).
type node struct {
	rec Record
	// next is the next sibling's index (-1 for none), last the index of
	// the subtree's last node; kids and named count children.
	next, last  int32
	kids, named uint32
}

// A Node is one node of a Tree: the tree and the node's index. The zero
// Node is no node (IsNull); its methods return zero values, so
// navigation chains need no checks. Nodes of one tree compare equal when
// they are the same node.
type Node struct {
	t *Tree
	i int32
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
	// nodes is the memory of the last tree handed back.
	nodes []node
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
		t.nodes = make([]node, len(recs))
	}
	if cap(b.lastChild) < len(recs) {
		b.lastChild, b.depth = make([]int32, len(recs)), make([]int32, len(recs))
	}
	lastChild, depth := b.lastChild[:len(recs)], b.depth[:len(recs)]
	for i, r := range recs {
		n := &t.nodes[i]
		*n = node{rec: r, next: -1, last: int32(i)}
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
// left empty, and its nodes are those of a next tree.
func (b *Builder) Reuse(t *Tree) {
	if t == nil {
		return
	}
	nodes := t.nodes
	t.nodes, t.depth = nil, 0
	if cap(nodes) == 0 || cap(nodes) > maxReused {
		return // an empty tree, or one handed back already, keeps b's
	}
	b.nodes = nodes[:0]
}

// Root returns the tree's first node, the zero Node for an empty tree.
func (t *Tree) Root() Node {
	if t == nil || len(t.nodes) == 0 {
		return Node{}
	}
	return Node{t: t}
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

// node returns n's element of its tree's array; n is not the zero Node.
func (n Node) node() *node { return &n.t.nodes[n.i] }

// at returns the node of n's tree at index i, the zero Node when there is
// none.
func (n Node) at(i int32) Node {
	if i < 0 || int(i) >= len(n.t.nodes) {
		return Node{}
	}
	return Node{t: n.t, i: i}
}

// IsNull reports whether n is the zero Node: no node.
func (n Node) IsNull() bool { return n.t == nil }

// Type returns the node's type ("call_expression"), "" for no node.
func (n Node) Type() string {
	if n.t == nil {
		return ""
	}
	return n.t.kinds.Name(n.node().rec.Sym)
}

// Tree returns the tree the node belongs to.
func (n Node) Tree() *Tree { return n.t }

// StartByte and EndByte return the node's byte range in the file.
func (n Node) StartByte() uint32 {
	if n.t == nil {
		return 0
	}
	return n.node().rec.Start
}

// EndByte returns the byte offset just past the node.
func (n Node) EndByte() uint32 {
	if n.t == nil {
		return 0
	}
	return n.node().rec.End
}

// Text returns the node's source text.
func (n Node) Text() string {
	if n.t == nil {
		return ""
	}
	r := &n.node().rec
	if int(r.End) > len(n.t.src) || r.Start > r.End {
		return ""
	}
	return string(n.t.src[r.Start:r.End])
}

// flags returns the node's flags, none for no node.
func (n Node) flags() uint8 {
	if n.t == nil {
		return 0
	}
	return n.node().rec.Flags
}

// IsNamed reports whether the node is named (not punctuation or a keyword).
func (n Node) IsNamed() bool { return n.flags()&FlagNamed != 0 }

// IsMissing reports whether the parser inserted the node to recover.
func (n Node) IsMissing() bool { return n.flags()&FlagMissing != 0 }

// IsExtra reports whether the node is an extra, such as a comment.
func (n Node) IsExtra() bool { return n.flags()&FlagExtra != 0 }

// IsError reports whether the node is an ERROR node.
func (n Node) IsError() bool { return n.t != nil && n.node().rec.Sym == errorSym }

// HasError reports whether the subtree holds an ERROR or MISSING node.
func (n Node) HasError() bool { return n.flags()&FlagHasError != 0 }

// Parent returns the parent node, the zero Node for the root of the
// snapshot.
func (n Node) Parent() Node {
	if n.t == nil {
		return Node{}
	}
	return n.at(n.node().rec.Parent)
}

// ChildCount returns the number of children, named or not.
func (n Node) ChildCount() uint32 {
	if n.t == nil {
		return 0
	}
	return n.node().kids
}

// NamedChildCount returns the number of named children.
func (n Node) NamedChildCount() uint32 {
	if n.t == nil {
		return 0
	}
	return n.node().named
}

// FirstChild returns the first child, the zero Node for a leaf.
func (n Node) FirstChild() Node {
	if n.t == nil || n.node().kids == 0 {
		return Node{}
	}
	return n.at(n.i + 1)
}

// NextSibling returns the next child of the same parent, the zero Node
// for the last.
func (n Node) NextSibling() Node {
	if n.t == nil {
		return Node{}
	}
	return n.at(n.node().next)
}

// NextNamedSibling returns the next named child of the same parent.
func (n Node) NextNamedSibling() Node {
	for s := n.NextSibling(); s.t != nil; s = s.NextSibling() {
		if s.IsNamed() {
			return s
		}
	}
	return Node{}
}

// PrevSibling returns the previous child of the same parent, the zero
// Node for the first.
func (n Node) PrevSibling() Node {
	var prev Node
	for c := n.Parent().FirstChild(); c.t != nil && c != n; c = c.NextSibling() {
		prev = c
	}
	return prev
}

// PrevNamedSibling returns the previous named child of the same parent.
func (n Node) PrevNamedSibling() Node {
	var prev Node
	for c := n.Parent().FirstChild(); c.t != nil && c != n; c = c.NextSibling() {
		if c.IsNamed() {
			prev = c
		}
	}
	return prev
}

// Child returns the i-th child, the zero Node when out of range.
func (n Node) Child(i int) Node {
	if i < 0 || i >= int(n.ChildCount()) {
		return Node{}
	}
	c := n.FirstChild()
	for ; i > 0 && c.t != nil; i-- {
		c = c.NextSibling()
	}
	return c
}

// NamedChild returns the i-th named child, the zero Node when out of
// range.
func (n Node) NamedChild(i int) Node {
	if i < 0 || i >= int(n.NamedChildCount()) {
		return Node{}
	}
	for c := n.FirstChild(); c.t != nil; c = c.NextSibling() {
		if c.IsNamed() {
			if i == 0 {
				return c
			}
			i--
		}
	}
	return Node{}
}

// Children returns the children, named or not.
func (n Node) Children() []Node {
	out := make([]Node, 0, n.ChildCount())
	for c := n.FirstChild(); c.t != nil; c = c.NextSibling() {
		out = append(out, c)
	}
	return out
}

// NamedChildren returns the named children.
func (n Node) NamedChildren() []Node {
	out := make([]Node, 0, n.NamedChildCount())
	for c := n.FirstChild(); c.t != nil; c = c.NextSibling() {
		if c.IsNamed() {
			out = append(out, c)
		}
	}
	return out
}

// FieldName returns the name of the field the node fills in its parent.
func (n Node) FieldName() string {
	if n.t == nil {
		return ""
	}
	return n.t.kinds.Field(n.node().rec.Field)
}

// FieldNameForChild returns the field name of the i-th child.
func (n Node) FieldNameForChild(i int) string { return n.Child(i).FieldName() }

// ChildByFieldName returns the first child that fills field name.
func (n Node) ChildByFieldName(name string) Node {
	if n.t == nil {
		return Node{}
	}
	id := n.t.kinds.FieldID(name)
	if id == 0 {
		return Node{}
	}
	for c := n.FirstChild(); c.t != nil; c = c.NextSibling() {
		if c.node().rec.Field == id {
			return c
		}
	}
	return Node{}
}

// ChildrenByFieldName returns every child that fills field name.
func (n Node) ChildrenByFieldName(name string) []Node {
	if n.t == nil {
		return nil
	}
	id := n.t.kinds.FieldID(name)
	var out []Node
	for c := n.FirstChild(); c.t != nil && id != 0; c = c.NextSibling() {
		if c.node().rec.Field == id {
			out = append(out, c)
		}
	}
	return out
}

// Walk calls visit on n and its descendants in preorder; when visit
// returns false the node's descendants are skipped. It never recurses, so
// deep trees cost no stack.
func (n Node) Walk(visit func(Node) bool) {
	if n.t == nil {
		return
	}
	nodes := n.t.nodes
	for i, end := n.i, nodes[n.i].last; i <= end; {
		if visit(Node{t: n.t, i: i}) {
			i++
		} else {
			i = nodes[i].last + 1
		}
	}
}

// Holds reports whether n or a node of its subtree is of type typ.
func (n Node) Holds(typ string) bool {
	found := false
	n.Walk(func(c Node) bool {
		found = found || c.Type() == typ
		return !found
	})
	return found
}

// Contains reports whether m lies in n's subtree (n itself included).
func (n Node) Contains(m Node) bool {
	if n.t == nil || n.t != m.t {
		return false
	}
	return m.i >= n.i && m.i <= n.node().last
}
