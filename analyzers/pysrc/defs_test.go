package pysrc

import (
	"reflect"
	"strings"
	"testing"
)

var decorated = map[string]string{
	"shop/__init__.py": "",
	"shop/views.py": `from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_page
from telemetry import emit


@cache_page(60 * 15)
@login_required
def catalog(request):
    emit(request.body)


@method_decorator(
    cache_page(60),
    name="dispatch",
)
class Feed(View):
    # a comment between the decorator and the class
    def get(self, request):
        emit(request.GET)

    @property
    def title(self):
        return "feed"


x = build(
    1,
)
def plain(request):
    emit(request.POST)
`,
	"shop/jobs.py": "from telemetry import emit\n\n\ndef run(request):\n    emit(request.body)\n",
}

func TestDefs(t *testing.T) {
	p := buildAll(t, decorated)
	var got []string
	p.Events("test", func(ev *Event) {
		d, ok := p.FuncAt(ev.Call)
		if !ok {
			t.Fatalf("no function at %s:%d", ev.Call.Path(), ev.Call.Line())
		}
		s := d.Name + " " + strings.Join(d.Decorators, "; ")
		if d.Class != nil {
			s += " in " + d.Class.Name + " " + strings.Join(d.Class.Decorators, "; ")
		}
		got = append(got, s)
	})
	want := []string{
		"shop.jobs.run ",
		"shop.views.catalog cache_page(60 * 15); login_required",
		"shop.views.Feed.get  in shop.views.Feed method_decorator( cache_page(60), name=\"dispatch\", )",
		"shop.views.plain ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events' functions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	d, ok := p.Lookup("shop.views.Feed.title")
	if !ok || !reflect.DeepEqual(d.Decorators, []string{"property"}) || d.Class == nil || p.Text(d.Loc)[:9] != "def title" {
		t.Errorf("Lookup(Feed.title) = %+v, %v", d, ok)
	}
	if d, ok := p.Lookup("shop.views.Feed"); !ok || !strings.HasPrefix(p.Text(d.Loc), "class Feed(View):") {
		t.Errorf("Lookup(Feed) = %+v, %v", d, ok)
	}
	var all []string
	p.Defs(func(d Def) { all = append(all, d.Name) })
	if want := "shop.jobs.run shop.views.Feed shop.views.catalog shop.views.Feed.get shop.views.Feed.title shop.views.plain"; strings.Join(all, " ") != want {
		t.Errorf("Defs: %s\nwant: %s", strings.Join(all, " "), want)
	}
	if _, ok := p.Lookup("shop.views.missing"); ok {
		t.Error("Lookup found a name no module defines")
	}
}

func TestUnmodelled(t *testing.T) {
	p := buildAll(t, map[string]string{"src/shop/__init__.py": "", "src/shop/views.py": "def v(request):\n    pass\n"})
	cs := &CallSite{fr: &frame{p: p}}
	for name, want := range map[string]bool{
		"shop._codec.pack":     true,  // a package of the repository, below src/
		"src.shop._codec.pack": true,  // a relative import, named from the root
		"_speedups.encode":     true,  // a private top-level module
		"requests.get":         false, // a library
		"json.dumps":           false,
		"_json.scanstring":     false, // the standard library's
		"_PLUGINS.get":         false, // a module's constant
		"__builtins__.open":    false,
		"os.path.join":         false,
		"pack":                 false,
		"numpy.core._umath.x":  false,
	} {
		if got := cs.Unmodelled(name); got != want {
			t.Errorf("Unmodelled(%s) = %v, want %v", name, got, want)
		}
	}
}

// TestDecoratorsOldMacLineEndings reads decorators above a definition in a
// file whose lines end in a lone carriage return as in one of line feeds.
func TestDecoratorsOldMacLineEndings(t *testing.T) {
	for _, eol := range []string{"\n", "\r", "\r\n"} {
		src := strings.ReplaceAll("import os\n\n@cache_page(60)\n@login_required\ndef f(request):\n    pass\n", "\n", eol)
		got := decorators([]byte(src), uint32(strings.Index(src, "def f")))
		if want := []string{"cache_page(60)", "login_required"}; !reflect.DeepEqual(got, want) {
			t.Errorf("%q: decorators %q, want %q", eol, got, want)
		}
	}
}
