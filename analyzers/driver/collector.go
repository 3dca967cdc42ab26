package driver

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// The collector's setting through a run. At the default GOGC of 100 the
// heap's goal is twice the live heap, and 4 MB at least: a scan, whose
// live heap grows from nothing to the parts and outlines (20 MB on Django,
// 30 on Pillow), collected some ten times before it held 20 MB, each
// collection slowing the parse with its write barriers and assists. So
// while a run parses, the tuner sets GOGC after each collection so that
// the heap's goal is scanHeapGoal, (goal − live) / live, between the
// default and scanGCPercentMax: on Pillow 5 collections in the parse
// instead of 11, and 3% less CPU for the scan; on Django the same peak
// RSS, which Build makes.
//
// From the models' Build to the end of a run that scans most of its files
// (wholeScan), the run's largest heap is Build's, and Build keeps most of
// what it allocates (on Django 37 MB live once the modules are decoded, 50
// to 55 MB at its end): at the default the heap grows to twice that before
// a collection, 160 MB of memory. The first such run lowers GOGC to
// modelGCPercent; once the cache's pack is written (its buffers are not in
// the live heap the tuner reads), the tuner sets GOGC after each
// collection so that the heap's goal is modelHeapBudget: (budget − live)
// / live, between modelGCPercent and 100. On Django it starts at about 55
// and reaches 20 once 50 MB are live: 14 collections in Build instead of
// 20, Build 13% faster, and the peak RSS as at a fixed 20 (89 to 97 MiB).
// A smaller repository's Build runs at up to the default; so does a run
// of a few files (pre-commit's), whose Build is smaller and which a lower
// setting made half again as slow.
//
// A process that set a lower GOGC than the default (a library) keeps it
// while the files are parsed, and the tuned Build's does not go above it;
// runs that overlap share the settings (the model phase's while any run is
// in it); and the environment's GOGC, when set, applies throughout
// instead.
const (
	scanHeapGoal     = 32 << 20
	scanGCPercentMax = 800
	modelGCPercent   = 20
	modelHeapBudget  = 60 << 20
)

// collector counts the runs under way and those in their model phase,
// under its lock: the first run sets the collector's target, the last
// restores it (and stops the tuner), whatever the order runs of one
// process (a library's tests) end in.
var collector gcControl

// gcControl is the collector's state; see collector.
type gcControl struct {
	sync.Mutex
	runs, modelling int
	// tuned is set once a modelling run's pack is written (tuneGC).
	tuned bool
	// percent is the process's GOGC before the first run.
	percent int
	tuner   *gcTuner
}

// scanGC starts a run's share of the collector's settings, unless the
// environment sets GOGC, and returns the function that ends it.
func scanGC() (restore func()) { return collector.enter(false) }

// lowerGC starts a run's model phase, unless the environment sets GOGC,
// and returns the function that ends it.
func lowerGC() (restore func()) { return collector.enter(true) }

// enter counts a run, or a run's model phase, and sets the target for the
// phases under way; the first saves the process's setting and starts the
// tuner, the last restores the setting and stops it.
func (c *gcControl) enter(model bool) (leave func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	c.Lock()
	defer c.Unlock()
	if c.runs+c.modelling == 0 {
		c.percent = debug.SetGCPercent(100)
		c.tuner = &gcTuner{}
		c.tuner.arm()
	}
	count := &c.runs
	if model {
		count = &c.modelling
	}
	*count++
	debug.SetGCPercent(c.targetLocked(liveHeap()))
	return func() {
		c.Lock()
		defer c.Unlock()
		if *count--; c.modelling == 0 {
			c.tuned = false
		}
		if c.runs+c.modelling > 0 {
			debug.SetGCPercent(c.targetLocked(liveHeap()))
			return
		}
		c.tuner.stopped = true
		c.tuner = nil
		debug.SetGCPercent(c.percent)
	}
}

// tuneGC lets the tuner follow the live heap in the model phase (lowerGC).
func tuneGC() {
	collector.Lock()
	defer collector.Unlock()
	if collector.modelling > 0 {
		collector.tuned = true
	}
}

// targetLocked returns the GOGC for a heap of live bytes in the runs'
// phase: the model phase's, or the scan's (a process's own setting below
// the default kept); the lock is held.
func (c *gcControl) targetLocked(live uint64) int {
	switch {
	case c.modelling > 0 && c.tuned:
		return min(tunedPercent(live), max(c.percent, modelGCPercent))
	case c.modelling > 0:
		return modelGCPercent
	case c.percent < 100:
		return c.percent // a library's lower setting, or off
	}
	return max(scanPercent(live), c.percent)
}

// A gcTuner sets GOGC after each collection (targetLocked), until it is
// stopped; its fields are guarded by collector's lock.
type gcTuner struct{ stopped bool }

// gcSentinel is what the tuner's finalizer is set on: an object of its
// own that nothing references, so that the next collection finds it
// unreachable and runs the finalizer once that collection is over. (It
// holds a pointer: the allocator packs small pointer-free objects
// together, and a finalizer on one of those may never run.)
type gcSentinel struct{ _ *int }

// arm sets the tuner to run after the next collection.
func (t *gcTuner) arm() {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		collector.Lock()
		defer collector.Unlock()
		if t.stopped {
			return
		}
		debug.SetGCPercent(collector.targetLocked(liveHeap()))
		t.arm()
	})
}

// liveHeap returns the bytes the last collection found live.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// scanPercent returns the GOGC that makes a heap of live bytes grow to
// scanHeapGoal before the next collection, between the default of 100 and
// scanGCPercentMax.
func scanPercent(live uint64) int {
	if live >= scanHeapGoal/2 {
		return 100
	}
	if live == 0 {
		return scanGCPercentMax
	}
	return int(min((scanHeapGoal-live)*100/live, scanGCPercentMax))
}

// tunedPercent returns the GOGC that makes a heap of live bytes grow to
// modelHeapBudget before the next collection, between modelGCPercent and
// the default of 100.
func tunedPercent(live uint64) int {
	if live == 0 || live >= modelHeapBudget {
		return modelGCPercent
	}
	return int(min(max((modelHeapBudget-live)*100/live, modelGCPercent), 100))
}
