package discover

import (
	"os"
	"syscall"
)

// changeOf returns the status change time (nanoseconds) and inode of a
// file's info.
func changeOf(info os.FileInfo) (int64, uint64) {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return st.Ctim.Nano(), st.Ino
	}
	return 0, 0
}
