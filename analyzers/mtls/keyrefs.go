package mtls

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A key is read at a literal, at a constant (of the module, of another
// module, of the class), or at a Django setting. A constant has one
// value; a setting has the value each settings module of the repository
// gives it (a project may keep several), or getattr's default where none
// does: each is a key the read may be, and a finding holds when it holds
// for one of them. This is the one unknown the model leaves: which
// settings module runs.

// keyInfos returns what key may name, read as a header name (header) or
// a META key; nil when that is unknown.
func (vs *values) keyInfos(key keyExpr, header bool) []keyInfo {
	keys := vs.fr.rp.keys
	if !key.literal && len(pysrc.KeyNames(key.lit)) > 1 && key.v.Iterated() {
		// request.META.get(key) for key in ("HTTP_X_…", "SSL_…"): the
		// argument carries the loop's names (pysrc.JoinKeys).
		key.literal = true
	}
	if key.literal {
		// A key read in a loop over literals may be each of them.
		var out []keyInfo
		for _, name := range pysrc.KeyNames(key.lit) {
			out = append(out, keys.classify(name, header))
		}
		return out
	}
	key.v = vs.fr.fn.Content(key.v)
	if len(key.v) != 1 {
		return nil
	}
	if name, def, ok := vs.settingRef(key.v[0]); ok {
		return vs.settingKeys(name, def, header)
	}
	if c, at, ok := vs.constant(key.v); ok {
		v, ok := settingValue(&c.Value)
		if !ok {
			return nil
		}
		info := keys.classify(v, header)
		if at.Mod != vs.fr.fn.Module() {
			info.ref, info.def = at.Mod.Dotted()+"."+c.Name, at
		}
		return []keyInfo{info}
	}
	if def, ok := vs.readDefault(key.v[0]); ok {
		return []keyInfo{keys.classify(def, header)}
	}
	return nil
}

// constant returns the constant a value names: the reader's (a module's
// or a class's, an Enum member's value), or the class's own name =
// literal read through self or cls.
func (vs *values) constant(v pysrc.Value) (*pysrc.Setting, pysrc.Loc, bool) {
	v = vs.fr.fn.Content(v)
	if c, at, ok := vs.fr.rp.r.Constant(vs.fr.fn, v); ok {
		return c, at, true
	}
	if len(v) == 1 {
		if n := len(v[0].Ops); n > 1 && v[0].Ops[n-1].Kind == pysrc.OpAttr && v[0].Ops[n-1].Name == "value" {
			member := v[0]
			member.Ops = member.Ops[:n-1]
			if c, at, ok := vs.fr.rp.r.Constant(vs.fr.fn, pysrc.Value{member}); ok {
				return c, at, true
			}
		}
	}
	if len(v) != 1 || vs.fr.class == nil || !vs.fr.method {
		return nil, pysrc.Loc{}, false
	}
	a := v[0]
	var attrs []string
	for _, op := range a.Ops {
		switch op.Kind {
		case pysrc.OpAttr:
			attrs = append(attrs, op.Name)
		case pysrc.OpStep:
		default:
			return nil, pysrc.Loc{}, false
		}
	}
	if a.Root != pysrc.RootParam || a.Index != 0 || len(attrs) != 1 {
		return nil, pysrc.Loc{}, false
	}
	return vs.fr.class.Const(attrs[0])
}

// settingRef reports whether atom a reads a Django setting: settings.NAME
// or getattr(settings, "NAME"[, "default"]); def holds the default.
func (vs *values) settingRef(a pysrc.Atom) (name string, def *string, ok bool) {
	if a.Root == pysrc.RootCall {
		c := vs.fr.call(a.Index)
		if c == nil || c.Name != "getattr" || len(c.Args) < 2 || len(c.Args) > 3 || !c.Args[1].Literal || !vs.isSettings(c.Args[0].Value) {
			return "", nil, false
		}
		name = c.Args[1].Lit
		if !isIdentifier(name) {
			return "", nil, false
		}
		if len(c.Args) == 3 && c.Args[2].Literal {
			d := c.Args[2].Lit
			def = &d
		}
		return name, def, true
	}
	n := len(a.Ops)
	for n > 0 && a.Ops[n-1].Kind == pysrc.OpStep {
		n--
	}
	if n == 0 || a.Ops[n-1].Kind != pysrc.OpAttr {
		return "", nil, false
	}
	owner := a
	owner.Ops = a.Ops[:n-1]
	if !vs.isSettings(pysrc.Value{owner}) {
		return "", nil, false
	}
	return a.Ops[n-1].Name, nil, true
}

// isSettings reports whether v is Django's settings object (imported
// under any name, or a name that says so when it resolves to nothing of
// the repository).
func (vs *values) isSettings(v pysrc.Value) bool {
	for _, d := range vs.fr.rp.r.Resolve(vs.fr.fn, v) {
		if d.Tag == pysrc.TagExt && isSettingsName(d.Name) {
			return true
		}
	}
	return false
}

// isSettingsName reports whether a dotted name is Django's settings
// object (settings, django_settings, django.conf.settings).
func isSettingsName(name string) bool {
	return name == "settings" || strings.HasSuffix(name, "_settings") || strings.HasSuffix(name, ".settings")
}

// readDefault returns the literal default of getattr(x, "NAME",
// "default") or of an environment variable's read (os.getenv("NAME",
// "default"), os.environ.get): what the code was written for.
func (vs *values) readDefault(a pysrc.Atom) (string, bool) {
	if a.Root != pysrc.RootCall {
		return "", false
	}
	c := vs.fr.call(a.Index)
	if c == nil {
		return "", false
	}
	i := -1
	if c.Name == "getattr" {
		i = 2
	} else if vs.readsEnviron(c) {
		i = 1
	}
	if i < 0 {
		return "", false
	}
	for k, arg := range c.Args {
		if (k == i && arg.Keyword == "" || arg.Keyword == "default") && arg.Literal {
			return arg.Lit, true
		}
	}
	return "", false
}

// readsEnviron reports whether c reads an environment variable:
// os.getenv or os.environ.get, under any name the module imports them by
// (getenv, environ.get, an alias of os), or so written when the name
// resolves to nothing.
func (vs *values) readsEnviron(c *pysrc.Call) bool {
	switch c.Name {
	case "getenv", "os.getenv", "os.environ.get":
		return true
	}
	for _, d := range vs.fr.rp.r.Resolve(vs.fr.fn, c.Func) {
		if d.Tag == pysrc.TagExt && d.Name == "os.getenv" {
			return true
		}
	}
	owner := map[string]string{"getenv": "os", "get": "os.environ"}[c.Method]
	if owner == "" {
		return false
	}
	for _, d := range vs.fr.rp.r.Resolve(vs.fr.fn, c.Recv) {
		if d.Tag == pysrc.TagExt && d.Name == owner {
			return true
		}
	}
	return false
}

// settingKeys returns the keys the Django setting name names: its value
// in each settings module of the repository, else its default; a
// setting named for the verification status that the repository does
// not define is taken for the server's status.
func (vs *values) settingKeys(name string, def *string, header bool) []keyInfo {
	ref := "settings." + name
	var out []keyInfo
	for _, s := range vs.fr.rp.prog.Settings(name) {
		if v, ok := settingValue(&s.Value); ok {
			info := vs.fr.rp.keys.classify(v, header)
			info.ref, info.def = ref, s.Loc
			out = append(out, info)
		}
	}
	switch {
	case len(out) > 0:
	case def != nil:
		info := vs.fr.rp.keys.classify(*def, header)
		info.ref = ref
		out = append(out, info)
	case strings.Contains(strings.ToUpper(name), "VERIFY"):
		out = append(out, keyInfo{name: ref, class: verifyKey})
	}
	return out
}

// settingValue returns the string a setting is given: a literal, or the
// default of os.environ.get("NAME", "default"), getattr(config, "NAME",
// "default"), env.str("NAME", default="...") and the like (the default
// is what the code was written for).
func settingValue(l *pysrc.Literal) (string, bool) {
	switch l.Kind {
	case pysrc.LitString:
		return l.Text, true
	case pysrc.LitCall:
	default:
		return "", false
	}
	for i, k := range l.Keys {
		if k == "default" {
			return literalString(l.Items[i])
		}
	}
	switch last(l.Text) {
	case "get", "getenv", "str", "config", "env":
		if len(l.Items) == 2 && l.Keys[1] == "" {
			return literalString(l.Items[1])
		}
	case "getattr":
		if len(l.Items) == 3 && l.Keys[2] == "" {
			return literalString(l.Items[2])
		}
	}
	return "", false
}

func literalString(l pysrc.Literal) (string, bool) { return l.Text, l.Kind == pysrc.LitString }

// isIdentifier reports whether s is an ASCII Python identifier.
func isIdentifier(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// last returns the last component of a dotted name.
func last(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}
