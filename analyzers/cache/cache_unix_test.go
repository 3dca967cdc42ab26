//go:build unix

package cache

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestPackNotAFile: something named as a pack that is not a regular file
// (a FIFO no one writes to, a directory) is left alone, without waiting.
func TestPackNotAFile(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(dir, "cfg")
	c.Put("k", value{"v"})
	c.Close()
	if err := syscall.Mkfifo(filepath.Join(c.Dir(), "pack-9-fifo"), 0o644); err != nil {
		t.Skip("no FIFO here:", err)
	}
	if err := os.Mkdir(filepath.Join(c.Dir(), "pack-9-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	done := make(chan *Cache)
	go func() {
		d, _ := Open(dir, "cfg")
		done <- d
	}()
	select {
	case d := <-done:
		if v, ok := get(t, d, "k"); !ok || v != "v" {
			t.Errorf("entry %q, %v", v, ok)
		}
		d.Close()
	case <-time.After(20 * time.Second):
		t.Fatal("Open waits on a FIFO named as a pack")
	}
}
