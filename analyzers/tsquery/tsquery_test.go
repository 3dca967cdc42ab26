package tsquery

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/residue-sec/residue/analyzers/source"
)

const pySrc = `import logging
logger = logging.getLogger(__name__)
logger.info(request.body)
logger.debug(request.body)
logger.warning("x")
print(a, b, c)
`

func parse(t testing.TB, lang source.Language, src string) *source.File {
	t.Helper()
	f := source.NewFile("x", lang, []byte(src))
	p := source.NewParser(time.Second)
	t.Cleanup(p.Close)
	if err := p.Parse(f); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// texts runs q over src and returns "source:pattern:@name=text" for every capture.
func texts(t *testing.T, q *Query, f *source.File) []string {
	t.Helper()
	c := NewCursor()
	defer c.Close()
	var out []string
	err := q.Run(c, f, Limits{}, func(src int, m Match) {
		var parts []string
		for _, cp := range m.Captures {
			parts = append(parts, cp.Name+"="+f.Text(cp.Node))
		}
		out = append(out, strings.Join(parts, " "))
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPredicates(t *testing.T) {
	f := parse(t, source.Python, pySrc)
	cases := []struct {
		name, query string
		want        []string
	}{
		{"eq", `(call function: (attribute attribute: (identifier) @m) (#eq? @m "info"))`, []string{"m=info"}},
		{"not-eq", `(call function: (attribute attribute: (identifier) @m) (#not-eq? @m "info"))`, []string{"m=getLogger", "m=debug", "m=warning"}},
		{"match", `(call function: (attribute attribute: (identifier) @m) (#match? @m "^(debug|warning)$"))`, []string{"m=debug", "m=warning"}},
		{"not-match", `(call function: (attribute attribute: (identifier) @m) (#not-match? @m "^d"))`, []string{"m=getLogger", "m=info", "m=warning"}},
		// The binding ignores #any-of?; residue must filter.
		{"any-of", `(call function: (attribute attribute: (identifier) @m) (#any-of? @m "info" "warning"))`, []string{"m=info", "m=warning"}},
		{"not-any-of", `(call function: (attribute attribute: (identifier) @m) (#not-any-of? @m "info" "warning"))`, []string{"m=getLogger", "m=debug"}},
		{"eq captures", `((assignment left: (identifier) @a right: (call function: (attribute object: (identifier) @b))) (#eq? @a @b))`, nil},
		{"not-eq captures", `((assignment left: (identifier) @a right: (call function: (attribute object: (identifier) @b))) (#not-eq? @a @b))`, []string{"a=logger b=logging"}},
		// Quantified captures: plain predicates need every node, any- one.
		{"all match", `((call function: (identifier) @f arguments: (argument_list ((identifier) @arg ","?)+)) (#match? @arg "^[ab]$"))`, nil},
		{"any-match", `((call function: (identifier) @f arguments: (argument_list ((identifier) @arg ","?)+)) (#any-match? @arg "^c$"))`, []string{"f=print arg=a arg=b arg=c"}},
		{"any-eq", `((call function: (identifier) @f arguments: (argument_list ((identifier) @arg ","?)+)) (#any-eq? @arg "b"))`, []string{"f=print arg=a arg=b arg=c"}},
		{"any-not-eq", `((call function: (identifier) @f arguments: (argument_list ((identifier) @arg ","?)+)) (#any-not-eq? @arg "a"))`, []string{"f=print arg=a arg=b arg=c"}},
		{"any-not-match none", `((call function: (identifier) @f arguments: (argument_list ((identifier) @arg ","?)+)) (#any-not-match? @arg "^[abc]$"))`, nil},
		// A predicate on an absent optional capture passes.
		{"absent capture", `((expression_statement (call function: (attribute attribute: (identifier) @m) arguments: (argument_list (string)? @s))) (#eq? @s "nope") (#eq? @m "info"))`, []string{"m=info"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Compile(source.Python, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			defer q.Close()
			got := texts(t, q, f)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSourcesShareOnePass(t *testing.T) {
	f := parse(t, source.Python, pySrc)
	q, err := Compile(source.Python,
		`(call function: (identifier) @print (#eq? @print "print"))`,
		"(string) @s\n(call function: (attribute attribute: (identifier) @m) (#eq? @m \"debug\"))")
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	c := NewCursor()
	defer c.Close()
	var got []string
	if err := q.Run(c, f, Limits{}, func(src int, m Match) {
		got = append(got, strings.Join([]string{string(rune('0' + src)), string(rune('0' + m.Pattern)), f.Text(m.Captures[0].Node)}, ":"))
	}); err != nil {
		t.Fatal(err)
	}
	want := `1:1:debug|1:0:"x"|0:0:print`
	if strings.Join(got, "|") != want {
		t.Errorf("got %q, want %q", strings.Join(got, "|"), want)
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct{ query, want string }{
		{"(call)\n  (no_such_node) @x", "2:4: unknown node type \"no_such_node\""},
		{"(call nosuchfield: (identifier))", "1:7: unknown field \"nosuchfield\""},
		{"(call", "syntax error"},
		{"((identifier) @i (#contains? @i \"log\"))", "1:19: #contains?: unsupported predicate"},
		{"((identifier) @i\n (#match? @i \"(?!x)\"))", "2:3: #match?: bad regular expression"},
		{"((identifier) @i (#eq? @i))", "wrong number of arguments to `#eq?`"},
		{"((identifier) @i (#set! foo bar))", "unsupported predicate"},
		{"   ", "empty query"},
		// Nested deeper than tree-sitter's query compiler recurses safely
		// (a hundred thousand levels crashed it); brackets in strings and
		// comments do not count.
		{strings.Repeat("(call ", 100_000) + strings.Repeat(")", 100_000), "1:1537: query nested deeper than 256 levels"},
	}
	for _, tc := range cases {
		_, err := Compile(source.Python, "(identifier) @ok", tc.query)
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("%.80q: got %v, want *Error", tc.query, err)
			continue
		}
		if qe.Source != 1 || !strings.Contains(qe.Error(), tc.want) {
			t.Errorf("%.80q: got source %d %q, want source 1 containing %q", tc.query, qe.Source, qe.Error(), tc.want)
		}
	}
}

func TestLimits(t *testing.T) {
	f := parse(t, source.Python, strings.Repeat("x = 1\n", 500))
	q, err := Compile(source.Python, "(identifier) @i", "(integer) @n")
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	c := NewCursor()
	defer c.Close()
	counts := [2]int{}
	err = q.Run(c, f, Limits{MaxMatches: 10}, func(src int, m Match) { counts[src]++ })
	if !errors.Is(err, ErrMatchLimit) || counts != [2]int{10, 10} {
		t.Errorf("match cap: err %v counts %v, want ErrMatchLimit and 10 each", err, counts)
	}
	counts = [2]int{}
	err = q.Run(c, f, Limits{MaxMatches: 10, MaxSteps: 21}, func(src int, m Match) { counts[src]++ })
	if !errors.Is(err, ErrMatchLimit) || counts != [2]int{10, 10} {
		t.Errorf("every source capped: err %v counts %v, want ErrMatchLimit at the 21st match, before the step cap", err, counts)
	}
	counts = [2]int{}
	err = q.Run(c, f, Limits{MaxMatches: 300, MaxSteps: 100}, func(src int, m Match) { counts[src]++ })
	if !errors.Is(err, ErrStepLimit) || counts[0]+counts[1] != 100 {
		t.Errorf("step cap: err %v counts %v, want ErrStepLimit after 100", err, counts)
	}
	counts = [2]int{}
	err = q.Run(c, f, Limits{MaxSteps: 7}, func(src int, m Match) { counts[src]++ })
	if !errors.Is(err, ErrStepLimit) || counts[0]+counts[1] != 7 {
		t.Errorf("step cap: err %v counts %v, want ErrStepLimit after 7 matches", err, counts)
	}
	err = q.Run(c, f, Limits{Deadline: time.Now().Add(-time.Second)}, func(int, Match) {})
	if !errors.Is(err, ErrDeadline) {
		t.Errorf("deadline: got %v", err)
	}
}

func TestPendingLimit(t *testing.T) {
	// Every identifier of the list starts a match that waits for a
	// string: more than the cursor holds at once, which it drops.
	f := parse(t, source.Python, "x = ["+strings.Repeat("a, ", 40)+"]\n")
	q, err := Compile(source.Python, "(list (identifier) @a (string) @s)")
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	c := newCursor(16)
	defer c.Close()
	if err := q.Run(c, f, Limits{}, func(int, Match) {}); !errors.Is(err, ErrPendingLimit) {
		t.Errorf("got %v, want ErrPendingLimit", err)
	}
	small := parse(t, source.Python, "x = [a, a, 'b']\n")
	n := 0
	if err := q.Run(c, small, Limits{}, func(int, Match) { n++ }); err != nil || n != 2 {
		t.Errorf("small list: err %v, %d matches, want none and 2", err, n)
	}
}

func BenchmarkRun(b *testing.B) {
	src := strings.Repeat(pySrc, 2000)
	f := parse(b, source.Python, src)
	q, err := Compile(source.Python, `(call function: (attribute attribute: (identifier) @m) (#any-of? @m "info" "debug"))`)
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	c := NewCursor()
	defer c.Close()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		n := 0
		_ = q.Run(c, f, Limits{}, func(int, Match) { n++ })
		if n != 4000 {
			b.Fatalf("got %d matches", n)
		}
	}
}

// TestPatternStarts: the combined query maps each pattern to its source
// by where the pattern starts, which must agree with the count of each
// source compiled alone (a source of comments only has no pattern).
func TestPatternStarts(t *testing.T) {
	srcs := []string{
		"(call) @c\n; two patterns\n(identifier) @i",
		"; comments only\n",
		`((call function: (identifier) @f) @m (#eq? @f "eval"))`,
		"[(string) (integer)] @lit\n(\n  (comment) @a\n  .\n  (comment) @b\n)\n\"def\" @kw",
		"(_) @any",
	}
	q, err := Compile(source.Python, srcs...)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	want := []int{0}
	for i, src := range srcs {
		one, err := sitter.NewQuery([]byte(src), source.Grammar(source.Python))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, want[i]+int(one.PatternCount()))
		one.Close()
	}
	if !slices.Equal(q.firstPattern, want) {
		t.Errorf("first patterns %v, want %v", q.firstPattern, want)
	}
	for p, src := range map[int]int{0: 0, 1: 0, 2: 2, 3: 3, 4: 3, 5: 3, 6: 4} {
		if got := q.sourceOf(p); got != src {
			t.Errorf("pattern %d: source %d, want %d", p, got, src)
		}
	}
}

// TestSourcesDoNotJoin: sources are compiled together, but a source that
// would take in its neighbour once joined (an open bracket or string, a
// capture or quantifier that starts it) is refused as it is alone, and
// open brackets do not add up past the depth guard.
func TestSourcesDoNotJoin(t *testing.T) {
	for _, srcs := range [][]string{
		{"(call", ") @c"},
		{"(call (identifier) @f", "(argument_list) @a)"},
		{"(call) @c (", "identifier) @i"},
		{`((identifier) @i (#eq? @i "x`, `"))`},
		{"(call) @c", "@d"},
		{"(call) @c", "* (string)"},
	} {
		q, err := Compile(source.Python, srcs...)
		var qe *Error
		if err == nil {
			t.Errorf("%q: compiled to %d patterns", srcs, q.Patterns())
			q.Close()
		} else if !errors.As(err, &qe) {
			t.Errorf("%q: %v, want an *Error naming the source", srcs, err)
		}
	}
	deep := make([]string, 2000)
	for i := range deep {
		deep[i] = strings.Repeat("(", maxQueryDepth)
	}
	if _, err := Compile(source.Python, deep...); err == nil {
		t.Error("sources of open brackets compiled")
	}
}

// TestQueryLayout guards patternStart's read of the binding's C query:
// it is sitter.Query's first field, a pointer.
func TestQueryLayout(t *testing.T) {
	f := reflect.TypeOf(sitter.Query{}).Field(0)
	if f.Offset != 0 || f.Type.Kind() != reflect.Pointer || !strings.Contains(f.Type.Elem().Name(), "TSQuery") {
		t.Fatalf("sitter.Query's first field is %s %s at %d: patternStart reads a C TSQuery pointer there", f.Name, f.Type, f.Offset)
	}
}
