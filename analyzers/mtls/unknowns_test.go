package mtls

import (
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// parsed returns the analysis of src as the file at path.
func parsed(t *testing.T, path, src string) *analysis {
	t.Helper()
	file := source.NewFile(path, source.Python, []byte(src))
	p := source.NewParser(5 * time.Second)
	t.Cleanup(p.Close)
	if err := p.Parse(file); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(file.Close)
	pass := &analyzers.Pass{Analyzer: Analyzer, File: file, Settings: analyzers.Settings{}}
	return newAnalysis(pass)
}

func TestImportsResolve(t *testing.T) {
	a := parsed(t, "src/app/sub/views.py", `
from .certs import verify_client_cert as vcc, other
from ..net import via_edge
from . import checks
from ... import toplevel
from .... import too_far
import app.guards
import app.net as net
from django.contrib.auth import login
import hashlib
`)
	for name, want := range map[string]string{
		"vcc":                  "src.app.sub.certs.verify_client_cert",
		"other":                "src.app.sub.certs.other",
		"via_edge":             "src.app.net.via_edge",
		"checks.require":       "src.app.sub.checks.require",
		"toplevel":             "src.toplevel",
		"too_far":              "",
		"app.guards.from_edge": "app.guards.from_edge",
		"net.via":              "app.net.via",
		"login":                "", // outside the repository
		"hashlib.sha256":       "",
		"verify_client_cert":   "", // bound under its alias only
		"":                     "",
	} {
		if got := a.resolve(name); got != want {
			t.Errorf("resolve(%q) = %q, want %q", name, got, want)
		}
	}
	root := parsed(t, "middleware.py", "from . import certs\nfrom .net import via_edge\nfrom .. import nothing\n")
	for name, want := range map[string]string{"certs.verify": "certs.verify", "via_edge": "net.via_edge", "nothing": ""} {
		if got := root.resolve(name); got != want {
			t.Errorf("at the root, resolve(%q) = %q, want %q", name, got, want)
		}
	}
	if got := modulePath("app/certs/__init__.py"); got != "app.certs" {
		t.Errorf("modulePath of a package = %q", got)
	}
}

func TestReadsNamedKey(t *testing.T) {
	for src, want := range map[string]bool{
		`request.META.get(settings.REMOTE_USER_HEADER)`:               true,
		`request.META[ settings.X ]`:                                  true,
		`request.headers.get(getattr(settings, "X"))`:                 true,
		`environ.get(settings.KEY, "")`:                               true,
		"    header = settings.REMOTE_AUTH_HEADER\n":                  true,
		`from django.conf import settings`:                            false,
		`x = settings.DEBUG and request.META.get("HTTP_X_FORWARDED")`: false,
		`request.META.get("HTTP_HOST") == settings.ALLOWED_HOSTS[0]`:  false,
		`cache.get(settings.CACHE_KEY)`:                               false,
		`my_header = settings.X`:                                      false,
		`request.headers.get(USER_DN_HEADER)`:                         true,
		`request.META[conf.DN_KEY]`:                                   true,
		`request.headers.get(name)`:                                   false,
		`settings`:                                                    false,
	} {
		if got := readsNamedKey([]byte(src)); got != want {
			t.Errorf("readsNamedKey(%q) = %v, want %v", src, got, want)
		}
	}
}

// TestWorldEncoding checks that judge's worlds are numbered the way Finish
// encodes their states (see actualWorld), and that every world is met.
func TestWorldEncoding(t *testing.T) {
	dims := []dim{{states: extStates}, {states: settingStates}, {states: 2}}
	states := make([]int, len(dims))
	n := extStates * settingStates * 2
	for want := 0; want < n; want++ {
		if want > 0 {
			next(states, dims)
		}
		index := 0
		for i, d := range dims {
			index = index*d.states + states[i]
		}
		if index != want {
			t.Fatalf("world %d has states %v, which encode %d", want, states, index)
		}
	}
	if next(states, dims); states[0]+states[1]+states[2] != 0 {
		t.Errorf("after the last world: %v", states)
	}
}

func TestSatisfies(t *testing.T) {
	for _, c := range []struct {
		s    checkState
		n    need
		want bool
	}{
		{soundVerify, needVerify, true},
		{spoofableVerify, needVerify, false},
		{spoofableVerify | guardCheck, needVerify, true},
		{weakCheck | guardCheck, needVerify, false},
		{guardCheck, needGuard, true},
		{soundVerify, needGuard, false},
		{soundVerify | guardCheck, needGuard | needVerify, true},
		{soundVerify | guardCheck, 0, false},
	} {
		if got := c.s.satisfies(c.n); got != c.want {
			t.Errorf("%d satisfies %d = %v", c.s, c.n, got)
		}
	}
}

func TestExtID(t *testing.T) {
	e := &ext{name: "app.certs.check", use: 'x', spoofable: true}
	name, use, sp := splitExtID(e.id())
	if name != e.name || use != 'x' || !sp {
		t.Errorf("splitExtID(%q) = %q %c %v", e.id(), name, use, sp)
	}
}

func TestWorldSetRoundTrip(t *testing.T) {
	var s worldSet
	for _, i := range []int{0, 63, 64, 700, 2047} {
		s.add(i)
	}
	back, err := parseWorldSet(s.String())
	if err != nil {
		t.Fatal(err)
	}
	for i := range maxWorlds {
		if back.has(i) != s.has(i) || s.has(i) != (i == 0 || i == 63 || i == 64 || i == 700 || i == 2047) {
			t.Fatalf("world %d: %v after the round trip of %q", i, back.has(i), s.String())
		}
	}
	if s.full(1) != true || s.full(2) {
		t.Errorf("full: %v %v", s.full(1), s.full(2))
	}
	if _, err := parseWorldSet("zz"); err == nil {
		t.Error("a malformed set parses")
	}
}
