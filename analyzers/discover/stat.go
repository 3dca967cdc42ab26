package discover

import (
	"os"
	"time"
)

// A Stat is what a file's metadata says of its content without reading
// it: its size, its modification time, and where the system tells, the
// time of its last status change and its inode. Two files of one size and
// modification time swapped by a rename (mv keeps both) differ in the
// last two, as git's index tells them apart.
type Stat struct {
	Size  int64
	MTime time.Time
	// CTime is the status change time in nanoseconds, Inode the inode;
	// both 0 where the system does not tell.
	CTime int64
	Inode uint64
}

// StatOf returns the Stat of a file's info.
func StatOf(info os.FileInfo) Stat {
	ctime, inode := changeOf(info)
	return Stat{Size: info.Size(), MTime: info.ModTime(), CTime: ctime, Inode: inode}
}
