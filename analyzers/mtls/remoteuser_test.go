package mtls

import "testing"

func TestCodeText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"x = 1  # verify\ny", "x = 1          \ny"},
		{`k = "#REMOTE_ADDR"  # c`, `k = "#REMOTE_ADDR"     `},
		{"\"\"\"verify\nit\"\"\"\nx", "         \n     \nx"},
		{`s = 'a\'#b' # z`, `s = 'a\'#b'    `},
		{`s = "it's" # z`, `s = "it's"    `},
		{"'''open", "       "},
		{"'one line\n# c", "'one line\n   "},
	} {
		got := codeText(tc.in)
		if got != tc.want {
			t.Errorf("codeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if len(got) != len(tc.in) {
			t.Errorf("codeText(%q) changed the length", tc.in)
		}
	}
}
