package pysrc

import (
	"maps"
	"slices"
	"strings"
)

// The model's own vocabulary: Python's builtins, Django's and DRF's
// requests, responses and serializers, and HTTP clients. What data is
// (a body, one field, a header) is said here; what writing it somewhere
// means is each family's to say.

// Kinds of data.
const (
	// DataBody is what the client sent as content: the body, a whole form
	// or query, the files.
	DataBody = "request.body"
	// DataField is one value of a form, a query or a parsed body, at Key.
	DataField = "request.field"
	// DataHeaders is every header: request.headers, META, environ.
	DataHeaders = "request.headers"
	// DataHeader is one header or META value, at Key.
	DataHeader = "request.header"
	// DataCookies is every cookie; DataCookie one, at Key.
	DataCookies = "request.cookies"
	DataCookie  = "request.cookie"
	// DataSession is the session or a value of it.
	DataSession = "request.session"
	// DataAuth is DRF's request.auth (a token).
	DataAuth = "request.auth"
	// DataResponse is a Django response's content, headers or cookies.
	DataResponse = "response.content"
	// DataClient is the content of an HTTP client's response, or one
	// field of it at Key.
	DataClient = "client.response"
)

// Kinds of objects.
const (
	ObjRequest    = "django.request"
	ObjForm       = "django.querydict"
	ObjHeaders    = "django.headers"
	ObjCookies    = "django.cookies"
	ObjSession    = "django.session"
	ObjResponse   = "django.response"
	ObjSerializer = "drf.serializer"
	ObjDjangoForm = "django.form"
	// ObjClient is an HTTP client (a requests session); ObjClientResponse
	// what it returns; ObjOAuthClient an OAuth session, a client that
	// also fetches and keeps its provider's token.
	ObjClient         = "http.client"
	ObjClientResponse = "http.response"
	ObjOAuthClient    = "http.oauth"
)

func init() {
	Register(&Vocabulary{
		Name:    "python",
		Objects: djangoObjects,
		Class:   djangoClass,
		Call:    builtinCall,
		Globals: clientErrors,
	})
}

// clientErrors are the response attributes of HTTP client libraries'
// exceptions (`except requests.HTTPError as e: e.response.text`), as
// the except clause names them.
var clientErrors = map[string]string{}

func init() {
	for _, exc := range []string{
		"requests.HTTPError", "requests.RequestException", "requests.exceptions.HTTPError",
		"requests.exceptions.RequestException", "requests.exceptions.RetryError",
		"httpx.HTTPStatusError",
	} {
		clientErrors[exc+".response"] = ObjClientResponse
	}
}

var (
	form    = Result{Object: ObjForm}
	body    = Result{Data: DataBody}
	nothing = Result{}
	whole   = Result{Whole: true}
	keyed   = Result{Keyed: true}
	listed  = Result{Keyed: true, Listed: true}
	pairs   = Result{Pairs: true}
)

var djangoObjects = []*ObjectKind{
	{
		Name: ObjRequest,
		Attrs: map[string]Result{
			"body": body, "stream": body, "POST": form, "GET": form, "data": form, "query_params": form,
			"FILES": {Object: ObjForm, Upload: true}, "META": {Object: ObjHeaders}, "environ": {Object: ObjHeaders}, "headers": {Object: ObjHeaders},
			"COOKIES": {Object: ObjCookies}, "session": {Object: ObjSession}, "auth": {Data: DataAuth},
			// Its attributes (vars(request)): META holds the cookies and the
			// Authorization header.
			"__dict__": {Data: DataHeaders},
		},
		Methods: map[string]Result{"read": body, "readline": body, "readlines": body},
	},
	{
		Name: ObjForm, Whole: DataBody, Keyed: DataField,
		Methods: map[string]Result{"get": keyed, "getlist": listed, "pop": keyed, "keys": nothing, "items": pairs},
		Other:   whole,
	},
	{
		Name: ObjHeaders, Whole: DataHeaders, Keyed: DataHeader,
		Methods: map[string]Result{"get": keyed, "getlist": listed, "keys": nothing, "items": pairs},
		Other:   whole,
	},
	{
		Name: ObjCookies, Whole: DataCookies, Keyed: DataCookie,
		Methods: map[string]Result{"get": keyed, "pop": keyed, "keys": nothing, "items": pairs},
		Other:   whole,
	},
	{
		Name: ObjSession, Whole: DataSession, Keyed: DataSession,
		Methods: map[string]Result{"get": keyed, "pop": keyed, "setdefault": keyed, "keys": nothing, "items": pairs, "get_expiry_age": nothing, "set_expiry": nothing, "flush": nothing, "cycle_key": nothing},
		Other:   whole,
	},
	{
		Name: ObjResponse,
		Attrs: map[string]Result{
			"content": {Data: DataResponse}, "streaming_content": {Data: DataResponse}, "data": {Data: DataResponse},
			"cookies": {Data: DataResponse}, "headers": {Data: DataResponse}, "text": {Data: DataResponse},
			"rendered_content": {Data: DataResponse},
		},
		Methods: map[string]Result{"json": {Data: DataResponse}, "getvalue": {Data: DataResponse},
			"serialize": {Data: DataResponse}, "serialize_headers": {Data: DataResponse}},
	},
	{
		Name: ObjSerializer, Data: "data", InstanceAt: 1,
		Attrs: map[string]Result{
			"initial_data": {Carried: true}, "validated_data": {Carried: true, Validated: true}, "__dict__": {Carried: true},
			"data": {Carried: true, Validated: true}, "errors": {Carried: true, Echoed: true, Held: true},
		},
	},
	{
		Name: ObjDjangoForm, Data: "data", DataAt: 1,
		Attrs: map[string]Result{
			"cleaned_data": {Carried: true, Validated: true}, "data": {Carried: true}, "errors": {Carried: true, Echoed: true},
			"__dict__": {Carried: true},
		},
	},
	{
		Name:    ObjClient,
		Other:   Result{Object: ObjClientResponse},
		Methods: clientMethods,
	},
	{
		Name:  ObjOAuthClient,
		Other: Result{Object: ObjClientResponse},
		// Its token is its provider's answer.
		Attrs: map[string]Result{"token": {Data: DataClient}, "access_token": {Data: DataClient}},
		Methods: withMethods(clientMethods, map[string]Result{
			"fetch_token": {Data: DataClient}, "refresh_token": {Data: DataClient}, "fetch_access_token": {Data: DataClient},
			"fetch_request_token": {Data: DataClient},
			"authorization_url":   nothing, "create_authorization_url": nothing, "new_state": nothing,
		}),
	},
	{
		Name:    ObjClientResponse,
		Attrs:   map[string]Result{"text": {Data: DataClient}, "content": {Data: DataClient}, "data": {Data: DataClient}},
		Methods: map[string]Result{"json": {Data: DataClient}, "read": {Data: DataClient}, "iter_content": {Data: DataClient}, "iter_lines": {Data: DataClient}},
	},
}

// clientMethods are an HTTP client's methods that return no response.
var clientMethods = map[string]Result{
	"close": nothing, "mount": nothing, "auth": nothing, "headers": nothing, "cookies": nothing,
}

// withMethods returns base's methods with more added.
func withMethods(base, more map[string]Result) map[string]Result {
	out := maps.Clone(base)
	maps.Copy(out, more)
	return out
}

// djangoClass gives DRF serializers' and Django forms' subclasses their
// kind, by the external base's name, and so HTTP clients' (a subclass of
// requests.Session is a client).
func djangoClass(name string) string {
	if k := httpClients[name]; k == ObjClient || k == ObjOAuthClient {
		return k
	}
	if name == "requests.sessions.Session" {
		return ObjClient
	}
	last := lastName(name)
	if last == "" || last[0] < 'A' || last[0] > 'Z' {
		return ""
	}
	switch {
	case strings.HasSuffix(last, "Serializer"):
		return ObjSerializer
	case strings.HasSuffix(last, "Form") && !strings.HasSuffix(last, "FormView"):
		return ObjDjangoForm
	}
	return ""
}

// builtinCall knows the builtins that keep nothing of their arguments or
// pass them on, responses' constructors, HTTP clients, and DRF's
// get_serializer.
func builtinCall(c *CallSite) ([]Datum, bool) {
	switch m := c.Method(); {
	case m == "get_response":
		return []Datum{{Tag: TagObject, Kind: ObjResponse, Origin: c.Loc()}}, true
	case m == "format" || m == "join" || (m == "substitute" || m == "safe_substitute") && c.templateMethod():
		var out []Datum
		for _, r := range c.Recv {
			out = union(out, c.fr.whole(r)...)
		}
		return union(out, c.itemsRead(m == "join")...), true
	case m == "get_serializer":
		if i := c.Keyword("data"); i >= 0 {
			return []Datum{{Tag: TagObject, Kind: ObjSerializer, Origin: c.Loc(), Carried: c.args[i]}}, true
		}
	}
	for _, name := range c.Callees() {
		last := lastName(name)
		switch {
		case operationBuiltins[name] && c.external(name):
			// An operation on its arguments, whose content it does not carry.
			d := Datum{Tag: TagExpr, Kind: name, Origin: c.Loc()}
			for i := range c.args {
				if c.c.Args[i].Keyword == "" {
					d.Items = append(d.Items, c.args[i])
				}
			}
			return []Datum{bounded(d)}, true
		case (name == "django.utils.module_loading.import_string" || name == "importlib.import_module") && c.external(name):
			return c.importByName(name == "importlib.import_module"), true
		case responseConstructors[last] && c.framework(name) && httpClients[name] == "" || last == "get_response":
			return []Datum{{Tag: TagObject, Kind: ObjResponse, Origin: c.Loc()}}, true
		case name == "vars" && c.external(name) && len(c.args) == 1:
			// An object's attributes: its __dict__.
			var out []Datum
			for _, d := range c.args[0] {
				out = union(out, c.fr.attr(d, "__dict__", c.Loc())...)
			}
			return out, true
		case c.external(name) && djangoClass(name) != "" && (strings.HasPrefix(name, "django.") || strings.HasPrefix(name, "rest_framework.")):
			// Django's and DRF's own forms and serializers, constructed
			// as the repository's subclasses are.
			k := *objectKind(djangoClass(name))
			if last == "AuthenticationForm" {
				k.DataAt = 2 // after the request
			}
			return []Datum{{Tag: TagObject, Kind: k.Name, Origin: c.Loc(), Carried: c.carried(&k)}}, true
		case c.external(name) && (cleanFunctions[name] || strings.HasPrefix(name, "hashlib.")):
			return nil, true
		case reFunctions[name] && c.external(name):
			return c.reCall(name), true
		case c.external(name) && propagators[name] && !c.copiesVocabObject(name):
			if seqs, ok := c.sequenceCopy(name); ok {
				return seqs, true
			}
			if items, ok := c.mappingCopy(name); ok {
				return items, true
			}
			if name == "str" {
				return c.strOf(), true
			}
			out := c.allArgs()
			for i := range out {
				switch {
				case crlfSafe[name]:
					out[i] = escape(out[i], c.Loc())
				case decoders[name] && out[i].Tag == TagData:
					// Decoded bytes may hold CR and LF the encoded text
					// could not (%0D%0A, base64).
					out[i].Flags &^= FlagEscaped
					if strings.HasSuffix(name, "b64decode") {
						out[i].Flags |= FlagDecoded
					}
				}
			}
			return out, true
		case c.external(name) && name == "map" && len(c.args) == 2:
			// map(f, parts): the parts, each what f makes of it: a
			// library function's that keeps no content (int, quote) is
			// nothing, a decoder's may hold CR and LF again, an escaper's
			// (repr, json.dumps) holds none.
			switch c.mapped() {
			case mapDrops:
				return nil, true
			case mapDecodes:
				return undecoded(c.args[1]), true
			case mapEscapes:
				out := slices.Clone(c.args[1])
				for i := range out {
					out[i] = escape(out[i], c.Loc())
				}
				return out, true
			}
			return slices.Clone(c.args[1]), true
		case c.external(name) && name == "codecs.getreader":
			// A reader class: what it is called on, decoded.
			return []Datum{{Tag: TagExt, Name: "codecs.StreamReader"}}, true
		case c.external(name) && name == "rest_framework.authentication.get_authorization_header":
			// The request's Authorization header, as bytes.
			return []Datum{{Tag: TagData, Kind: DataHeader, Key: "HTTP_AUTHORIZATION", Origin: c.Loc()}}, true
		case c.external(name):
			if k := httpClients[name]; k != "" {
				return []Datum{{Tag: TagObject, Kind: k, Origin: c.Loc()}}, true
			}
		}
	}
	return nil, false
}

// framework reports whether callee name is a framework's: external, or
// Django's or DRF's own code when the repository is theirs. A class of
// the project named Response is not Django's.
func (cs *CallSite) framework(name string) bool {
	return cs.external(name) || strings.HasPrefix(name, "django.") || strings.HasPrefix(name, "rest_framework.")
}

// external reports whether name is one of the call's external callees.
func (cs *CallSite) external(name string) bool {
	for _, d := range cs.Func {
		if d.Tag == TagExt && d.Name == name {
			return true
		}
	}
	for _, d := range cs.Recv {
		if d.Tag == TagExt && d.Name+"."+cs.c.Method == name {
			return true
		}
	}
	return false
}

// itemsRead returns what a call that reads the items of its sequence
// arguments makes of them: join's (all, when join is set), a *argument's
// (format(*items)); the items of a caller's parameter are read when the
// caller binds it (a list a helper joins is not written whole).
func (cs *CallSite) itemsRead(join bool) []Datum {
	var out []Datum
	for i, a := range cs.args {
		if !join && cs.c.Args[i].Keyword != "*" {
			out = union(out, cs.argData(a)...)
			continue
		}
		for _, d := range a {
			if d.Tag == TagSym {
				out = union(out, d.deferred(DOp{Op: Op{Kind: OpIter, Span: cs.c.Span}, Mod: cs.Loc().Mod}))
			} else {
				out = union(out, cs.argData(spread([]Datum{d}))...)
			}
		}
	}
	return out
}

// strOf returns what str(x) makes of its argument: its text (a
// container's is the repr of its items, OpText).
func (cs *CallSite) strOf() []Datum {
	var out []Datum
	if i := cs.Positional(0); i >= 0 {
		for _, d := range cs.args[i] {
			out = union(out, cs.argData(cs.fr.text(d, cs.Loc()))...)
		}
	}
	return out
}

// allArgs returns the data of every argument, objects written out whole:
// what a call makes of them, which is not the container that held them
// (Datum.Under).
func (cs *CallSite) allArgs() []Datum {
	var out []Datum
	for _, a := range cs.args {
		out = union(out, cs.argData(a)...)
	}
	return out
}

// argData returns the data of one argument's values, objects written out
// whole, no longer in the container that held them.
func (cs *CallSite) argData(ds []Datum) []Datum {
	var out []Datum
	for _, d := range ds {
		for _, w := range cs.fr.whole(d) {
			if w.Tag != TagSym {
				w.Under = ""
			}
			out = union(out, w)
		}
	}
	return out
}

// templateMethod reports whether the call may be a method of a
// string.Template (whose substitute fills the template with its
// mapping): its receiver is the result of a call of string.Template, or,
// bound to a name, no object of the repository's in a module that
// imports string's Template.
func (cs *CallSite) templateMethod() bool {
	code := cs.fr.fcode()
	for _, a := range cs.c.Recv {
		if a.Root != RootCall || len(a.Ops) > 0 || int(a.Index) >= len(code.Calls) {
			continue
		}
		for _, d := range cs.fr.value(code.Calls[a.Index].Func) {
			if d.Tag == TagExt && d.Name == "string.Template" {
				return true
			}
		}
		return false // a call of something else
	}
	for _, d := range cs.Recv {
		if d.Class != nil || d.Tag == TagFunc || d.Tag == TagClass || d.Tag == TagModule {
			return false
		}
	}
	for _, imp := range cs.fr.f.mod.Imports {
		if imp.Module == "string" && (imp.Name == "Template" || imp.Name == "") {
			return true
		}
	}
	return false
}

// reFunctions are the functions of the re module whose result is made of
// the string they are given.
var reFunctions = map[string]bool{"re.split": true, "re.findall": true, "re.sub": true, "re.subn": true}

// reCall is the result of re.split, re.findall, re.sub or re.subn of
// request data: the string's content, with CR and LF escaped only where
// none can be left (crlfPattern): the items of split on such a pattern,
// what sub leaves when it replaces every match of one (no count) with a
// literal that puts neither back.
func (cs *CallSite) reCall(name string) []Datum {
	sub := name == "re.sub" || name == "re.subn"
	at := 1
	if sub {
		at = 2
	}
	i := cs.Keyword("string")
	if i < 0 {
		i = cs.Positional(at)
	}
	if i < 0 {
		return nil
	}
	var out []Datum
	for _, d := range cs.args[i] {
		out = union(out, cs.fr.whole(d)...)
	}
	pattern := cs.Positional(0)
	escaped := name != "re.findall" && pattern >= 0 && cs.c.Args[pattern].Literal && crlfPattern(cs.c.Args[pattern].Lit)
	if name == "re.split" && (limited(cs, cs.Keyword("maxsplit")) || limited(cs, cs.Positional(2))) {
		escaped = false // the last item keeps the rest whole
	}
	if sub {
		repl := cs.Keyword("repl")
		if repl < 0 {
			repl = cs.Positional(1)
		}
		counted := limited(cs, cs.Keyword("count")) || limited(cs, cs.Positional(3))
		escaped = escaped && !counted && repl >= 0 && cs.c.Args[repl].Literal && !strings.ContainsAny(cs.c.Args[repl].Lit, "\\\r\n")
		if repl >= 0 {
			for _, d := range cs.args[repl] {
				out = union(out, cs.fr.whole(d)...)
			}
		}
	}
	if escaped {
		for j := range out {
			out[j] = escape(out[j], cs.Loc())
		}
	}
	return out
}

// limited reports whether argument i of the call, when given, may limit
// the matches replaced or split: anything but a literal 0.
func limited(cs *CallSite, i int) bool {
	if i < 0 {
		return false
	}
	v := cs.c.Args[i].Value
	return !(len(v) == 1 && v[0].Root == RootConst && v[0].Name == "0" && len(v[0].Ops) == 0)
}

// crlfPattern reports whether a regular expression, as written, matches
// a lone CR and a lone LF anywhere, and nothing else around them: the
// whole pattern, repeated or not and in a group or not, is \s, a class
// that holds \s or both, or an alternation of \r, \n, \r\n and such
// classes that has a CR alone and an LF alone.
func crlfPattern(p string) bool {
	p = strings.TrimRight(p, "+*")
	for _, open := range []string{"(?:", "("} {
		if strings.HasPrefix(p, open) && strings.HasSuffix(p, ")") {
			p = strings.TrimRight(p[len(open):len(p)-1], "+*")
			break
		}
	}
	if strings.ContainsAny(p, "()") {
		return false
	}
	cr, lf := false, false
	for _, alt := range strings.Split(p, "|") {
		switch {
		case alt == `\s`:
			cr, lf = true, true
		case alt == `\r`:
			cr = true
		case alt == `\n`:
			lf = true
		case alt == `\r\n`:
		case len(alt) > 2 && alt[0] == '[' && alt[len(alt)-1] == ']' && alt[1] != '^' && !strings.Contains(alt[1:len(alt)-1], "]"):
			class := alt[1 : len(alt)-1]
			if strings.Contains(class, `\s`) {
				cr, lf = true, true
			}
			cr = cr || strings.Contains(class, `\r`)
			lf = lf || strings.Contains(class, `\n`)
		default:
			return false
		}
	}
	return cr && lf
}

// copiesVocabObject reports whether a call of name is bytes(x) or
// bytearray(x) of an object of another vocabulary's: a copy of its
// memory (a ctypes buffer) that the vocabulary says what it holds.
func (cs *CallSite) copiesVocabObject(name string) bool {
	if name != "bytes" && name != "bytearray" {
		return false
	}
	for _, a := range cs.args {
		for _, d := range a {
			if v := owner(d.Kind); d.Tag == TagObject && v != nil && v.Name != "django" && v.Call != nil {
				return true
			}
		}
	}
	return false
}

// cleanFunctions return values that carry nothing of their arguments.
var cleanFunctions = map[string]bool{
	"len": true, "bool": true, "hash": true, "type": true, "int": true, "float": true,
	"id": true, "isinstance": true, "callable": true, "hasattr": true, "round": true, "abs": true,
	"complex": true, "any": true, "all": true, "sum": true, "max": true, "min": true,
}

// operationBuiltins are the builtins whose calls are operations on their
// arguments (TagExpr): a length, a bound.
var operationBuiltins = map[string]bool{"len": true, "min": true, "max": true, "int": true}

// cleanMethods are methods whose result carries no content even when
// called on data.
var cleanMethods = map[string]bool{
	"hexdigest": true, "digest": true, "count": true, "startswith": true, "endswith": true,
	"isdigit": true, "isnumeric": true, "isalpha": true, "isalnum": true, "keys": true,
	"is_valid": true, "is_secure": true, "is_ajax": true, "exists": true, "__len__": true,
	"find": true, "index": true, "get_host": true, "get_port": true,
}

// propagators are functions whose result carries their arguments' content.
var propagators = map[string]bool{
	"str": true, "repr": true, "dict": true, "list": true, "tuple": true, "set": true,
	"sorted": true, "reversed": true, "bytes": true, "bytearray": true, "format": true,
	"json.dumps": true, "dumps": true, "copy.copy": true, "copy.deepcopy": true, "deepcopy": true,
	"json.loads": true, "loads": true, "urllib.parse.unquote": true, "unquote": true,
	"urllib.parse.unquote_plus": true, "unquote_plus": true,
	"base64.b64encode": true, "b64encode": true, "base64.b64decode": true, "b64decode": true,
	"pprint.pformat": true, "pformat": true, "frozenset": true, "zip": true, "enumerate": true,
	"json.load": true, "codecs.StreamReader": true, "io.TextIOWrapper": true, "gzip.GzipFile": true,
}

// jsonModules are the JSON libraries other than json whose loads and
// dumps are json's.
var jsonModules = []string{"simplejson", "ujson", "orjson", "rapidjson", "oslo_serialization.jsonutils", "jsonutils"}

func init() {
	for _, m := range jsonModules {
		propagators[m+".loads"], propagators[m+".dumps"], propagators[m+".load"] = true, true, true
		decoders[m+".loads"], decoders[m+".load"], crlfSafe[m+".dumps"] = true, true, true
	}
}

// importByName is Django's import_string("pkg.mod.Name") (a module when
// module is set: importlib.import_module("pkg.mod")) of a name the
// program knows as a constant, a setting's value included: the
// repository's class, function or module so named, else the external
// name.
func (cs *CallSite) importByName(module bool) []Datum {
	i := cs.Positional(0)
	if i < 0 {
		return nil
	}
	var names []string
	for _, d := range cs.args[i] {
		switch {
		case d.Tag == TagConst && d.Kind == "str" && d.Key != "":
			names = append(names, d.Key)
		case d.Tag == TagExt && strings.HasPrefix(d.Name, "django.conf.settings."):
			for _, s := range cs.fr.p.Settings(strings.TrimPrefix(d.Name, "django.conf.settings.")) {
				if s.Value.Kind == LitString && s.Value.Text != "" {
					names = append(names, s.Value.Text)
				}
			}
		}
	}
	var out []Datum
	for _, name := range names {
		if module {
			if m := cs.fr.p.resolve(name, cs.fr.f.mod.File); m != nil {
				out = union(out, Datum{Tag: TagModule, Mod: m})
			}
			continue
		}
		dot := strings.LastIndexByte(name, '.')
		if dot <= 0 {
			continue
		}
		if m := cs.fr.p.resolve(name[:dot], cs.fr.f.mod.File); m != nil {
			out = union(out, cs.fr.moduleAttr(m, name[dot+1:], 0)...)
		} else {
			out = union(out, cs.fr.p.external(name))
		}
	}
	return out
}

// sequenceCopy returns, for a copy of one sequence in another order
// (list, tuple, sorted, reversed, set, frozenset), the sequence itself:
// its items keep their structure (the names of items()' pairs stay names).
func (cs *CallSite) sequenceCopy(name string) ([]Datum, bool) {
	switch name {
	case "list", "tuple", "sorted", "reversed", "set", "frozenset":
	default:
		return nil, false
	}
	i := cs.Positional(0)
	if i < 0 || cs.Positional(1) >= 0 || len(cs.args[i]) == 0 {
		return nil, false
	}
	for _, d := range cs.args[i] {
		if d.Tag != TagSeq {
			return nil, false
		}
	}
	return cs.args[i], true
}

// mappingCopy returns what dict(...) holds when every mapping it copies
// (dict(m), dict(m, **n)) holds its items under keys, or is a parameter:
// those items, still under their keys (a parameter as itself, read at a
// key once the caller binds it), and each keyword argument's value under
// its name; ok false for a mapping whose keys are not known (a form).
func (cs *CallSite) mappingCopy(name string) ([]Datum, bool) {
	if name != "dict" {
		return nil, false
	}
	var out []Datum
	for i, a := range cs.c.Args {
		switch a.Keyword {
		case "", "**":
			for _, d := range cs.args[i] {
				if d.Under == "" && d.Tag != TagSym {
					return nil, false
				}
			}
			out = union(out, cs.args[i]...)
		case "*":
			return nil, false
		default:
			for _, d := range cs.args[i] {
				out = union(out, cs.fr.op(d, DOp{Op: Op{Kind: OpStored, Name: a.Keyword, Span: a.Span}, Mod: cs.fr.f.mod})...)
			}
		}
	}
	return out, true
}

// What map(f, parts) makes of the parts, by f.
const (
	mapKeeps = iota
	mapDrops
	mapDecodes
	mapEscapes
)

// mapped says what the function a map call applies makes of each part:
// a library function that is no propagator keeps nothing of it (int,
// quote), a decoder decodes it, an escaper escapes it; a method of str
// (str.strip) and the repository's functions keep it.
func (cs *CallSite) mapped() int {
	mode := -1
	for _, d := range cs.args[0] {
		m := mapKeeps
		switch {
		case d.Tag != TagExt || strings.HasPrefix(d.Name, "str."):
		case decoders[d.Name]:
			m = mapDecodes
		case crlfSafe[d.Name]:
			m = mapEscapes
		case !propagators[d.Name]:
			m = mapDrops
		}
		if mode >= 0 && m != mode {
			return mapKeeps
		}
		mode = m
	}
	if mode < 0 {
		return mapKeeps
	}
	return mode
}

// undecoded returns ds with CR and LF no longer escaped in their data,
// a sequence's items too: what a decoder makes of them.
func undecoded(ds []Datum) []Datum {
	out := slices.Clone(ds)
	for i := range out {
		switch out[i].Tag {
		case TagData:
			out[i].Flags &^= FlagEscaped
		case TagSeq:
			items := make([][]Datum, len(out[i].Items))
			for j, it := range out[i].Items {
				items[j] = undecoded(it)
			}
			out[i].Items = items
		}
	}
	return out
}

// decoders are propagators whose result is decoded from their argument.
var decoders = map[string]bool{
	"json.loads": true, "loads": true, "json.load": true, "codecs.StreamReader": true, "io.TextIOWrapper": true, "gzip.GzipFile": true, "urllib.parse.unquote": true, "unquote": true,
	"urllib.parse.unquote_plus": true, "unquote_plus": true,
	"base64.b64decode": true, "b64decode": true,
}

// crlfSafe are functions that escape CR and LF while still carrying the
// content.
var crlfSafe = map[string]bool{"repr": true, "json.dumps": true, "dumps": true, "pprint.pformat": true, "pformat": true}

// responseConstructors build Django and DRF responses.
var responseConstructors = map[string]bool{
	"HttpResponse": true, "JsonResponse": true, "Response": true, "StreamingHttpResponse": true,
	"FileResponse": true, "HttpResponseBadRequest": true, "HttpResponseForbidden": true,
	"HttpResponseNotFound": true, "HttpResponseServerError": true, "render": true, "TemplateResponse": true,
}

// httpClients are the calls of HTTP client libraries that return a
// client or a response.
var httpClients = map[string]string{
	"requests.Session": ObjClient, "requests.session": ObjClient, "httpx.Client": ObjClient,
	"httpx.AsyncClient": ObjClient, "urllib3.PoolManager": ObjClient, "urllib3.HTTPConnectionPool": ObjClient,
	"urllib3.HTTPSConnectionPool": ObjClient, "urllib3.connection_from_url": ObjClient,
	"urllib.request.urlopen": ObjClientResponse, "urllib3.request": ObjClientResponse,
	"requests_hardened.Manager": ObjClient,
	// OAuth sessions extend requests' and httpx's clients.
	"requests_oauthlib.OAuth2Session": ObjOAuthClient, "requests_oauthlib.OAuth1Session": ObjOAuthClient,
	"requests_oauthlib.oauth2_session.OAuth2Session":      ObjOAuthClient,
	"requests_oauthlib.oauth1_session.OAuth1Session":      ObjOAuthClient,
	"authlib.integrations.requests_client.OAuth2Session":  ObjOAuthClient,
	"authlib.integrations.requests_client.OAuth1Session":  ObjOAuthClient,
	"authlib.integrations.httpx_client.OAuth2Client":      ObjOAuthClient,
	"authlib.integrations.httpx_client.AsyncOAuth2Client": ObjOAuthClient,
	// A response built by hand (an adapter's, a test's) is a client's.
	"requests.Response": ObjClientResponse, "requests.models.Response": ObjClientResponse, "httpx.Response": ObjClientResponse,
}

func init() {
	for _, lib := range []string{"requests", "httpx"} {
		for _, verb := range []string{"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"} {
			httpClients[lib+"."+verb] = ObjClientResponse
		}
	}
}
