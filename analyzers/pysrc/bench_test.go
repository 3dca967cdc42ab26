package pysrc

import (
	"fmt"
	"testing"
)

// benchRepo is a Django-like repository of n view modules, each calling
// helpers of a core package, a wrapper that writes, and a class of
// another module.
func benchRepo(n int) map[string]string {
	files := map[string]string{
		"core/__init__.py": "from .text import shorten\nfrom .audit import audit\n",
		"core/text.py":     "def shorten(value, limit=80):\n    return value[:limit]\n\n\ndef size(value):\n    return len(value)\n",
		"core/audit.py":    "from telemetry import emit\n\n\ndef audit(event, payload):\n    emit(event, payload)\n",
	}
	for i := range n {
		files[fmt.Sprintf("app%d/views.py", i)] = fmt.Sprintf(`from core import audit, shorten
from core.text import size
from app%[1]d.models import Order%[1]d


class OrderView%[1]d:
    def post(self, request, *args, **kwargs):
        body = shorten(request.body)
        audit("order.%[1]d", body)
        audit("size", size(request.body))
        order = Order%[1]d(request.POST)
        order.save(request.POST.get("note"))
        return self.respond(order)

    def respond(self, order):
        return {"id": order.pk}
`, i)
		files[fmt.Sprintf("app%d/models.py", i)] = fmt.Sprintf(`class Order%[1]d:
    def __init__(self, data):
        self.data = data

    def save(self, note):
        self.note = note
        return self.data
`, i)
	}
	return files
}

func BenchmarkExtract(b *testing.B) {
	files := benchRepo(100)
	for b.Loop() {
		extractAll(b, files)
	}
}

func BenchmarkBuild(b *testing.B) {
	parts := extractAll(b, benchRepo(100))
	for b.Loop() {
		p, err := build(parts)
		if err != nil {
			b.Fatal(err)
		}
		// The body reaches the wrapper through shorten; its size does not.
		if evs := events(p.(*Program), "app7/views.py"); len(evs) != 1 {
			b.Fatalf("events %q", evs)
		}
	}
}

// BenchmarkRoundTrip encodes and decodes the parts, as the cache does.
func BenchmarkRoundTrip(b *testing.B) {
	parts := extractAll(b, benchRepo(100))
	for b.Loop() {
		roundTrip(b, parts)
	}
}

// BenchmarkStarImportCycle builds four modules that star-import one
// another and 30 views that import from them a name none binds: cached
// resolutions walk the cycle once, not once a path through it.
func BenchmarkStarImportCycle(b *testing.B) {
	files := map[string]string{"p/__init__.py": ""}
	for k := range 4 {
		var src string
		for j := range 4 {
			if j != k {
				src += fmt.Sprintf("from p.s%d import *\n", j)
			}
		}
		files[fmt.Sprintf("p/s%d.py", k)] = src
	}
	for i := range 30 {
		files[fmt.Sprintf("app%d/views.py", i)] = "from telemetry import emit\nfrom p.s0 import missing\n\n\ndef view(request):\n    emit(missing(request.body))\n"
	}
	parts := extractAll(b, files)
	for b.Loop() {
		if _, err := build(parts); err != nil {
			b.Fatal(err)
		}
	}
}

// chainedAssignments is a parser of a file line by line, as lib2to3's
// pgen converter reads one: a position assigned again and again
// (lineno, line = lineno+1, next(f)) in nested loops and branches, whose
// values share their operands.
func chainedAssignments(n int) map[string]string {
	src := "from telemetry import emit\n\n\ndef parse(request, f):\n    lineno, line = 0, \"\"\n    while line:\n"
	for i := range n {
		src += "        lineno, line = lineno+1, next(f)\n"
		if i%4 == 3 {
			src += fmt.Sprintf("        while line.startswith(%q):\n            lineno, line = lineno+1, next(f)\n            assert line, (lineno, line)\n", fmt.Sprint(i))
		}
	}
	src += "    emit(request.body, (lineno, line))\n"
	return map[string]string{"conv.py": src}
}

// TestChainedAssignments: each operation of a value is resolved once per
// call, however many names and joins share it, so that a file of a
// hundred such assignments is built (a build resolving them anew for
// each use never ends).
func TestChainedAssignments(t *testing.T) {
	p := buildAll(t, chainedAssignments(100))
	if evs := events(p, "conv.py"); len(evs) != 1 {
		t.Errorf("events %q, want the body emitted", evs)
	}
}

func BenchmarkChainedAssignments(b *testing.B) {
	parts := extractAll(b, chainedAssignments(100))
	for b.Loop() {
		if _, err := build(parts); err != nil {
			b.Fatal(err)
		}
	}
}
