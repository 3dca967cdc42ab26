package mtls

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers/source"
)

// A generated repository: views that read the request (most of the code
// base), middleware that reads certificate keys behind checks imported
// from another module, the checks module and settings with MIDDLEWARE.
const (
	benchView = `from django.http import JsonResponse

from .models import Item


def list_items_%[1]d(request):
    page = int(request.GET.get("page", 1))
    agent = request.META.get("HTTP_USER_AGENT", "")
    items = Item.objects.filter(owner=request.user)[(page - 1) * 20 : page * 20]
    return JsonResponse({"items": [i.pk for i in items], "agent": agent[:40]})


def detail_%[1]d(request, pk):
    item = Item.objects.get(pk=pk, owner=request.user)
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return JsonResponse({"pk": item.pk})
    return JsonResponse({"pk": item.pk, "name": item.name})
`
	benchMiddleware = `from django.contrib.auth import get_user_model
from django.http import HttpResponseForbidden

from .checks import client_verified, rate_ok

User = get_user_model()


class CertMiddleware%[1]d:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not rate_ok(request):
            return HttpResponseForbidden()
        if not client_verified(request):
            return HttpResponseForbidden()
        request.user = User.objects.get(username=request.META["SSL_CLIENT_S_DN_CN"])
        return self.get_response(request)


class HeaderMiddleware%[1]d:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_dn = request.META.get("SSL_CLIENT_S_DN")
        return self.get_response(request)
`
	benchChecks = `def rate_ok(request):
    return request.path != "/blocked"


def client_verified(request):
    return request.META.get("SSL_CLIENT_VERIFY") == "SUCCESS"
`
	benchSettings = `MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "app.mw0.CertMiddleware0",
    "app.mw0.HeaderMiddleware0",
]
REMOTE_USER_HEADER = "HTTP_X_REMOTE_USER"
`
)

// benchRepo writes n modules, one in ten middleware, and returns the root
// and the paths of the Python files.
func benchRepo(b *testing.B, n int) (string, []string) {
	dir := b.TempDir()
	files := map[string]string{"app/checks.py": benchChecks, "proj/settings.py": benchSettings}
	for i := range n {
		if i%10 == 0 {
			files[fmt.Sprintf("app/mw%d.py", i)] = fmt.Sprintf(benchMiddleware, i)
		} else {
			files[fmt.Sprintf("app/views%d.py", i)] = fmt.Sprintf(benchView, i)
		}
	}
	var paths []string
	for name, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, path)
	}
	return dir, paths
}

// BenchmarkRepository scans a generated repository of 2,000 modules with
// the mtls analyzer alone (discover, prefilter, parse, model, Check,
// Finish), and parses the same files on one goroutine as the floor; the
// scan uses every core. parse-% is the scan's time against that floor.
func BenchmarkRepository(b *testing.B) {
	dir, paths := benchRepo(b, 2000)
	var floor time.Duration
	p := source.NewParser(5 * time.Second)
	defer p.Close()
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		f := source.NewFile(path, source.Python, src)
		if err := p.Parse(f); err != nil {
			b.Fatal(err)
		}
		floor += time.Since(t0)
		f.Close()
	}
	findings := 0
	var scan time.Duration
	for b.Loop() {
		t0 := time.Now()
		findings = len(scanDir(b, dir, dir))
		scan += time.Since(t0)
	}
	b.ReportMetric(100*float64(scan)/float64(b.N)/float64(floor), "parse-%")
	b.ReportMetric(float64(findings), "findings")
}
