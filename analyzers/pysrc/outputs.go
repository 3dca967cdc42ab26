package pysrc

import "strings"

// Outputs are a vocabulary of the model: where a Django service sends
// data out besides its logs — the responses Django and DRF send, and
// Django's cache, which later requests read. Their sinks are heard as
// OutputSinks events, for any family that judges what leaves.

// OutputSinks is the Family of the sinks that send data out of the
// service besides logs.
const OutputSinks = "outputs"

// The kinds of output sinks: a response's content, a cache's value.
const (
	SinkResponse = "response"
	SinkCache    = "cache"
)

// ObjCache is one of Django's caches; ObjCaches is
// django.core.cache.caches, whose items are caches.
const (
	ObjCache  = "django.cache"
	ObjCaches = "django.caches"
)

func init() {
	// A module that sends data out handles a request, or is needed by
	// one that does: "Response(" or "cache" would read many more.
	Register(&Vocabulary{
		Name:      "outputs",
		Prefilter: []string{"request"},
		Objects:   []*ObjectKind{{Name: ObjCache}, {Name: ObjCaches, Item: ObjCache}},
		Globals:   map[string]string{"django.core.cache.cache": ObjCache, "django.core.cache.caches": ObjCaches},
		Sink:      outputSink,
		Candidate: outputCandidate,
	})
}

// responseContent maps Django's and DRF's response classes, by last
// name, to the keyword of the argument that is their content (the
// first positional one otherwise).
var responseContent = map[string]string{
	"HttpResponse": "content", "JsonResponse": "data", "StreamingHttpResponse": "streaming_content",
	"FileResponse": "streaming_content", "Response": "data",
	"HttpResponseBadRequest": "content", "HttpResponseForbidden": "content", "HttpResponseNotFound": "content",
	"HttpResponseServerError": "content",
}

// cacheStores are the methods of a cache that store a value, with the
// position and keyword of the value.
var cacheStores = map[string]struct {
	at      int
	keyword string
}{
	"set": {1, "value"}, "add": {1, "value"}, "set_many": {0, "data"}, "get_or_set": {1, "default"},
	"aset": {1, "value"}, "aadd": {1, "value"}, "aset_many": {0, "data"}, "aget_or_set": {1, "default"},
}

// outputSink recognizes a response's construction, a response's write
// and a cache's store.
func outputSink(c *CallSite) (Sink, bool) {
	if _, ok := c.RecvKind(ObjCache); ok {
		m, known := cacheStores[c.Method()]
		if !known {
			return Sink{}, false
		}
		return Sink{Family: OutputSinks, Kind: SinkCache, Uses: argUse(c, m.at, m.keyword)}, true
	}
	if _, ok := c.RecvKind(ObjResponse); ok && (c.Method() == "write" || c.Method() == "writelines") {
		return Sink{Family: OutputSinks, Kind: SinkResponse, Uses: argUse(c, 0, "")}, true
	}
	for _, name := range c.Callees() {
		if kw, ok := responseContent[lastName(name)]; ok && djangoName(name) {
			return Sink{Family: OutputSinks, Kind: SinkResponse, Uses: argUse(c, 0, kw)}, true
		}
	}
	return Sink{}, false
}

// djangoName reports whether a callee's dotted name is Django's or
// DRF's, or a bare name nothing defines: not a class of the project (nor
// of a module of the project the model did not read) named Response.
func djangoName(name string) bool {
	return !strings.Contains(name, ".") || strings.HasPrefix(name, "django.") || strings.HasPrefix(name, "rest_framework.")
}

// argUse says that the argument at position at (from 0), or the
// keyword argument keyword, reaches a sink.
func argUse(c *CallSite, at int, keyword string) []Use {
	uses := make([]Use, c.NumArgs())
	if i := c.Positional(at); i >= 0 {
		uses[i] = UseData
	}
	if i := c.Keyword(keyword); keyword != "" && i >= 0 {
		uses[i] = UseData
	}
	return uses
}

// outputCandidate reports whether a call may be an output sink.
func outputCandidate(name, method string) bool {
	if _, ok := responseContent[lastName(name)]; ok {
		return true
	}
	if _, ok := cacheStores[method]; ok {
		return name == "" || strings.Contains(strings.ToLower(name), "cache")
	}
	return (method == "write" || method == "writelines") && strings.Contains(strings.ToLower(name), "resp")
}
