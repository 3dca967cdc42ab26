package crosslang

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// What crosslang tells the Python model: what makes a module worth
// modelling for it (that it may import a compiled extension, the
// settings that list certificate checks, the checks), and the calls that
// pass bytes on unchanged (io.BytesIO, hex and base64 encodings). Native bytes are the model's own data
// (pysrc.DataNative); responses, the cache (pysrc.OutputSinks) and logs
// (pysrc.LogSinks) its own sinks.

func init() {
	pysrc.Register(&pysrc.Vocabulary{
		Name:          "crosslang",
		Prefilter:     []string{"MIDDLEWARE", "REST_FRAMEWORK", "CLIENT_VERIFY", "Client-Verify"},
		NativeImports: true,
		Call:          passOn,
	})
}

// passers are calls whose result carries their arguments' bytes.
var passers = map[string]bool{
	"io.BytesIO": true, "io.StringIO": true, "binascii.hexlify": true, "binascii.b2a_hex": true,
	"binascii.b2a_base64": true, "base64.urlsafe_b64encode": true, "base64.b32encode": true,
	"base64.b16encode": true, "base64.b85encode": true, "codecs.encode": true,
}

// passOn gives the calls that encode or wrap bytes their arguments' data
// (an object's, such as a ctypes buffer's read, when written out whole).
func passOn(c *pysrc.CallSite) ([]pysrc.Datum, bool) {
	for _, name := range c.Callees() {
		if !passers[name] {
			continue
		}
		var out []pysrc.Datum
		for i := range c.NumArgs() {
			for _, d := range c.ArgData(i) {
				if d.Tag == pysrc.TagObject {
					// a read of native memory: its bytes
					for _, w := range c.Eval().Whole(d) {
						if w.Tag == pysrc.TagData {
							out = append(out, w)
						}
					}
				}
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
