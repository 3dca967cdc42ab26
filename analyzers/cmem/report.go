package cmem

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/csrc"
)

// The rules cmem reports.
const (
	// ruleOutput: part of an array, heap block or struct leaves the
	// process (sent, written, returned, copied out, turned into a Python
	// object) before it was written.
	ruleOutput = "cmem/uninitialized-output"
	// rulePadding: every member of a struct is written but its padding
	// is not, and the whole object is copied out.
	rulePadding = "cmem/struct-padding"
	// ruleValue: a variable, member or element is printed (or passed to
	// a function that prints it) before it was written.
	ruleValue = "cmem/uninitialized-value"
	// rulePointer: a pointer variable is read through (its target
	// printed) before it was assigned.
	rulePointer = "cmem/uninitialized-pointer"
	// ruleMaybe: any of the above, but some path wrote the bytes and
	// another did not.
	ruleMaybe = "cmem/maybe-uninitialized"
	// ruleBytes: PyBytes_FromStringAndSize(NULL, n) (or the bytearray
	// variant) is returned after its buffer was filled with fewer than n
	// bytes and without shrinking it with _PyBytes_Resize.
	ruleBytes = "cmem/unfilled-bytes-object"
)

// maxFlow caps the steps of a finding's code flow.
const maxFlow = 12

// finding turns an output into a finding: the rule and message, the
// buffer's declaration as related location, and the flow declaration →
// writes → output.
func finding(pass *analyzers.CheckPass, o csrc.Output) analyzers.Finding {
	b := o.Buffer
	var rule, msg, leave string
	switch o.Kind {
	case csrc.PaddingOut:
		rule, leave = rulePadding, o.Leaves()
		n := int64(0)
		for _, g := range o.Gaps {
			n += g.Hi - g.Lo
		}
		plural := "s"
		if n == 1 {
			plural = ""
		}
		msg = fmt.Sprintf("every member of %s (%s) is written but its %d padding byte%s (%s) are not; %s",
			b.Name, b.Type, n, plural, csrc.RangeList(o.Gaps), leave)
	case csrc.BytesObjectOut:
		rule = ruleBytes
		leave = fmt.Sprintf("all %s are returned without %s", b.Size, b.Resizer)
		msg = fmt.Sprintf("%s the %s bytes of %s's buffer; %s", o.Written, b.Size, b.Name, leave)
	case csrc.ValueOut:
		rule, leave = definite(o, ruleValue), o.What+" is "+o.Verb
		msg = fmt.Sprintf("%s %s of %s%s; %s%s", o.Written, theBytes(b.Size), b.Name, members(o), leave, unwritten(o))
	case csrc.PointerOut:
		rule, leave = definite(o, rulePointer), fmt.Sprintf("%s is read through: its target is %s", b.Name, o.Verb)
		never := "is never assigned"
		if !o.Definite {
			never = "is not assigned on every path"
		}
		msg = fmt.Sprintf("pointer %s %s before %s reads through it (%s)", b.Name, never, calleeOf(o.Verb), o.Verb)
	case csrc.StringOut:
		rule, leave = definite(o, ruleOutput), fmt.Sprintf("%s reads %s as a string", o.Reader, b.Name)
		end := fmt.Sprintf("bytes %s come before the first NUL written", csrc.RangeList(o.Gaps))
		if o.NoNUL {
			end = "no NUL is written, so it reads past the written bytes"
		}
		msg = fmt.Sprintf("%s the %s bytes of %s%s; %s (%s), and %s", o.Written, b.Size, b.Name, members(o), leave, o.Verb, end)
	default:
		rule, leave = definite(o, ruleOutput), o.Leaves()
		msg = fmt.Sprintf("%s the %s bytes of %s%s; %s", o.Written, b.Size, b.Name, members(o), leave)
	}
	decl := pass.Location(b.Decl, b.Declared())
	flow := []analyzers.Step{{Location: decl}}
	steps := o.Steps
	if len(steps) > maxFlow {
		steps = steps[len(steps)-maxFlow:]
	}
	for _, st := range steps {
		flow = append(flow, analyzers.Step{Location: pass.Location(st.At, st.Message)})
	}
	flow = append(flow, analyzers.Step{Location: pass.Location(o.At, leave)})
	return analyzers.Finding{
		RuleID:   rule,
		Message:  msg,
		Location: pass.Location(o.At, ""),
		Related:  []analyzers.Location{decl},
		Flow:     flow,
	}
}

// definite returns rule for bytes no path writes, else ruleMaybe.
func definite(o csrc.Output, rule string) string {
	if o.Definite {
		return rule
	}
	return ruleMaybe
}

// members notes the record members the unwritten bytes cover.
func members(o csrc.Output) string {
	var notes []string
	never := " never written"
	if !o.Definite {
		never = " not written on every path"
	}
	if len(o.Members) > 0 {
		notes = append(notes, memberList(o.Members)+never)
	}
	if len(o.Partial) > 0 {
		notes = append(notes, memberList(o.Partial)+" only partly written")
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, "; ") + ")"
}

// unwritten notes which bytes of a value read are not written, when not
// all of them.
func unwritten(o csrc.Output) string {
	if o.Whole || len(o.Gaps) == 0 || len(o.Members) > 0 || len(o.Partial) > 0 {
		return ""
	}
	return " (bytes " + csrc.RangeList(o.Gaps) + " are not written)"
}

// calleeOf returns the function of a verb ("printf()" of "printed by
// printf()").
func calleeOf(verb string) string {
	for _, sep := range []string{" by ", " to "} {
		if _, fn, ok := strings.Cut(verb, sep); ok {
			return fn
		}
	}
	return "the call"
}

// theBytes renders "the 16 bytes" ("the 1 byte").
func theBytes(size string) string {
	if size == "1" {
		return "the 1 byte"
	}
	return "the " + size + " bytes"
}

// memberList renders "member a is" or "members a, b are".
func memberList(names []string) string {
	if len(names) == 1 {
		return "member " + names[0] + " is"
	}
	return "members " + strings.Join(names, ", ") + " are"
}
