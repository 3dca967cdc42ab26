package driver

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"

	"golang.org/x/sync/semaphore"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/discover"
	"github.com/residue-sec/residue/analyzers/source"
)

// A file's analysis costs far more memory than its bytes: tree-sitter's
// tree takes about 78 bytes of C heap per source byte, and the nodes the
// analyzers visit as much again on the Go heap, until the tree is closed.
// The workers therefore share a budget of source bytes in analysis, and
// each analyzer's findings in one file are capped.
var (
	// parallelBytes is how many bytes of source the workers analyze at
	// once: a file of this size or more is analyzed alone. A variable
	// for the tests.
	parallelBytes = 4 << 20
	// maxFileFindings caps the findings of one analyzer in one file; the
	// rest are counted in a warning. A variable for the tests.
	maxFileFindings = 10_000
)

// MaxRuleFindings caps the findings of one rule in a run: a user rule
// whose pattern matches every call of a repository would otherwise hold
// millions of findings (2 KB each) to report none usefully (a SARIF
// report keeps 25,000 results, GitHub's limit). A rule past it reports
// none, and an error says why (OverflowNotification): which findings came
// first depends on the workers' pace. The shards of a scan count their
// own files' (Result.RuleFindings), and merge applies the cap to their
// sum. A variable for the tests.
var MaxRuleFindings int64 = 100_000

// OverflowNotification is the error that says a rule's n findings, more
// than MaxRuleFindings, are not reported.
func OverflowNotification(ruleID string, n int64) analyzers.Notification {
	return analyzers.Notification{Level: "error", Message: fmt.Sprintf(
		"rule %s: %d findings, more than the %d a run reports of one rule; none of them reported: narrow its pattern or its paths", ruleID, n, MaxRuleFindings)}
}

// countFinding counts a finding of rule id in a file's pass and reports
// whether the rule is still within MaxRuleFindings in the run.
func (p *plan) countFinding(id string) bool {
	c := p.ruleFindings[id]
	return c == nil || c.Add(1) <= MaxRuleFindings
}

// dropOverflowing drops the findings of every rule that had more than
// MaxRuleFindings in the files' passes, and returns an error for each.
func (p *plan) dropOverflowing(r *runState) []analyzers.Notification {
	var notes []analyzers.Notification
	over := map[string]bool{}
	for _, rl := range p.rules {
		if n := p.ruleFindings[rl.ID].Load(); n > MaxRuleFindings {
			over[rl.ID] = true
			notes = append(notes, OverflowNotification(rl.ID, n))
		}
	}
	if len(over) == 0 {
		return nil
	}
	k := 0
	for i, fd := range r.findings {
		if !over[fd.RuleID] {
			r.findings[k], r.owners[k] = fd, r.owners[i]
			k++
		}
	}
	r.findings, r.owners = r.findings[:k], r.owners[:k]
	return notes
}

// bigFile is the size from which the end of a file's analysis also
// collects its garbage and returns it to the system (the Go heap, and the
// C heap where the C library can), so that the next big file does not
// pile on top of the last one's.
const bigFile = 1 << 20

// A memoryGate lets the workers analyze files together only while their
// sizes add up to parallelBytes; files wait in the order they came.
type memoryGate struct {
	sem *semaphore.Weighted
}

func newMemoryGate() *memoryGate {
	return &memoryGate{sem: semaphore.NewWeighted(int64(parallelBytes))}
}

// enter waits until a file of source src may be analyzed and returns the
// function that ends its analysis.
func (g *memoryGate) enter(src []byte) (leave func()) {
	size := len(src)
	weight := int64(min(max(treeWeight(src), 1), parallelBytes))
	g.sem.Acquire(context.Background(), weight) // cannot fail: the context is never done
	return func() {
		g.sem.Release(weight)
		if size >= bigFile {
			debug.FreeOSMemory()
			source.TrimCHeap()
		}
	}
}

// denseFrom is the size from which a file's weight counts its density:
// below it, what a file costs does not decide what runs together.
const denseFrom = 256 << 10

// treeWeight returns what a file costs the gate: its size, and four bytes
// more for each bracket, comma and semicolon of a big one. A tree costs
// about 80 bytes per byte of code, but a dense file (a generated table, a
// list of a hundred thousand literals), whose every other byte is a
// token, costs 200 to 450: two of them together took 1.3 GB.
func treeWeight(src []byte) int {
	if len(src) < denseFrom {
		return len(src)
	}
	w := len(src)
	for _, c := range src {
		switch c {
		case ',', ';', '(', ')', '[', ']', '{', '}':
			w += 4
		}
	}
	return w
}

// skipsPath reports whether a warning of the walk skips a file or a
// directory.
func skipsPath(w discover.Warning) bool {
	return strings.HasPrefix(w.Message, "skipped:")
}

// ruleCounts returns the findings counted of each rule that had some.
func (p *plan) ruleCounts() map[string]int64 {
	var out map[string]int64
	for id, c := range p.ruleFindings {
		if n := c.Load(); n > 0 {
			if out == nil {
				out = map[string]int64{}
			}
			out[id] = n
		}
	}
	return out
}
