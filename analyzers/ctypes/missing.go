package ctypes

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
)

// missingArgtypes reports a foreign call with no argtypes that passes a
// size (len, sizeof) or an address (addressof): without argtypes ctypes
// converts a Python int to a C int, so a value that needs more than 32
// bits (a size over 2 GiB, an address on a 64-bit heap) raises
// ArgumentError or reaches a size_t or pointer parameter wrong. With a C
// prototype, only the arguments whose parameter is wider than an int (or
// a pointer) count, and so do literals that need more than 32 bits.
func (r *reporter) missingArgtypes(c analyzers.Fact, key string) {
	p := r.ix.protos[c.Key]
	var bad []string
	for k, arg := range c.Values[3:] {
		class, text, _ := strings.Cut(arg, "\t")
		if p == nil {
			// The Windows API takes sizes as 32-bit DWORDs.
			if class == "addr" || class == "size" && !windowsAPI(c.Values[0]) {
				bad = append(bad, text)
			}
			continue
		}
		if k >= len(p.params) || class == "other" {
			continue
		}
		if t := r.ix.ctypeOf(p.params[k]); t.kind == kindPtr || t.kind == kindAddr || t.kind == kindInt && t.width > 4 {
			bad = append(bad, fmt.Sprintf("%s (for %s %s)", text, t.text, p.params[k].name))
		}
	}
	if len(bad) == 0 {
		return
	}
	msg := fmt.Sprintf("%s is called without argtypes, so %s %s passed as C int (4 bytes) and only the low 32 bits arrive", c.Key, joinAnd(bad), isAre(len(bad)))
	var related []analyzers.Location
	if p != nil {
		msg += fmt.Sprintf(", where the C prototype %s takes wider values", p.signature())
		related = append(related, withMessage(p.loc, "the C prototype"))
	} else {
		msg += ": a size over 2 GiB or an address on a 64-bit heap reaches a size_t or pointer parameter wrong"
	}
	if other := r.otherHandle(c, key); other != nil {
		msg += fmt.Sprintf("; argtypes are set on %s through another library object, and each CDLL(...) call, cdll.LoadLibrary(...) call or lib[\"name\"] lookup yields its own function pointer", c.Key)
		related = append(related, withMessage(other.Location, "argtypes set on another handle"))
	}
	msg += "; declare argtypes (and restype) for it"
	r.report(analyzers.Finding{RuleID: ruleMissing, Message: msg, Related: related}, c)
}

// otherHandle returns an argtypes binding of the same symbol on another
// function pointer, or nil.
func (r *reporter) otherHandle(c analyzers.Fact, key string) *analyzers.Fact {
	for _, b := range r.ix.bySymbol[c.Key] {
		if b.Values[0]+"#"+b.Key != key {
			return &b
		}
	}
	return nil
}

// joinAnd joins "a", "b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
