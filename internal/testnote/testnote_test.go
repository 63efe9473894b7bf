package testnote

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestCount(t *testing.T) {
	if got := Count(1, "browser test") + ", " + Count(41, "PostgreSQL test"); got != "1 browser test, 41 PostgreSQL tests" {
		t.Errorf("got %q", got)
	}
}

func TestPackage(t *testing.T) {
	if got := Package(); got != "internal/testnote" {
		t.Errorf("got %q, want internal/testnote", got)
	}
}

// role is how TestSay's processes know their part: the test binary runs a copy of itself named
// go, which runs the binary again, as go test does, keeping back its output; that one says the
// line. TESTNOTE_WANT says where the line must end up: "go", on the standard error of the
// process named go, or "kept", in the output kept back.
const role, want = "TESTNOTE_ROLE", "TESTNOTE_WANT"

const line = "said by the test binary"

func TestSay(t *testing.T) {
	switch os.Getenv(role) {
	case "go":
		child := exec.Command(os.Args[0], "-test.run=^TestSay$")
		child.Env = append(os.Environ(), role+"=test")
		var kept bytes.Buffer
		child.Stdout, child.Stderr = &kept, &kept
		if err := child.Run(); err != nil {
			t.Fatalf("%v: %s", err, kept.String())
		}
		if inKept := strings.Contains(kept.String(), line); inKept != (os.Getenv(want) == "kept") {
			t.Fatalf("got the kept-back output %q, want the line there: %v", kept.String(), !inKept)
		}
		return
	case "test":
		Say(line)
		return
	}
	if runtime.GOOS != "linux" {
		t.Skip("the go command's standard error is found through Linux's /proc")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	fakeGo := filepath.Join(t.TempDir(), "go")
	copyFile(t, self, fakeGo)
	// runGo runs the process named go with its standard error on stderr; where says where the
	// line must end up.
	runGo := func(t *testing.T, stderr *os.File, where string) {
		t.Helper()
		cmd := exec.Command(fakeGo, "-test.run=^TestSay$")
		cmd.Env = append(os.Environ(), role+"=go", want+"="+where)
		var stdout bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %s", err, stdout.String())
		}
	}
	t.Run("pipe", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		runGo(t, w, "go")
		w.Close()
		got, _ := io.ReadAll(r)
		if string(got) != line+"\n" {
			t.Errorf("got %q on the standard error of the process named go, want the line", got)
		}
	})
	t.Run("file", func(t *testing.T) {
		// go test 2>log: the go command writes at its own offset, which would cover the line.
		f, err := os.Create(filepath.Join(t.TempDir(), "log"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		runGo(t, f, "kept")
	})
	t.Run("appended file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "log")
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		runGo(t, f, "go")
		if got, _ := os.ReadFile(path); string(got) != line+"\n" {
			t.Errorf("got %q in the file the process named go appends to, want the line", got)
		}
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE, 0o700)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
