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
from telemetry import emit
from .codec import pack, raw_unpack
from . import helpers


def view(request):
    emit(pack(request.body))
    emit(raw_unpack(b"x")[:4])
    emit(json.dumps(request.GET))
    emit(helpers.label(1))
`,
	})
	var got []string
	for _, ne := range p.NativeEvents("test") {
		for _, d := range ne.Data {
			ref, ok := ParseNativeRef(d.Key)
			mod, fn := ref.Module()
			got = append(got, fmt.Sprintf("%d: %s %s %s.%s from %s:%d, %d steps", ne.Event.Call.Line(), d.Key, map[bool]string{true: "ok"}[ok], mod, fn, d.Origin.Path(), d.Origin.Line(), len(d.Steps)))
		}
	}
	want := []string{
		"8: ext:pkg._codec.pack ok _codec.pack from pkg/codec.py:6, 1 steps",
		"9: ext:pkg._codec.unpack ok _codec.unpack from pkg/views.py:9, 0 steps",
		// helpers.label: a module of the package the model did not read
		"11: ext:pkg.helpers.label ok helpers.label from pkg/views.py:11, 0 steps",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("native events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(p.NativeEvents("other")) != 0 {
		t.Error("native events of a family with no sink")
	}
	for _, key := range []string{"", "ext:", "ctypes:f", "pack"} {
		if _, ok := ParseNativeRef(key); ok {
			t.Errorf("ParseNativeRef(%q) ok", key)
		}
	}
}
