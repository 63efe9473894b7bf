//go:build windows

package main

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockOffset is where the locked byte lies: beyond the PID the file holds, since Windows' locks
// are mandatory and a locked range could not be read by the server that reports the holder.
const lockOffset = 1 << 30

// lockFile takes an exclusive lock on one byte of f without waiting, or returns errLocked when
// another handle holds it. The lock ends when f is closed, or when the process ends.
func lockFile(f *os.File) error {
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY,
		0, 1, 0, &windows.Overlapped{Offset: lockOffset})
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return errLocked
	}
	return err
}
