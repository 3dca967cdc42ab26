package pysrc

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestNativeEvents(t *testing.T) {
	p := buildAll(t, map[string]string{
		"pkg/__init__.py": "",
		"pkg/codec.py": `from . import _codec
from ._codec import unpack as raw_unpack


def pack(data):
    return _codec.pack(data)
`,
		"pkg/views.py": `import json
import logging
from django.http import HttpResponse
from telemetry import emit
from .codec import pack, raw_unpack
from . import helpers

log = logging.getLogger(__name__)


def view(request):
    HttpResponse(pack(request.body))
    log.info("%s", raw_unpack(b"x")[:4])
    HttpResponse(json.dumps(request.GET))
    HttpResponse(helpers.label(1))
    emit(pack(b""))
`,
	})
	var got []string
	for _, ne := range p.NativeEvents() {
		for _, d := range ne.Data {
			ref, ok := ParseNativeRef(d.Key)
			mod, fn := ref.Module()
			got = append(got, fmt.Sprintf("%d: %s %s %s.%s from %s:%d, %d steps", ne.Event.Call.Line(), d.Key, map[bool]string{true: "ok"}[ok], mod, fn, d.Origin.Path(), d.Origin.Line(), len(d.Steps)))
		}
	}
	want := []string{
		"12: ext:pkg._codec.pack ok _codec.pack from pkg/codec.py:6, 1 steps",
		"13: ext:pkg._codec.unpack ok _codec.unpack from pkg/views.py:13, 0 steps",
		// helpers.label: a module of the package the model did not read
		"15: ext:pkg.helpers.label ok helpers.label from pkg/views.py:15, 0 steps",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("native events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, key := range []string{"", "ext:", "ctypes:f", "pack"} {
		if _, ok := ParseNativeRef(key); ok {
			t.Errorf("ParseNativeRef(%q) ok", key)
		}
	}
}
