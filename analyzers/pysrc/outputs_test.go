package pysrc

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestOutputSinks(t *testing.T) {
	p := buildAll(t, map[string]string{"shop/views.py": `from django.core.cache import cache, caches
from django.http import HttpResponse, JsonResponse
from rest_framework.response import Response
from .models import Response as Reply


def view(request):
    cache.set("k", request.body, 60)
    caches["orders"].add("k", value=request.POST)
    cache.get_or_set("k", request.GET)
    cache.get("k", request.body)
    response = HttpResponse(request.body, content_type="text/plain", status=201)
    response.write(request.GET)
    JsonResponse(data=request.POST)
    Response({"echo": request.data}, status=request.GET)
    Reply(request.body)
    return response
`})
	var got []string
	p.Check("shop/views.py", OutputSinks, func(ev *Event) {
		var args []string
		for _, a := range ev.Args {
			args = append(args, p.Text(a.Loc))
		}
		got = append(got, fmt.Sprintf("%d %s %s: %s", ev.Call.Line(), ev.Sink.Kind, ev.Callee, strings.Join(args, ", ")))
	})
	want := []string{
		`8 cache cache.set: request.body`,
		`9 cache caches["orders"].add: value=request.POST`,
		`10 cache cache.get_or_set: request.GET`,
		`12 response HttpResponse: request.body`,
		`13 response response.write: request.GET`,
		`14 response JsonResponse: data=request.POST`,
		`15 response Response: {"echo": request.data}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("output events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
