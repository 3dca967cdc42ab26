package logging

import (
	"testing"

	"github.com/residue-sec/residue/analyzers/analyzertest"
	"github.com/residue-sec/residue/analyzers/source"
)

// FuzzLogging runs the analyzer over arbitrary Python: no input may make it
// fail or report a malformed finding.
func FuzzLogging(f *testing.F) {
	for _, seed := range []string{
		"def v(request):\n    logger.info('%s', request.body)\n",
		"def v(request):\n    x = {k: v for k, v in request.headers.items() if k}\n    log.info(x)\n",
		"class M:\n    def __call__(self, request):\n        r = self.get_response(request)\n        log.error(r.content)\n",
		"LOGGING = {'filters': {'r': {'()': 'a.B'}}, 'loggers': {'': {'handlers': ['h']}}}\n",
		"def v(request):\n    a = b = request.GET\n    a += request.POST\n    print(f'{a!r}')\n",
		"def v(request):\n    with open(x) as (a, b):\n        for [c, *d] in request.FILES:\n            log.info(c)\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		analyzertest.Robust(t, source.Python, src, Analyzer)
	})
}
