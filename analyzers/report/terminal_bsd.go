//go:build darwin || freebsd || netbsd || openbsd

package report

import "syscall"

// ioctlGetTermios is the ioctl that reads a terminal's settings.
const ioctlGetTermios = syscall.TIOCGETA
