package csrc

import (
	"bytes"
	"sort"
	"strings"
)

// Conditional compilation. A file is read in one configuration: the
// macros the command line defines or undefines (compile_commands.json,
// the defines setting), those of the platform residue models (Linux,
// GCC, LP64), and those the file itself defines before a test. A group
// whose condition these decide keeps the branch taken; a group they do
// not decide keeps all its branches for the analysis, which joins them,
// and its first branch where one must be chosen (parsing a function
// again without the others).

// A macroEnv is what a configuration knows of macros: the defined ones
// with their values, and the names known to be undefined.
type macroEnv struct {
	defined   map[string]string
	undefined map[string]bool
}

// platform are the macros of the modelled target: Linux on x86-64 with
// GCC, LP64.
var platform = map[string]string{
	"__linux__": "1", "__linux": "1", "linux": "1", "__unix__": "1", "__unix": "1", "unix": "1",
	"__gnu_linux__": "1", "__ELF__": "1", "__x86_64__": "1", "__x86_64": "1", "__amd64__": "1",
	"__LP64__": "1", "_LP64": "1", "__GNUC__": "12", "__GNUC_MINOR__": "2", "__STDC__": "1",
	"__STDC_VERSION__": "201710L", "__STDC_HOSTED__": "1", "__CHAR_BIT__": "8",
	"__SIZEOF_POINTER__": "8", "__SIZEOF_LONG__": "8", "__SIZEOF_INT__": "4",
	"__SIZEOF_SHORT__": "2", "__SIZEOF_LONG_LONG__": "8", "__SIZEOF_SIZE_T__": "8",
	"__BYTE_ORDER__": "1234", "__ORDER_LITTLE_ENDIAN__": "1234", "__ORDER_BIG_ENDIAN__": "4321",
}

// notPlatform are macros the modelled target does not define.
var notPlatform = []string{
	"_WIN32", "_WIN64", "WIN32", "_MSC_VER", "__MINGW32__", "__MINGW64__", "__CYGWIN__", "__cplusplus",
	"__APPLE__", "__MACH__", "__FreeBSD__", "__OpenBSD__", "__NetBSD__", "__DragonFly__", "__sun",
	"_AIX", "__hpux", "__clang__", "__INTEL_COMPILER", "__ANDROID__", "__EMSCRIPTEN__", "__wasi__",
	"__i386__", "__aarch64__", "__arm__", "__powerpc__", "__s390__", "__riscv",
}

// newMacroEnv returns the platform's macros with the command line's.
func newMacroEnv(defines []Define, undefs []string) *macroEnv {
	e := &macroEnv{defined: map[string]string{}, undefined: map[string]bool{}}
	for k, v := range platform {
		e.defined[k] = v
	}
	for _, k := range notPlatform {
		e.undefined[k] = true
	}
	for _, d := range defines {
		e.define(d.Name, d.Value)
	}
	for _, u := range undefs {
		e.undefine(u)
	}
	return e
}

func (e *macroEnv) define(name, value string) {
	e.defined[name] = value
	delete(e.undefined, name)
}

func (e *macroEnv) undefine(name string) {
	delete(e.defined, name)
	e.undefined[name] = true
}

// forget makes a name unknown (a #define in a branch that may not be
// compiled).
func (e *macroEnv) forget(name string) {
	delete(e.defined, name)
	delete(e.undefined, name)
}

// A branch state: whether a branch's lines are in the configuration.
type branchState uint8

const (
	active   branchState = iota // compiled
	inactive                    // not compiled: its group was decided otherwise
	firstOf                     // the first branch of an undecided group
	otherOf                     // a later branch of an undecided group
)

// A condGroup is an #if group being scanned.
type condGroup struct {
	// outer is the state of the enclosing region.
	outer branchState
	// decided: every condition so far was decided; taken: a branch was
	// taken (decided) or the first branch passed (undecided).
	decided, taken bool
	state          branchState
	start          int
	// at is the offset of the group's #if line.
	at int
}

// conditionals scans the preprocessor conditionals of src and returns
// the branches outside the configuration (inactive), the branches after
// the first of undecided groups (undecided), the offsets of every
// conditional directive line, and those of the #if lines of the groups
// the configuration decides (decided).
func conditionals(src []byte, env *macroEnv) (inactiveSpans, undecided, directives []Span, decided []uint32) {
	var stack []*condGroup
	cur := func() branchState {
		if len(stack) == 0 {
			return active
		}
		return stack[len(stack)-1].state
	}
	closeBranch := func(g *condGroup, end int) {
		switch g.state {
		case inactive:
			if g.outer != inactive && g.outer != otherOf {
				inactiveSpans = append(inactiveSpans, Span{uint32(g.start), uint32(end)})
			}
		case otherOf:
			if g.outer == active || g.outer == firstOf {
				undecided = append(undecided, Span{uint32(g.start), uint32(end)})
			}
		}
	}
	// open sets the state of a group's next branch with condition value
	// v (known) or unknown.
	open := func(g *condGroup, v, known bool) {
		switch {
		case g.outer == inactive || g.outer == otherOf:
			g.state = g.outer
		case g.decided && g.taken:
			g.state = inactive
		case g.decided && known:
			g.state, g.taken = inactive, v
			if v {
				g.state = active
			}
		case g.decided: // the first undecided condition
			g.decided, g.taken, g.state = false, true, firstOf
		case known && !v:
			g.state = inactive
		default:
			g.state = otherOf
		}
		if g.outer == firstOf && g.state == active {
			g.state = firstOf
		}
	}
	for off := 0; off < len(src); {
		line, next := logicalLine(src, off)
		dir, rest := directive(line)
		switch dir {
		case "if", "ifdef", "ifndef":
			g := &condGroup{outer: cur(), decided: true, at: off + bytes.IndexByte(line, '#')}
			v, known := false, false
			if g.outer != inactive && g.outer != otherOf {
				v, known = condition(dir, rest, env)
			}
			open(g, v, known)
			g.start = next
			stack = append(stack, g)
			directives = append(directives, Span{uint32(off), uint32(lineEnd(src, off, next))})
		case "elif", "elifdef", "elifndef", "else":
			if len(stack) == 0 {
				break
			}
			g := stack[len(stack)-1]
			closeBranch(g, off)
			v, known := true, true
			if dir != "else" {
				v, known = condition(strings.TrimPrefix(dir, "el"), rest, env)
			}
			open(g, v, known)
			g.start = next
			directives = append(directives, Span{uint32(off), uint32(lineEnd(src, off, next))})
		case "endif":
			if len(stack) == 0 {
				break
			}
			g := stack[len(stack)-1]
			closeBranch(g, off)
			if g.decided && (g.outer == active || g.outer == firstOf) {
				decided = append(decided, uint32(g.at))
			}
			stack = stack[:len(stack)-1]
			directives = append(directives, Span{uint32(off), uint32(lineEnd(src, off, next))})
		case "define", "undef":
			rest = strings.TrimLeft(rest, " \t")
			name := leadingIdent(rest)
			switch s := cur(); {
			case name == "" || s == inactive || s == otherOf:
			case s == firstOf:
				env.forget(name)
			case dir == "undef":
				env.undefine(name)
			default:
				body := strings.TrimSpace(rest[len(name):])
				if strings.HasPrefix(body, "(") {
					env.forget(name) // a function-like macro
				} else {
					env.define(name, body)
				}
			}
		}
		off = next
	}
	for len(stack) > 0 {
		closeBranch(stack[len(stack)-1], len(src))
		stack = stack[:len(stack)-1]
	}
	sort.Slice(decided, func(i, j int) bool { return decided[i] < decided[j] })
	return inactiveSpans, undecided, directives, decided
}

// logicalLine returns the line at off with its continuations and the
// offset of the next line.
func logicalLine(src []byte, off int) ([]byte, int) {
	end := off
	for {
		nl := bytes.IndexByte(src[end:], '\n')
		if nl < 0 {
			return src[off:], len(src)
		}
		e := end + nl
		if e > off && (src[e-1] == '\\' || e > off+1 && src[e-1] == '\r' && src[e-2] == '\\') {
			end = e + 1
			continue
		}
		return src[off:e], e + 1
	}
}

// lineEnd returns the end of a directive's text: next without its
// newline.
func lineEnd(src []byte, off, next int) int {
	if next > off && next <= len(src) && src[next-1] == '\n' {
		return next - 1
	}
	return next
}

// directive returns the name of a preprocessor directive line and the
// text after it; "" for other lines.
func directive(line []byte) (string, string) {
	s := strings.TrimLeft(string(line), " \t")
	if !strings.HasPrefix(s, "#") {
		return "", ""
	}
	s = strings.TrimLeft(s[1:], " \t")
	name := leadingIdent(s)
	rest := s[len(name):]
	if i := strings.Index(rest, "//"); i >= 0 {
		rest = rest[:i]
	}
	return name, strings.ReplaceAll(strings.ReplaceAll(rest, "\\\r\n", " "), "\\\n", " ")
}

// leadingIdent returns the identifier s starts with (after spaces).
func leadingIdent(s string) string {
	s = strings.TrimLeft(s, " \t")
	i := 0
	for i < len(s) && isIdentByte(s[i]) {
		i++
	}
	return s[:i]
}

// condition evaluates the condition of an #if, #ifdef or #ifndef
// directive; known is false when the configuration does not decide it.
func condition(dir, text string, env *macroEnv) (v, known bool) {
	switch dir {
	case "ifdef", "ifndef", "def", "ndef":
		name := leadingIdent(text)
		d, k := env.isDefined(name)
		if dir == "ifndef" || dir == "ndef" {
			d = !d
		}
		return d, k
	}
	p := &macroParser{names: &condNames{env: env}, toks: tokenize(text)}
	x, ok := p.ternary()
	return x != 0, ok && p.pos == len(p.toks)
}

// isDefined reports whether a macro is defined, and whether that is known.
func (e *macroEnv) isDefined(name string) (bool, bool) {
	if _, ok := e.defined[name]; ok {
		return true, true
	}
	return false, e.undefined[name]
}

// condNames resolves the names of an #if condition: the macros of the
// configuration; a name it does not know makes the condition undecided.
type condNames struct {
	env   *macroEnv
	depth int
}

func (c *condNames) constValue(name string) (int64, bool) {
	if v, ok := c.env.defined[name]; ok {
		if c.depth > maxDepth {
			return 0, false
		}
		c.depth++
		defer func() { c.depth-- }()
		if strings.TrimSpace(v) == "" {
			return 0, false
		}
		p := &macroParser{names: c, toks: tokenize(v)}
		x, ok := p.ternary()
		return x, ok && p.pos == len(p.toks)
	}
	if c.env.undefined[name] {
		return 0, true
	}
	return 0, false
}

func (c *condNames) isTypeName(string) bool     { return false }
func (c *condNames) namedTypeSize(string) int64 { return 0 }
func (c *condNames) isDefined(name string) (bool, bool) {
	return c.env.isDefined(name)
}
