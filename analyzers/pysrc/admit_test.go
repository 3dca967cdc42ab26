package pysrc

import (
	"io/fs"
	"maps"
	"slices"
	"testing"

	"github.com/residue-sec/residue/analyzers"
)

// admitRepo is a repository shaped like Pillow's and Django's: a
// package with a compiled extension (_imaging, no .py) beside private
// Python modules, one of which re-exports it (_native.py, and the
// package _impl), and a package of Python modules with private names;
// an extension whose package its importer's folders do not reach
// (libs/inventory), one whose source sits in a folder without
// __init__.py (inventory/_codes, and its stub), and a chain of private
// re-exports longer than admit reads.
var admitRepo = map[string]string{
	"Tests/helper.py":              "import os\n",
	"django/utils/__init__.py":     "",
	"django/utils/regex_helper.py": "import re\nfrom django.utils.functional import SimpleLazyObject\n",
	"libs/inventory/__init__.py":   "",
	"libs/inventory/views.py":      "",
	"inventory/__init__.py":        "",
	"inventory/_codes/gen.py":      "",
	"stubs/_codes/__init__.pyi":    "",
	"stubs/__init__.py":            "",
	"setup.py":                     "",
	"src/PIL/Image.py":             "",
	"src/PIL/__init__.py":          "from . import _version\n",
	"src/PIL/_version.py":          "__version__ = '1'\n",
	"src/PIL/_binary.py":           "from struct import pack, unpack_from\n",
	"src/PIL/_typing.py":           "import os\nfrom typing import Any\n",
	"src/PIL/_native.py":           "from ._imaging import decode  # the extension\n",
	"src/PIL/_impl/__init__.py":    "from .._imaging import decode\n",
	"src/PIL/native.py":            "from ._imaging import decode\n",
	"src/PIL/_compat.py":           "from ._binary import i16\nfrom .native import decode\n",
	"src/PIL/_compat2.py":          "from . import native\n",
	"src/PIL/_a.py":                "from ._b import x\n",
	"src/PIL/_b.py":                "from ._c import x\n",
	"src/PIL/_c.py":                "from ._d import x\n",
	"src/PIL/_d.py":                "x = 1\n",
	"src/PIL/codecs/__init__.py":   "",
	"src/PIL/codecs/_jpeg.py":      "",
	"uvloop/__init__.py":           "",
	"uvloop/_testbase.py":          "",
}

// admitting returns an import reader of admitRepo.
func admitting(file string) *importReader {
	files := slices.Sorted(maps.Keys(admitRepo))
	read := func(path string) ([]byte, error) {
		if src, ok := admitRepo[path]; ok {
			return []byte(src), nil
		}
		return nil, fs.ErrNotExist
	}
	return &importReader{files: repoFiles(files), read: read, seen: map[string]bool{file: true}}
}

func TestImportsNative(t *testing.T) {
	for _, c := range []struct {
		file, src string
		want      bool
	}{
		// Private Python modules and private names of Python modules.
		{"src/PIL/Image.py", "from ._binary import i16\nfrom ._typing import StrOrBytesPath\n", false},
		{"src/PIL/Image.py", "from . import _binary\n", false},
		{"src/PIL/Image.py", "from .codecs import _jpeg as jpeg\n", false},
		{"src/PIL/Image.py", "from .codecs._jpeg import (\n    decode,  # the decoder\n    encode,\n)\n", false},
		{"django/utils/text.py", "from django.utils.regex_helper import _lazy_re_compile\n", false},
		{"Tests/test_loop.py", "from uvloop import _testbase as tb\n", false},
		{"Tests/test_image.py", "from PIL import _binary\n", false},
		{"app.py", "import _thread\nfrom asyncio.coroutines import _format_coroutine\nimport os, sys\n", false},
		{"app.py", "import os; from django.utils.regex_helper import _lazy_re_compile\n", false},
		{"app.py", "from django.utils.regex_helper \\\n    import _lazy_re_compile\n", false},
		{"app.py", "from numpy.core import _multiarray_umath\n", false}, // not the repository's
		// A compiled extension's module, or what may be one.
		{"src/PIL/Image.py", "from . import _imaging as core\n", true},
		{"src/PIL/Image.py", "from ._binary import i16\nfrom . import _binary, _imagingft\n", true},
		{"src/PIL/Image.py", "from ._speedups import escape\n", true},
		{"src/PIL/codecs/jpeg.py", "from .._imaging import decoder\n", true},
		{"Tests/test_image.py", "from PIL import _imaging\n", true},
		{"Tests/test_image.py", "from PIL._imaging import new\n", true},
		{"app.py", "import _speedups\n", true},
		{"Tests/test_loop.py", "from uvloop.loop import _testhelper_unwrap\n", true},
		{"django/utils/text.py", "from django.utils import _os_helpers\n", true}, // a submodule, or a name of __init__.py
		// Through a private module or package of the repository that
		// re-exports it, a package its importer's folders do not reach,
		// a folder without __init__.py (or with a stub only), a chain
		// longer than admit reads.
		{"src/PIL/Image.py", "from ._native import decode\n", true},
		{"src/PIL/Image.py", "from ._impl import decode\n", true},
		{"src/PIL/Image.py", "from ._compat import decode\n", true},
		{"src/PIL/Image.py", "from ._compat2 import native\n", true},
		{"Tests/test_image.py", "from PIL._native import decode\n", true},
		{"web/labels.py", "from libs_alias import _codes\n", false},
		{"web/app/labels.py", "import libs.inventory._codes\n", true},
		{"web/labels.py", "from inventory import _codes\n", true},
		{"inventory/labels.py", "from ._codes import padded\n", true},
		{"stubs/labels.py", "from . import _codes\n", true},
		{"src/PIL/Image.py", "from ._a import x\n", true},
		{"src/PIL/Image.py", "from ._b import x\n", false},
		{"src/PIL/Image.py", "from ._missing_py import x\nfrom ._binary import i16\n", true},
		// A literal outside an import statement it reads is kept.
		{"app.py", "if fast:\n    import os\nelse: import _speedups\n", true},
		{"app.py", "'''Use `from ._speedups import escape`.'''\n", true},
	} {
		if got := admitting(c.file).native(c.file, []byte(c.src), 0); got != c.want {
			t.Errorf("%s: %q: got %v, want %v", c.file, c.src, got, c.want)
		}
	}
}

// TestAdmit: only a file that the native imports' literals alone let
// through is read for its imports, and "request" counts as a word.
func TestAdmit(t *testing.T) {
	for _, c := range []struct {
		src           string
		lits          []string
		take, byFiles bool
	}{
		{"from ._binary import i16\n", []string{"from ._"}, false, true},
		{"from . import _imaging\n", []string{"import _"}, true, true},
		{"from ._binary import i16\n\ndef view(request):\n    return i16(request.body)\n", []string{"from ._", "request"}, true, false},
		{"from ._binary import i16\nlogger.info(x)\n", []string{"from ._", ".info("}, true, false},
		// "request" names a request or a client, else nothing.
		{"def view(http_request):\n    pass\n", []string{"request"}, true, false},
		{"data = self.request", []string{"request"}, true, false},
		{"import requests\n", []string{"request"}, true, false},
		{"from requests_hardened import Manager\n", []string{"request"}, true, false},
		{"from urllib.request import urlopen\n", []string{"request"}, true, false},
		{"def process_request(self, r):\n    pass\n", []string{"request"}, true, false},
		// A log method counts on another receiver than the warnings
		// module or Django's messages framework written alone.
		{"import warnings\nwarnings.warn('old')\n", []string{".warn("}, false, false},
		{"messages.success(req, 'saved')\nmessages.warning(req, 'x')\n", []string{".success(", ".warning("}, false, false},
		{"warnings.warn('old')\nlog.warn('x')\n", []string{".warn("}, true, false},
		{"from django.contrib import messages as m\nm.success(req, 'saved')\n", []string{".success("}, true, false},
		{"django.contrib.messages.success(req, 'saved')\n", []string{".success("}, true, false},
		{"mywarnings.warn('x')\n", []string{".warn("}, true, false},
		{"warnings.warn('old')\nfrom . import _imaging\n", []string{".warn(", "import _"}, true, true},
		{"class V(View):\n    def get(self, request_obj):\n        pass\n", []string{"request"}, true, false},
		{"# the requested size\nrequestor = staff\nsend_webhook_request_sync(request_data)\nrequestsé = 1\n", []string{"request"}, false, false},
		{"# the requested size\nfrom ._binary import i16\n", []string{"from ._", "request"}, false, true},
		{"# the requested size\nfrom . import _imaging\n", []string{"import _", "request"}, true, true},
	} {
		imp := admitting("")
		pass := &analyzers.AdmitPass{Path: "src/PIL/Image.py", Src: []byte(c.src), Files: imp.files, Read: imp.read, Literals: c.lits}
		if take, byFiles := admit(pass); take != c.take || byFiles != c.byFiles {
			t.Errorf("%q %q: take %v byFiles %v, want %v %v", c.src, c.lits, take, byFiles, c.take, c.byFiles)
		}
	}
}

// FuzzImportsNative: any text is read without a panic, and a line that
// holds a native import's literal outside a statement read keeps the
// file.
func FuzzImportsNative(f *testing.F) {
	for _, s := range []string{"from . import _imaging as core\n", "from .codecs._jpeg import (\n    decode,  # x\n)\n",
		"import os; from ._x import y\n", "from a \\\n import _b\n", "from ... import (\n", "import _é\n"} {
		f.Add("src/PIL/Image.py", s)
	}
	f.Fuzz(func(t *testing.T, file, src string) {
		admitting(file).native(file, []byte(src), 0)
		if !admitting(file).native(file, []byte(src+"\nx = 1; import _speedups\n"), 0) {
			t.Errorf("%q: an import after code on its line is not kept", src)
		}
	})
}
