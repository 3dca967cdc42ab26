package driver

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// The collector's setting from the models' Build to the end of a run
// that scans most of its files (wholeScan). The run's largest heap is
// Build's, and Build keeps most of what it allocates (on Django 37 MB
// live once the modules are decoded, 50 to 55 MB at its end): at the
// default GOGC of 100 the heap grows to twice that before a collection,
// 160 MB of memory. The first such run lowers GOGC to modelGCPercent;
// once the cache's pack is written (its buffers are not in the live heap
// the tuner reads), the tuner sets GOGC after each collection so that
// the heap's goal is modelHeapBudget: (budget − live) / live, between
// modelGCPercent and 100, and never above what the process had before
// (a library that set a lower GOGC keeps it). On Django it starts at
// about 55 and reaches 20 once 50 MB are live: 14 collections in Build
// instead of 20, Build 13% faster, and the peak RSS as at a fixed 20
// (89 to 97 MiB). A smaller repository's Build runs at up to the
// default. Runs that overlap share the setting. The parse before Build
// keeps the default: its live heap is the modules' binary forms and the
// outlines (20 MB on Django); so does a run of a few files
// (pre-commit's), whose Build is smaller and which a lower setting made
// half again as slow. The environment's GOGC, when set, applies
// throughout instead.
const (
	modelGCPercent  = 20
	modelHeapBudget = 60 << 20
)

// lowered counts the runs in their model phase, under its lock: the
// first lowers the collector's target, the last restores it (and stops
// the tuner), whatever the order runs of one process (a library's tests)
// end in.
var lowered struct {
	sync.Mutex
	runs    int
	percent int
	tuner   *gcTuner
}

// lowerGC sets the collector's target for the rest of the run, unless the
// environment sets GOGC, and returns the function that restores it.
func lowerGC() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	lowered.Lock()
	defer lowered.Unlock()
	if lowered.runs++; lowered.runs == 1 {
		lowered.percent = debug.SetGCPercent(modelGCPercent)
	}
	return func() {
		lowered.Lock()
		defer lowered.Unlock()
		if lowered.runs--; lowered.runs == 0 {
			if lowered.tuner != nil {
				lowered.tuner.stopped = true
				lowered.tuner = nil
			}
			debug.SetGCPercent(lowered.percent)
		}
	}
}

// tuneGC starts the tuner while runs are lowered (lowerGC) and it is not
// running yet.
func tuneGC() {
	lowered.Lock()
	defer lowered.Unlock()
	if lowered.runs > 0 && lowered.tuner == nil {
		lowered.tuner = &gcTuner{}
		lowered.tuner.arm()
	}
}

// A gcTuner sets GOGC after each collection (tunedPercent), until it is
// stopped; its fields are guarded by lowered's lock.
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
		lowered.Lock()
		defer lowered.Unlock()
		if t.stopped {
			return
		}
		debug.SetGCPercent(min(tunedPercent(liveHeap()), max(lowered.percent, modelGCPercent)))
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

// tunedPercent returns the GOGC that makes a heap of live bytes grow to
// modelHeapBudget before the next collection, between modelGCPercent and
// the default of 100.
func tunedPercent(live uint64) int {
	if live == 0 || live >= modelHeapBudget {
		return modelGCPercent
	}
	return int(min(max((modelHeapBudget-live)*100/live, modelGCPercent), 100))
}
