// Package testnote lets a test binary say, on a line of its own, something that `go test ./...`
// shows for a package whose tests pass, such as which tests skipped for want of PostgreSQL or a
// browser. go test ./... keeps back the output of each passing package but its "ok" line: a
// TestMain that writes to its own standard error is heard only with -v, or for one package.
package testnote

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Say writes the line to the standard error of the go command that runs the test binary, which
// go test shows whatever the package's outcome, where the system names it (Linux's /proc);
// elsewhere, or when the binary was not started by the go command, to the binary's own standard
// error.
func Say(line string) {
	var w io.Writer = os.Stderr
	if f := goCommandStderr(); f != nil {
		defer f.Close()
		w = f
	}
	fmt.Fprintln(w, line)
}

// goCommandStderr opens, for appending, the standard error of the parent process if it is the
// go command and a line can be added to it safely; nil otherwise. A terminal or a pipe can take
// it. A regular file only if the go command appends to it too (go test >>log): otherwise the go
// command would write its next line at its own offset, over this one.
func goCommandStderr() *os.File {
	parent := fmt.Sprintf("/proc/%d/", os.Getppid())
	if comm, err := os.ReadFile(parent + "comm"); err != nil || strings.TrimSpace(string(comm)) != "go" {
		return nil
	}
	info, err := os.Stat(parent + "fd/2")
	if err != nil || info.Mode().IsRegular() && !appends(parent+"fdinfo/2") {
		return nil
	}
	f, err := os.OpenFile(parent+"fd/2", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil
	}
	return f
}

// oAppend is O_APPEND in the flags of Linux's fdinfo files.
const oAppend = 0o2000

// appends reports whether the open file that the fdinfo file describes was opened for appending.
func appends(fdinfo string) bool {
	b, err := os.ReadFile(fdinfo)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			flags, err := strconv.ParseUint(strings.TrimSpace(v), 8, 64)
			return err == nil && flags&oAppend != 0
		}
	}
	return false
}

// Count reads "1 browser test" or "3 browser tests".
func Count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Package names the package under test by its directory relative to the module's root, such as
// "sqldb" or "cmd/octoinvite": go test runs the binary in the package's directory.
func Package() string {
	wd, err := os.Getwd()
	if err != nil {
		return filepath.Base(os.Args[0])
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if rel, err := filepath.Rel(dir, wd); err == nil && rel != "." {
				return filepath.ToSlash(rel)
			}
			return filepath.Base(wd)
		}
		if filepath.Dir(dir) == dir {
			return filepath.Base(wd)
		}
	}
}
