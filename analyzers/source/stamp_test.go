package source

import "testing"

func TestStampMatchesOnlyTheSameBytes(t *testing.T) {
	src := []byte("def f(request):\n    log(request.body)\n")
	s := StampOf(src)
	edited := []byte("def f(request):\n    log(request.path)\n")
	switch {
	case !s.Matches(src) || !s.Matches(append([]byte(nil), src...)):
		t.Error("the same bytes do not match")
	case s.Matches(edited):
		t.Error("an edit of the same size matches")
	case s.Matches(src[:len(src)-1]), s.Matches(nil):
		t.Error("other sizes match")
	case !StampOf(nil).Matches([]byte{}):
		t.Error("an empty file does not match an empty stamp")
	}
}
