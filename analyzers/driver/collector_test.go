package driver

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestLowerGCNests: runs whose model phases overlap, ending in any order,
// leave the collector's target as it was before the first.
func TestLowerGCNests(t *testing.T) {
	processGOGC(t, 100)
	a := lowerGC()
	b := lowerGC()
	if got := gcPercent(); got != modelGCPercent {
		t.Errorf("during the runs GOGC is %d, want %d", got, modelGCPercent)
	}
	a()
	if got := gcPercent(); got != modelGCPercent {
		t.Errorf("while one run is left GOGC is %d, want %d", got, modelGCPercent)
	}
	b()
	if got := gcPercent(); got != 100 {
		t.Errorf("after both runs GOGC is %d, want 100", got)
	}
}

// TestScanGCRaisesTheGoal: while a run parses, GOGC is the scan's target;
// in its model phase the model's; after it, what it was.
func TestScanGCRaisesTheGoal(t *testing.T) {
	processGOGC(t, 100)
	runtime.GC()
	if live := liveHeap(); live >= scanHeapGoal/2 {
		t.Skipf("%d MB live before the test: the scan's target is the default", live>>20)
	}
	end := scanGC()
	if got := gcPercent(); got <= 100 || got != scanPercent(liveHeap()) {
		t.Errorf("while parsing GOGC is %d, want %d", got, scanPercent(liveHeap()))
	}
	endModel := lowerGC()
	if got := gcPercent(); got != modelGCPercent {
		t.Errorf("in the model phase GOGC is %d, want %d", got, modelGCPercent)
	}
	endModel()
	if got := gcPercent(); got != scanPercent(liveHeap()) {
		t.Errorf("after the model phase GOGC is %d, want %d", got, scanPercent(liveHeap()))
	}
	end()
	if got := gcPercent(); got != 100 {
		t.Errorf("after the run GOGC is %d, want 100", got)
	}
}

// TestScanGCKeepsALowerSetting: a process that set GOGC below the default
// (a library's) keeps it while a run parses.
func TestScanGCKeepsALowerSetting(t *testing.T) {
	processGOGC(t, 50)
	end := scanGC()
	defer end()
	collectAFewTimes()
	if got := gcPercent(); got != 50 {
		t.Errorf("while parsing GOGC is %d, want the process's 50", got)
	}
}

// TestScanPercent: the heap's goal is scanHeapGoal, within the bounds.
func TestScanPercent(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, scanGCPercentMax},
		{2 << 20, scanGCPercentMax},
		{4 << 20, 700},
		{8 << 20, 300},
		{15 << 20, 113},
		{16 << 20, 100},
		{100 << 20, 100},
	} {
		if got := scanPercent(tc.live); got != tc.want {
			t.Errorf("scanPercent(%d MB) = %d, want %d", tc.live>>20, got, tc.want)
		}
	}
}

// TestTunedPercent: the heap's goal is the budget, within the bounds.
func TestTunedPercent(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, modelGCPercent},
		{10 << 20, 100},
		{30 << 20, 100},
		{40 << 20, 50},
		{48 << 20, 25},
		{55 << 20, modelGCPercent},
		{modelHeapBudget, modelGCPercent},
		{500 << 20, modelGCPercent},
	} {
		if got := tunedPercent(tc.live); got != tc.want {
			t.Errorf("tunedPercent(%d MB) = %d, want %d", tc.live>>20, got, tc.want)
		}
	}
}

// TestTunerFollowsTheLiveHeap: once tuned, each collection sets GOGC from
// the heap it found live; once the run restores the target, collections
// leave it alone.
func TestTunerFollowsTheLiveHeap(t *testing.T) {
	processGOGC(t, 100)
	runtime.GC()
	if live := liveHeap(); live > modelHeapBudget/3 {
		t.Skipf("%d MB live before the test: the tuner would stay at its floor", live>>20)
	}
	held := make([]byte, 24<<20)
	restore := lowerGC()
	tuneGC()
	want := -1
	collectUntil(func() bool {
		want = tunedPercent(liveHeap())
		return want != modelGCPercent && gcPercent() == want
	})
	if got := gcPercent(); got != want || want == modelGCPercent {
		t.Errorf("with %d MB live GOGC is %d, want %d (not %d)", liveHeap()>>20, got, want, modelGCPercent)
	}
	runtime.KeepAlive(held)
	restore()
	collectAFewTimes()
	if got := gcPercent(); got != 100 {
		t.Errorf("after the run GOGC is %d, want 100", got)
	}
}

// TestTunerKeepsALowerSetting: a process that set GOGC below the tuned
// value (a library's) keeps its setting while the tuner runs.
func TestTunerKeepsALowerSetting(t *testing.T) {
	processGOGC(t, 50)
	restore := lowerGC()
	defer restore()
	tuneGC()
	collectUntil(func() bool { return gcPercent() != modelGCPercent })
	if got := gcPercent(); got != 50 || tunedPercent(liveHeap()) <= 50 {
		t.Errorf("with %d MB live GOGC is %d, want the process's 50 (tuned %d)", liveHeap()>>20, got, tunedPercent(liveHeap()))
	}
}

// processGOGC sets the process's GOGC to percent for the test, as a
// library might before its runs, and restores it after; it skips the
// test when the environment sets GOGC, which the runs leave alone.
func processGOGC(t *testing.T, percent int) {
	t.Helper()
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC set: the runs leave the target alone")
	}
	before := debug.SetGCPercent(percent)
	t.Cleanup(func() { debug.SetGCPercent(before) })
}

// gcPercent returns the collector's GOGC, read under the tuner's lock.
func gcPercent() int {
	collector.Lock()
	defer collector.Unlock()
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// collectAFewTimes collects three times, letting the tuner's finalizer run
// after each.
func collectAFewTimes() {
	for range 3 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// collectUntil collects and lets the tuner's finalizer run until done
// reports true, for at most five seconds.
func collectUntil(done func() bool) {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !done(); {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}
