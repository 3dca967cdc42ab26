package pysrc

// A function's flow is its statements as a tree, next to its call sites:
// what each statement evaluates (a range of Func.Calls), its conditions, what
// it assigns, returns or raises, and the blocks it runs. The model's own
// evaluation reads only the call sites and values; a family that judges
// what holds on the paths to a point (a check before an identity is
// trusted) walks the flow. Only functions have one (not module and class
// bodies). A block's statements are a run of Func.Stmts, each block's
// together, so that a flow is a few arrays.

// A Run is a run of elements of one of a Func's lists: Stmts, Handlers
// or Targets.
type Run struct{ Start, Len int32 }

// Block returns the statements of run r of f's Stmts.
func (f *Func) Block(r Run) []Stmt { return runOf(f.Code().Stmts, r) }

// Clauses returns the blocks of run r of f's Handlers.
func (f *Func) Clauses(r Run) []Run { return runOf(f.Code().Handlers, r) }

// Assigned returns the targets of run r of f's Targets.
func (f *Func) Assigned(r Run) []Target { return runOf(f.Code().Targets, r) }

func runOf[T any](list []T, r Run) []T {
	if r.Len <= 0 || r.Start < 0 || int(r.Start+r.Len) > len(list) {
		return nil
	}
	return list[r.Start : r.Start+r.Len]
}

// StmtKind says what a statement of a flow is.
type StmtKind uint8

// The kinds of statements.
const (
	// StmtExpr evaluates its calls and nothing else (an expression
	// statement, del, a nested definition's decorators).
	StmtExpr StmtKind = iota + 1
	// StmtAssign assigns Value to Targets.
	StmtAssign
	// StmtReturn returns Value; Const says what a literal returned is.
	StmtReturn
	// StmtRaise raises.
	StmtRaise
	// StmtIf runs Body when Cond holds, else Else; an elif is the one
	// StmtIf of its Else, with Elif set.
	StmtIf
	// StmtFor binds Targets to what Value iterates and runs Body, then
	// Else.
	StmtFor
	// StmtWhile runs Body while Cond holds, then Else.
	StmtWhile
	// StmtTry runs Body, one of Handlers when it raised, else Else, then
	// Finally.
	StmtTry
	// StmtWith evaluates its items (its calls) and runs Body.
	StmtWith
	// StmtMatch evaluates its subject and runs one of Handlers, the
	// cases' bodies.
	StmtMatch
	// StmtAssert raises unless Cond holds.
	StmtAssert
	// StmtBreak and StmtContinue leave a loop's body.
	StmtBreak
	StmtContinue
	// StmtDef is a nested function or class definition: its calls are
	// its decorators'.
	StmtDef
)

// Singleton says what literal constant an expression is.
type Singleton uint8

// The literal constants.
const (
	SingletonNone Singleton = iota + 1
	SingletonTrue
	SingletonFalse
)

// A Stmt is one statement of a flow.
type Stmt struct {
	Kind StmtKind
	// Const is what a return returns when that is a literal constant
	// (SingletonNone for a bare return).
	Const Singleton
	Elif  bool
	// From and To are the call sites the statement itself evaluates,
	// Func.Calls[From:To]: its expressions (an if's or a while's condition, a
	// for's iterable, a with's items, a match's subject), not its blocks'.
	From, To int32
	// Cond is the index in Func.Conds of an if's, a while's or an
	// assert's condition.
	Cond int32
	// Body, Else and Finally are blocks (runs of Func.Stmts); Handlers
	// is a run of Func.Handlers, a try's except clauses or a match's
	// cases; Targets a run of Func.Targets.
	Body, Else, Finally, Handlers, Targets Run
	Value                                  Value
	Span                                   Span
}

// TargetKind says what an assignment assigns to.
type TargetKind uint8

// The kinds of assignment targets.
const (
	// TargetName binds Name.
	TargetName TargetKind = iota + 1
	// TargetAttr assigns attribute Name of Obj.
	TargetAttr
	// TargetIndex assigns Obj[Name] (a string literal key) or Obj[Key].
	TargetIndex
	// TargetOther is an unpacking (a, b = ...) or anything else.
	TargetOther
)

// A Target is what one assignment assigns to. A name is no target of
// a flow: what it is bound to is in the values that read it.
type Target struct {
	Kind TargetKind
	Obj  Value
	Name string
	Key  Value
	Span Span
}

// CondKind says what a condition is.
type CondKind uint8

// The kinds of conditions.
const (
	// CondTruth is the truth of Operands[0].
	CondTruth CondKind = iota + 1
	// CondNot, CondAnd and CondOr combine the conditions Kids.
	CondNot
	CondAnd
	CondOr
	// CondCompare compares Operands with Op ("==", "not in", "is not"; a
	// chained comparison has more than two operands and its first Op).
	CondCompare
)

// A Cond is a condition as written: a comparison, a truth test, and not,
// and, or over conditions. A condition used as a value (ok = x == y) is
// an atom rooted at it (RootCond).
type Cond struct {
	Kind     CondKind
	Op       string
	Kids     []int32
	Operands []Operand
	Span     Span
}

// An Operand is one side of a comparison, or the value a truth test
// tests.
type Operand struct {
	Value Value
	// Lits are the strings of a string literal, or of a tuple, list or
	// set of string literals (Literal is set for either); Const a literal
	// None, True or False.
	Lits    []string
	Literal bool
	Const   Singleton
	Span    Span
}
