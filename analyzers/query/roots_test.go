package query

import "testing"

func TestCaptureRoots(t *testing.T) {
	cases := map[string]string{
		`(call) @c`: `(call) @__root @c`,
		`((call function: (identifier) @f) (#eq? @f "a)"))`: `((call function: (identifier) @f) @__root (#eq? @f "a)"))`,
		`[(call) (attribute)] @x`:                           `[(call) (attribute)] @__root @x`,
		"; (comment (\n(string)":                            "; (comment (\n(string) @__root",
		"(a)\n(b (c))":                                      "(a) @__root\n(b (c)) @__root",
	}
	for in, want := range cases {
		if got := captureRoots(in); got != want {
			t.Errorf("captureRoots(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLiteral(t *testing.T) {
	cases := map[string]string{
		"pickle.loads($DATA, $...REST)": "pickle",
		"$X.execute($Q)":                "execute",
		"csrf_exempt($VIEW)":            "csrf_exempt",
		"$A = $B":                       "",
		"":                              "",
	}
	for in, want := range cases {
		if got := literal(in); got != want {
			t.Errorf("literal(%q) = %q, want %q", in, got, want)
		}
	}
}
