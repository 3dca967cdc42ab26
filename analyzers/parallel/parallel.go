// Package parallel runs a run's independent pieces of work on every core.
package parallel

import (
	"runtime"
	"sync"
)

// Each calls do(i) for each i below n, on as many goroutines as there are
// cores, and returns when every call has returned.
func Each(n int, do func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				do(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
