package literal

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSet compares the automaton (Find, Any) with strings.Contains on
// literals that overlap, nest and share prefixes and suffixes, over random
// texts.
func TestSet(t *testing.T) {
	lits := []string{"log", "logger", "logging", "ogg", "g", "", "request", "req", "quest", "META", "a(", "(request", "aaa", "aa", "\x00", "é"}
	ls := NewSet(lits)
	alphabet := "logerqustMETA(aé \x00"
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		text := b.String()
		found, anyWant := ls.Find([]byte(text)), false
		for i, lit := range lits {
			want := lit != "" && strings.Contains(text, lit)
			if found[i] != want {
				t.Fatalf("%q in %q: found %v, want %v", lit, text, found[i], want)
			}
			anyWant = anyWant || want
		}
		if got := ls.Any([]byte(text)); got != anyWant {
			t.Fatalf("Any(%q) = %v, want %v", text, got, anyWant)
		}
	}
}

func FuzzSet(f *testing.F) {
	lits := []string{"log", "logger", "ogg", "request", "req", "(request", "aa", "aaa"}
	ls := NewSet(lits)
	f.Add([]byte("logger.info(request)"))
	f.Fuzz(func(t *testing.T, text []byte) {
		found, anyWant := ls.Find(text), false
		for i, lit := range lits {
			if found[i] != strings.Contains(string(text), lit) {
				t.Fatalf("%q in %q: found %v", lit, text, found[i])
			}
			anyWant = anyWant || found[i]
		}
		if ls.Any(text) != anyWant {
			t.Fatalf("Any(%q) = %v", text, !anyWant)
		}
	})
}

// BenchmarkFind reads a megabyte of Python for thirty literals, the size
// of the Python model's prefilter.
func BenchmarkFind(b *testing.B) {
	lits := []string{".debug(", ".info(", ".warning(", ".error(", ".exception(", ".log(", "print(", "sys.std", "request", "import _",
		"MIDDLEWARE", "ctypes", "CDLL", "cdll", "httpx", "urllib3", "LOGGING", "dictConfig", "SSL_CLIENT", "CLIENT_CERT", "X_SSL",
		"X-SSL", "Client-Cert", "REMOTE_USER", "Remote-User", "X_USER", "TLS_CLIENT", "AUTH_REQUEST_", "SUBJECT_", "RemoteUser"}
	ls := NewSet(lits)
	line := "    def view(self, value, *args, **kwargs):  # returns what the model holds\n        return self.model.objects.filter(pk=value).first()\n"
	text := []byte(strings.Repeat(line, 1<<20/len(line)))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if ls.Any(text) {
			b.Fatal("found a literal the text does not hold")
		}
		ls.Find(text)
	}
}
