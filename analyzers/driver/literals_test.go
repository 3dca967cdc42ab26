package driver

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestLiteralSet compares the automaton with strings.Contains on literals
// that overlap, nest and share prefixes and suffixes, over random texts.
func TestLiteralSet(t *testing.T) {
	lits := []string{"log", "logger", "logging", "ogg", "g", "", "request", "req", "quest", "META", "a(", "(request", "aaa", "aa", "\x00", "é"}
	ls := newLiteralSet(lits)
	alphabet := "logerqustMETA(aé \x00"
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		text := b.String()
		found := ls.find([]byte(text))
		for i, lit := range lits {
			if want := lit != "" && strings.Contains(text, lit); found[i] != want {
				t.Fatalf("%q in %q: found %v, want %v", lit, text, found[i], want)
			}
		}
	}
}

func FuzzLiteralSet(f *testing.F) {
	lits := []string{"log", "logger", "ogg", "request", "req", "(request", "aa", "aaa"}
	ls := newLiteralSet(lits)
	f.Add([]byte("logger.info(request)"))
	f.Fuzz(func(t *testing.T, text []byte) {
		found := ls.find(text)
		for i, lit := range lits {
			if found[i] != strings.Contains(string(text), lit) {
				t.Fatalf("%q in %q: found %v", lit, text, found[i])
			}
		}
	})
}
