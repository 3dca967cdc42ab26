package driver

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
	"github.com/residue-sec/residue/analyzers/discover"
	"github.com/residue-sec/residue/analyzers/source"
)

// pyModule is a Django-like module; a quarter of the generated files carry
// the prefilter literal, as in real code bases most files say nothing of
// interest to an analyzer.
const pyModule = `import logging
from django.http import HttpResponse

logger = logging.getLogger(__name__)


class %[1]sView:
    def get(self, request, *args, **kwargs):
        data = {"path": request.path, "method": request.method, "n": %[2]d}
        for key, value in sorted(request.GET.items()):
            if key.startswith("x_"):
                data[key] = value.strip()
        logger.info("served %%s", request.path)
        return HttpResponse(str(data))

    def post(self, request):
        %[3]s(request.body)
        return HttpResponse(status=204)
`

// corpus writes n Python files and n/8 C files to a temp dir and returns it
// with the total byte count.
func corpus(b *testing.B, n int) (string, int64) {
	dir := b.TempDir()
	var total int64
	for i := range n {
		call := "handle"
		if i%4 == 0 {
			call = "leak"
		}
		src := fmt.Sprintf(pyModule, fmt.Sprintf("V%d", i), i, call)
		total += write(b, filepath.Join(dir, fmt.Sprintf("app%d", i%10), fmt.Sprintf("m%d.py", i)), src)
		if i%8 == 0 {
			c := strings.Repeat("static int f%d(char *buf, int n) { memset(buf, 0, n); return leak(buf); }\n", 20)
			total += write(b, filepath.Join(dir, "native", fmt.Sprintf("c%d.c", i)), strings.ReplaceAll(c, "%d", fmt.Sprint(i)))
		}
	}
	return dir, total
}

func write(b *testing.B, path, src string) int64 {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	return int64(len(src))
}

// BenchmarkParseOnly is the floor: discover, read and parse every file on
// one goroutine per core, with no analyzer and no prefilter.
func BenchmarkParseOnly(b *testing.B) {
	dir, total := corpus(b, 800)
	b.SetBytes(total)
	for b.Loop() {
		files, _, err := discover.Walk([]string{dir}, discover.Options{Root: dir})
		if err != nil {
			b.Fatal(err)
		}
		results := make(chan int, len(files))
		next := make(chan discover.File)
		for range runtime.GOMAXPROCS(0) {
			go func() {
				parser := source.NewParser(time.Second)
				defer parser.Close()
				for df := range next {
					src, _ := readSource(df, nil)
					f := source.NewFile(df.Path, df.Lang, src)
					if err := parser.Parse(f); err == nil {
						f.Close()
					}
					results <- 1
				}
			}()
		}
		for _, df := range files {
			next <- df
		}
		close(next)
		for range files {
			<-results
		}
	}
}

// BenchmarkScan is the whole pipeline with the test analyzers: prefilters,
// one shared query pass per parsed file, analyzers, suppressions, sorting.
func BenchmarkScan(b *testing.B) {
	dir, total := corpus(b, 800)
	b.SetBytes(total)
	for b.Loop() {
		benchScan(b, dir, testanalyzers.All)
	}
}

// BenchmarkScanNoPrefilter is the pipeline when every file must be parsed.
func BenchmarkScanNoPrefilter(b *testing.B) {
	dir, total := corpus(b, 800)
	leak, cleak := *testanalyzers.Leak, *testanalyzers.CLeak
	leak.Prefilter, cleak.Prefilter = nil, nil
	b.SetBytes(total)
	for b.Loop() {
		benchScan(b, dir, []*analyzers.Analyzer{&leak, &cleak})
	}
}

func benchScan(b *testing.B, dir string, as []*analyzers.Analyzer) {
	res, err := Run(Config{Analyzers: as, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir})
	if err != nil {
		b.Fatal(err)
	}
	if len(res.Findings) != 200+100*20 {
		b.Fatalf("%d findings", len(res.Findings))
	}
}
