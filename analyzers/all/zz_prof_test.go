package all

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/residue-sec/residue/analyzers/analyzertest"
	"github.com/residue-sec/residue/analyzers/driver"
)

func TestZZProf(t *testing.T) {
	dir := os.Getenv("PROF_DIR")
	if dir == "" {
		t.Skip()
	}
	as := Analyzers()
	res, err := driver.Run(driver.Config{Analyzers: as, Rules: analyzertest.Rules("error", as...), Paths: []string{dir}, Root: dir, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("findings %d", len(res.Findings))
	runtime.GC()
	f, _ := os.Create("/tmp/heap.prof")
	pprof.WriteHeapProfile(f)
	f.Close()
}
