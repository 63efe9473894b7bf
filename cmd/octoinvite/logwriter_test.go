package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// gatedWriter records what it is given; while gated, each write waits for a release.
type gatedWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	entered chan struct{}
	release chan struct{}
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	if g.entered != nil {
		g.entered <- struct{}{}
		<-g.release
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.Write(p)
}

func (g *gatedWriter) String() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.String()
}

func TestLogWriter(t *testing.T) {
	t.Parallel()
	t.Run("InOrderAndAllWrittenByClose", func(t *testing.T) {
		out := &gatedWriter{}
		l := newLogWriter(out)
		var want strings.Builder
		for i := range 5000 {
			line := fmt.Sprintf("line %d\n", i)
			want.WriteString(line)
			if n, err := l.Write([]byte(line)); n != len(line) || err != nil {
				t.Fatalf("Write: got %d, %v, want %d, nil", n, err, len(line))
			}
		}
		if err := l.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if got := out.String(); got != want.String() {
			t.Errorf("got %d bytes, want the %d bytes written, in order", len(got), want.Len())
		}
		if _, err := l.Write([]byte("after close\n")); err != nil {
			t.Fatalf("Write after Close: %v", err)
		}
		if got := out.String(); !strings.HasSuffix(got, "line 4999\nafter close\n") {
			t.Errorf("got %q at the end, want the line written after Close", got[max(0, len(got)-40):])
		}
	})
	t.Run("NothingDroppedWhenTheOutputStalls", func(t *testing.T) {
		out := &gatedWriter{entered: make(chan struct{}), release: make(chan struct{})}
		l := newLogWriter(out)
		if _, err := l.Write([]byte("first\n")); err != nil {
			t.Fatal(err)
		}
		<-out.entered // the writer is stuck in the output with the first line
		big := strings.Repeat("x", maxPendingLog) + "\n"
		done := make(chan struct{})
		go func() {
			defer close(done)
			// The second waits for room: the first filled what may wait.
			for _, line := range []string{big, "last\n"} {
				if _, err := l.Write([]byte(line)); err != nil {
					t.Error(err)
				}
			}
		}()
		go func() {
			for range out.entered {
			}
		}()
		close(out.release)
		<-done
		if err := l.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		close(out.entered)
		if got, want := out.String(), "first\n"+big+"last\n"; got != want {
			t.Errorf("got %d bytes, want %d: every line, in order", len(got), len(want))
		}
	})
}
