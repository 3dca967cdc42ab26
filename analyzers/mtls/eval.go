package mtls

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/residue-sec/residue/analyzers/source"
)

// eval returns the value of expression n, reporting the sinks it holds.
func (fr *frame) eval(n *source.Node) value {
	if n == nil {
		return value{}
	}
	switch n.Type() {
	case "identifier":
		return fr.env[fr.a.text(n)]
	case "attribute":
		return fr.attribute(n)
	case "subscript":
		return fr.subscript(n)
	case "call":
		return fr.call(n)
	case "comparison_operator", "not_operator", "boolean_operator":
		c, v := fr.test(n)
		v.cond = &c
		return v
	case "await":
		// await f() is what f returns, a test's result included.
		if n.NamedChildCount() == 1 {
			return fr.eval(n.NamedChild(0))
		}
		return fr.union(n)
	case "named_expression":
		v := fr.eval(n.ChildByFieldName("value"))
		fr.bind(n.ChildByFieldName("name"), v, n)
		return v
	case "string", "concatenated_string":
		return fr.fstring(n)
	case "conditional_expression", "binary_operator", "list", "tuple", "set", "dictionary", "pair",
		"expression_list", "parenthesized_expression", "list_splat", "dictionary_splat",
		"keyword_argument", "unary_operator", "slice":
		return fr.union(n)
	case "list_comprehension", "set_comprehension", "generator_expression", "dictionary_comprehension":
		return fr.comprehension(n)
	}
	return value{}
}

// union is the union of the values of n's named children (the data they
// carry; a parenthesized expression keeps what its content is).
func (fr *frame) union(n *source.Node) value {
	if n.Type() == "parenthesized_expression" && n.NamedChildCount() == 1 {
		return fr.eval(n.NamedChild(0))
	}
	var v value
	for i := 0; i < int(n.NamedChildCount()); i++ {
		c := n.NamedChild(i)
		if n.Type() == "keyword_argument" && i == 0 {
			continue
		}
		v = v.union(fr.eval(c))
	}
	return v.derived()
}

func (fr *frame) fstring(n *source.Node) value {
	var v value
	for i := 0; i < int(n.NamedChildCount()); i++ {
		switch c := n.NamedChild(i); c.Type() {
		case "interpolation":
			v = v.union(fr.eval(c.ChildByFieldName("expression")))
		case "string":
			v = v.union(fr.fstring(c))
		}
	}
	return v.derived()
}

func (fr *frame) attribute(n *source.Node) value {
	obj := n.ChildByFieldName("object")
	attr := fr.a.text(n.ChildByFieldName("attribute"))
	if obj != nil && obj.Type() == "identifier" && fr.a.text(obj) == "self" {
		if v, ok := fr.env["self."+attr]; ok {
			return v
		}
		if fr.method && attr == "request" {
			return value{kind: requestKind}
		}
	}
	ov := fr.eval(obj)
	switch ov.kind {
	case requestKind:
		if k, ok := requestContainers[attr]; ok {
			return value{kind: k}
		}
		if attr == "_request" {
			return value{kind: requestKind}
		}
		return value{}
	case metaKind, headersKind:
		return value{}
	}
	return ov.derived()
}

// subscript reads a key of a META or headers container, or indexes data.
func (fr *frame) subscript(n *source.Node) value {
	obj := n.ChildByFieldName("value")
	ov := fr.eval(obj)
	idx := n.ChildByFieldName("subscript")
	if ov.kind == metaKind || ov.kind == headersKind {
		return fr.readKey(ov.kind, idx, n, nil)
	}
	fr.eval(idx)
	v := ov.derived()
	if idx != nil && idx.Type() == "integer" && fr.a.text(idx) == "0" && ov.parse != nil && hasFormat(ov, xfccFormat) {
		v.parse, v.parser, v.firstElement = n, "", true
	}
	return v
}

// readKey returns the value read from a container at key (a request
// header name in headers, a META key otherwise); at is the read, def its
// default.
func (fr *frame) readKey(k kind, key, at, def *source.Node) value {
	if ref := fr.a.keyReference(key); ref != "" {
		if strings.Contains(strings.ToUpper(last(refName(ref))), "VERIFY") {
			// VERIFY_KEY, settings.CERT_VERIFY_HEADER: a status, taken as
			// the server's (its test is then judged as such).
			return value{status: &origin{node: at, key: keyInfo{name: refName(ref), class: verifyKey}}}
		}
		info := keyInfo{name: refName(ref), setting: ref}
		if k == headersKind {
			info.setting += headerSettingSuffix
		}
		return value{origins: []*origin{{node: at, key: info}}}
	}
	name, ok := fr.a.stringValue(key, fr.class)
	if !ok {
		fr.eval(key)
		return value{}
	}
	info := fr.a.keys.classify(name, k == headersKind)
	switch info.class {
	case certKey, identityKey:
		return value{origins: []*origin{{node: at, key: info}}, header: info.spoofable}
	case verifyKey:
		v := value{status: &origin{node: at, key: info}, header: info.spoofable}
		if d, ok := fr.a.stringValue(def, fr.class); ok && strings.EqualFold(strings.TrimSpace(d), successStatus) {
			v.defaultSuccess = true
		}
		return v
	case peerAddrKey:
		return value{peer: true}
	}
	return value{header: info.spoofable}
}

// headerSettingSuffix marks a setting read as a header name
// (request.headers[settings.X]) rather than as a META key.
const headerSettingSuffix = "/header"

// refName is how messages name a key reference: without its default.
func refName(ref string) string {
	name, _, _ := strings.Cut(ref, settingDefaultSep)
	return name
}

// identifier matches a Python identifier (ASCII).
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// keyReference returns what names a key that is no literal: settings.NAME
// for a Django setting, or the dotted name of a constant imported from
// another module of the repository (app.conf.USER_DN_HEADER); "" else.
func (a *analysis) keyReference(n *source.Node) string {
	if s := a.settingName(n); s != "" {
		return "settings." + s
	}
	if n == nil || n.Type() != "identifier" && n.Type() != "attribute" {
		return ""
	}
	if name := a.dotted(n); upperName.MatchString(last(name)) {
		return a.resolve(name)
	}
	return ""
}

// settingName returns NAME when n reads a Django setting, as
// settings.NAME or getattr(settings, "NAME") with no default; "" else.
func (a *analysis) settingName(n *source.Node) string {
	if n == nil {
		return ""
	}
	switch n.Type() {
	case "attribute":
		if isSettings(a.dotted(n.ChildByFieldName("object"))) {
			return a.text(n.ChildByFieldName("attribute"))
		}
	case "call":
		args := n.ChildByFieldName("arguments")
		if a.dotted(n.ChildByFieldName("function")) != "getattr" || args == nil || args.NamedChildCount() < 2 ||
			args.NamedChildCount() > 3 || !isSettings(a.dotted(args.NamedChild(0))) {
			return ""
		}
		name, _ := a.stringValue(args.NamedChild(1), nil)
		if !identifier.MatchString(name) {
			return ""
		}
		if args.NamedChildCount() == 3 {
			// The default stands when the repository does not set it.
			if def, ok := a.stringValue(args.NamedChild(2), nil); ok {
				return name + settingDefaultSep + url.QueryEscape(def)
			}
		}
		return name
	}
	return ""
}

// isSettings reports whether a dotted name is Django's settings object
// (settings, django_settings, conf.settings).
func isSettings(name string) bool {
	return name == "settings" || strings.HasSuffix(name, "_settings") || strings.HasSuffix(name, ".settings")
}

// settingDefaultSep separates a setting's name from its default (escaped)
// in a key reference.
const settingDefaultSep = "="

// hasFormat reports whether v carries data of the given format.
func hasFormat(v value, f keyFormat) bool {
	for _, o := range v.origins {
		if o.key.format == f {
			return true
		}
	}
	return false
}

// bind assigns v to the names of an assignment or loop target.
func (fr *frame) bind(target *source.Node, v value, at *source.Node) {
	if target == nil {
		return
	}
	switch target.Type() {
	case "identifier":
		if v.data() {
			v.steps = append(append([]*source.Node(nil), v.steps...), at)
		}
		fr.env[fr.a.text(target)] = v
	case "attribute":
		if d := fr.a.dotted(target); strings.HasPrefix(d, "self.") {
			fr.env[d] = v
		}
	case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "parenthesized_expression", "list_splat_pattern":
		for i := 0; i < int(target.NamedChildCount()); i++ {
			fr.bind(target.NamedChild(i), v.derived(), at)
		}
	}
}

// assign assigns v to target at statement at: the sinks of an assignment
// (request.user, a request attribute, META["REMOTE_USER"], the session)
// and the bindings.
func (fr *frame) assign(target *source.Node, v value, at *source.Node) {
	if target == nil {
		return
	}
	switch target.Type() {
	case "attribute":
		obj := target.ChildByFieldName("object")
		attr := fr.a.text(target.ChildByFieldName("attribute"))
		if !strings.HasPrefix(fr.a.dotted(target), "self.") && fr.eval(obj).kind == requestKind {
			if identityAttrs[attr] {
				fr.sink(site{node: at, kind: identitySink, what: "sets request." + attr}, v)
			} else if fr.role.passesOn {
				fr.sink(site{node: at, kind: passSink, what: "request." + attr}, v)
			}
			return
		}
	case "subscript":
		obj := target.ChildByFieldName("value")
		ov := fr.eval(obj)
		key, _ := fr.a.stringValue(target.ChildByFieldName("subscript"), fr.class)
		switch {
		case ov.kind == metaKind && identityEnvironKeys[normalize(key)]:
			fr.sink(site{node: at, kind: identitySink, what: "sets " + key}, v)
			return
		case ov.kind == metaKind || ov.kind == headersKind:
			if fr.role.passesOn {
				fr.sink(site{node: at, kind: passSink, what: fr.a.text(obj) + "[…]"}, v)
			}
			return
		case obj.Type() == "attribute" && fr.a.text(obj.ChildByFieldName("attribute")) == "session" &&
			fr.eval(obj.ChildByFieldName("object")).kind == requestKind:
			if fr.role.passesOn {
				fr.sink(site{node: at, kind: passSink, what: "the session"}, v)
			}
			return
		}
		// d[k] = v adds v's data to d.
		if name := fr.a.dotted(obj); name != "" {
			fr.env[name] = fr.env[name].union(v).derived()
		}
		return
	}
	fr.bind(target, v, at)
}

// comprehension binds the loop variables to the iterables' data and
// returns the element's value.
func (fr *frame) comprehension(n *source.Node) value {
	saved := map[string]value{}
	for i := 0; i < int(n.NamedChildCount()); i++ {
		c := n.NamedChild(i)
		switch c.Type() {
		case "for_in_clause":
			it := fr.eval(c.ChildByFieldName("right")).derived()
			left := c.ChildByFieldName("left")
			for _, name := range fr.names(left) {
				if _, ok := saved[name]; !ok {
					saved[name] = fr.env[name]
				}
			}
			fr.bind(left, it, n)
		case "if_clause":
			fr.eval(c)
		}
	}
	v := fr.eval(n.ChildByFieldName("body"))
	for name, old := range saved {
		fr.env[name] = old
	}
	return v.derived()
}

// names returns the identifiers a target binds.
func (fr *frame) names(target *source.Node) []string {
	if target == nil {
		return nil
	}
	if target.Type() == "identifier" {
		return []string{fr.a.text(target)}
	}
	var out []string
	for i := 0; i < int(target.NamedChildCount()); i++ {
		out = append(out, fr.names(target.NamedChild(i))...)
	}
	return out
}
