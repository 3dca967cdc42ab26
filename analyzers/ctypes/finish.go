package ctypes

import (
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/csrc"
)

// finish compares the repository's facts: it confirms or drops the
// findings that depend on other files (an imported library, the C
// prototype's parameter names and types), and reports binding mismatches
// at the Python bindings and calls.
func finish(sum *analyzers.Summary) error {
	repo, _ := sum.Model(csrc.Model).(*csrc.Repo)
	ix := newIndex(sum.Facts, repo)
	for i, fd := range sum.Findings {
		if !ix.confirm(fd) {
			sum.Drop(i)
		}
	}
	r := &reporter{sum: sum, ix: ix, seen: map[string]bool{}}
	r.prototypeMismatches()
	r.charPResults()
	r.callMismatches()
	return nil
}

// A reporter reports Finish findings once per rule and location.
type reporter struct {
	sum  *analyzers.Summary
	ix   *index
	seen map[string]bool
}

func (r *reporter) report(fd analyzers.Finding, at analyzers.Fact) {
	key := fd.RuleID + "\x00" + at.Location.Path + "\x00" + strconv.Itoa(at.Location.StartByte)
	if r.seen[key] {
		return
	}
	r.seen[key] = true
	fd.Location, fd.Function = at.Location, at.Function
	fd.Location.Message = ""
	r.sum.Report(fd)
}

// confirm decides a finding of Run that depends on other files: it needs
// its library to resolve, and for a length the prototype (or, without
// one, adjacency) to make that argument the buffer's length.
func (ix *index) confirm(fd analyzers.Finding) bool {
	if fd.Data == nil || fd.Data[dataFixed] == "1" {
		return true
	}
	lib, ok := ix.resolve(fd.Data[dataLib], 0)
	if !ok {
		return false
	}
	sym := fd.Data[dataSymbol]
	switch fd.RuleID {
	case ruleLength:
		return ix.confirmLength(fd, sym)
	case ruleNulRead:
		return ix.confirmNulRead(fd, lib+"#"+sym, sym)
	}
	return true
}

func (ix *index) confirmLength(fd analyzers.Finding, sym string) bool {
	i, j := atoi(fd.Data[dataBuffer]), atoi(fd.Data[dataLength])
	p := ix.protos[sym]
	if p == nil || i >= len(p.params) || j >= len(p.params) {
		return j == i+1
	}
	if fd.Data[dataUnits] == "1" && ix.ctypeOf(p.params[i]).pointee != pointeeWide {
		return false
	}
	return lengthParam(p, i) == j
}

// confirmNulRead keeps a .value or string_at(ptr) finding when the data
// is binary: an unsigned char, uint8_t or void pointer parameter in the
// prototype (void * is memory, not a string), an unsigned char or uint8_t
// pointer result, or POINTER(c_ubyte) in argtypes (where c_void_p is
// also what bindings use for text buffers).
func (ix *index) confirmNulRead(fd analyzers.Finding, fpKey, sym string) bool {
	p := ix.protos[sym]
	if fd.Data[dataResult] == "1" {
		return p != nil && ix.ctypeOf(p.ret).binary()
	}
	i := atoi(fd.Data[dataBuffer])
	if p != nil && i < len(p.params) {
		t := ix.ctypeOf(p.params[i])
		return t.binary() || t.kind == kindPtr && t.pointee == pointeeVoid
	}
	types, _, ok := ix.argtypes(fpKey)
	return ok && i < len(types) && types[i].binary()
}

// lengthParam returns the index of the parameter that is the length of
// parameter i: one named after it (out → outlen, out_size, n_out), else
// the next one when its name says it is a length; -1 when none is.
func lengthParam(p *proto, i int) int {
	name := strings.ToLower(p.params[i].name)
	stems := []string{name}
	for _, suffix := range []string{"_buffer", "buffer", "_buf", "buf", "_ptr", "ptr", "_p"} {
		if stem, ok := strings.CutSuffix(name, suffix); ok && stem != "" {
			stems = append(stems, stem)
		}
	}
	for k, q := range p.params {
		if k == i || q.stars != 0 || name == "" {
			continue
		}
		qn := strings.ToLower(q.name)
		for _, stem := range stems {
			for _, s := range lengthSuffixes {
				if qn == stem+s {
					return k
				}
			}
			for _, pre := range lengthPrefixes {
				if qn == pre+stem {
					return k
				}
			}
		}
	}
	if i+1 < len(p.params) && p.params[i+1].stars == 0 && lengthNames[strings.ToLower(p.params[i+1].name)] {
		return i + 1
	}
	return -1
}
