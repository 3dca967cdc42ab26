package crosslang

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// What crosslang tells the Python model: its sinks (the responses
// Django and DRF send, Django's cache), and the calls that pass bytes on
// unchanged (io.BytesIO, hex and base64 encodings). Logs are the
// model's own sinks (pysrc.LogSinks); native bytes its own data
// (pysrc.DataNative).

// family is the Family of this vocabulary's sinks.
const family = "crosslang"

// The kinds of this vocabulary's sinks.
const (
	sinkResponse = "response"
	sinkCache    = "cache"
)

// objCache is one of Django's caches; objCaches is django.core.cache.caches,
// whose items are caches.
const (
	objCache  = "django.cache"
	objCaches = "django.caches"
)

func init() {
	pysrc.Register(&pysrc.Vocabulary{
		Name:      family,
		Prefilter: []string{"Response(", "cache", "import _", "from ._", "MIDDLEWARE", "CLIENT_VERIFY", "Client-Verify"},
		Objects:   []*pysrc.ObjectKind{{Name: objCache}, {Name: objCaches, Item: objCache}},
		Globals:   map[string]string{"django.core.cache.cache": objCache, "django.core.cache.caches": objCaches},
		Call:      passOn,
		Sink:      sink,
		Candidate: candidate,
	})
}

// responses are Django's and DRF's response classes, by last name, with
// the keyword of the argument that is their content (the first
// positional one otherwise).
var responses = map[string]string{
	"HttpResponse": "content", "JsonResponse": "data", "StreamingHttpResponse": "streaming_content",
	"FileResponse": "streaming_content", "Response": "data",
	"HttpResponseBadRequest": "content", "HttpResponseForbidden": "content", "HttpResponseNotFound": "content",
	"HttpResponseServerError": "content",
}

// cacheMethods are the methods of a cache that store a value, with the
// position and keyword of the value.
var cacheMethods = map[string]struct {
	at      int
	keyword string
}{
	"set": {1, "value"}, "add": {1, "value"}, "set_many": {0, "data"}, "get_or_set": {1, "default"},
	"aset": {1, "value"}, "aadd": {1, "value"}, "aset_many": {0, "data"}, "aget_or_set": {1, "default"},
}

// passers are calls whose result carries their arguments' bytes.
var passers = map[string]bool{
	"io.BytesIO": true, "io.StringIO": true, "binascii.hexlify": true, "binascii.b2a_hex": true,
	"binascii.b2a_base64": true, "base64.urlsafe_b64encode": true, "base64.b32encode": true,
	"base64.b16encode": true, "base64.b85encode": true, "codecs.encode": true,
}

// sink recognizes a response's construction, a response's write and a
// cache's store.
func sink(c *pysrc.CallSite) (pysrc.Sink, bool) {
	if _, ok := c.RecvKind(objCache); ok {
		m, known := cacheMethods[c.Method()]
		if !known {
			return pysrc.Sink{}, false
		}
		return pysrc.Sink{Family: family, Kind: sinkCache, Uses: argUse(c, m.at, m.keyword)}, true
	}
	if _, ok := c.RecvKind(pysrc.ObjResponse); ok && (c.Method() == "write" || c.Method() == "writelines") {
		return pysrc.Sink{Family: family, Kind: sinkResponse, Uses: argUse(c, 0, "")}, true
	}
	for _, name := range c.Callees() {
		if kw, ok := responses[lastName(name)]; ok && framework(name) {
			return pysrc.Sink{Family: family, Kind: sinkResponse, Uses: argUse(c, 0, kw)}, true
		}
	}
	return pysrc.Sink{}, false
}

// framework reports whether a callee's dotted name is Django's or DRF's
// (or a name the repository does not define): not the project's own
// Response class.
func framework(name string) bool {
	return !strings.Contains(name, ".") || strings.HasPrefix(name, "django.") || strings.HasPrefix(name, "rest_framework.")
}

// argUse says that the argument at position at (from 0), or the
// keyword argument keyword, reaches the sink.
func argUse(c *pysrc.CallSite, at int, keyword string) []pysrc.Use {
	uses := make([]pysrc.Use, c.NumArgs())
	if i := c.Positional(at); i >= 0 {
		uses[i] = pysrc.UseData
	}
	if i := c.Keyword(keyword); keyword != "" && i >= 0 {
		uses[i] = pysrc.UseData
	}
	return uses
}

// candidate reports whether a call may be one of the sinks.
func candidate(name, method string) bool {
	if _, ok := responses[lastName(name)]; ok {
		return true
	}
	if _, ok := cacheMethods[method]; ok {
		return name == "" || strings.Contains(strings.ToLower(name), "cache")
	}
	return (method == "write" || method == "writelines") && strings.Contains(strings.ToLower(name), "resp")
}

// passOn gives the calls that encode or wrap bytes their arguments' data.
func passOn(c *pysrc.CallSite) ([]pysrc.Datum, bool) {
	for _, name := range c.Callees() {
		if !passers[name] {
			continue
		}
		var out []pysrc.Datum
		for i := range c.NumArgs() {
			for _, d := range c.ArgData(i) {
				if d.Tag == pysrc.TagData {
					out = append(out, d)
				}
			}
		}
		return out, true
	}
	return nil, false
}

// lastName returns the last component of a dotted name.
func lastName(name string) string { return name[strings.LastIndexByte(name, '.')+1:] }
