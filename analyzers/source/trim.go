package source

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
static void rs_trim(void) { malloc_trim(0); }
#else
static void rs_trim(void) {}
#endif
*/
import "C"

// TrimCHeap returns the C heap's free memory to the system where the C
// library can (glibc's malloc_trim): the memory of closed trees, which
// glibc otherwise keeps in the arena of the thread that parsed them, out
// of reach of the next big parse on another thread.
func TrimCHeap() { C.rs_trim() }
