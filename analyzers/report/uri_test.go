package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestEncodeURI(t *testing.T) {
	for path, want := range map[string]string{
		"app/views.py":              "app/views.py",
		"sub dir/vüe 100%#.py":      "sub%20dir/v%C3%BCe%20100%25%23.py",
		"a:b/c:d.py":                "a%3Ab/c%3Ad.py",
		"q?x=1&y.py":                "q%3Fx=1&y.py",
		"it's (new)+[old]~@home.py": "it's%20(new)+%5Bold%5D~@home.py",
		`back\slash.py`:             "back%5Cslash.py",
		"tab\there.c":               "tab%09here.c",
	} {
		got := encodeURI(path)
		if got != want {
			t.Errorf("encodeURI(%q) = %q, want %q", path, got, want)
		}
		if back := uriPath(got); back != path {
			t.Errorf("uriPath(%q) = %q, want %q", got, back, path)
		}
	}
}

// TestReadSARIFDecodesURIs reads back the path of a finding whose URI
// needed percent-encoding.
func TestReadSARIFDecodesURIs(t *testing.T) {
	r := testRun()
	r.Findings[0].Location.Path = "sub dir/vüe 100%#.py"
	var b bytes.Buffer
	if err := WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"uri": "sub%20dir/v%C3%BCe%20100%25%23.py"`) {
		t.Error("the URI is not percent-encoded")
	}
	back, err := ReadSARIF(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Findings[0].Location.Path; got != "sub dir/vüe 100%#.py" {
		t.Errorf("read back %q", got)
	}
}

// FuzzEncodeURI checks that every path encodes to an RFC 3986 path whose
// first segment has no ":", and decodes back.
func FuzzEncodeURI(f *testing.F) {
	ref := regexp.MustCompile(`^(?:[A-Za-z0-9\-._~!$&'()*+,;=@/]|%[0-9A-F]{2})*$`)
	for _, s := range []string{"a/b.py", "sub dir/vüe 100%#.py", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		uri := encodeURI(path)
		if !ref.MatchString(uri) {
			t.Errorf("encodeURI(%q) = %q, not an RFC 3986 path", path, uri)
		}
		if uriPath(uri) != path {
			t.Errorf("uriPath(encodeURI(%q)) = %q", path, uriPath(uri))
		}
	})
}
