package main

import (
	"io"
	"sync"
)

// maxPendingLog bounds the log bytes waiting for the writer; a logger that finds that much
// waiting waits too, so that nothing is dropped however slow the output.
const maxPendingLog = 1 << 20

// logWriter hands log lines to a goroutine that writes them to w in order, as soon as it is
// free, every line that arrived meanwhile in one write. A request's log line then costs its
// handler no system call, and under load one write carries many lines. A line is lost only if
// the process is killed between its logging and the write that follows at once; Close writes
// whatever is waiting.
type logWriter struct {
	w       io.Writer
	mu      sync.Mutex
	room    *sync.Cond // signalled when the pending lines were taken
	pending []byte
	closed  bool
	wake    chan struct{}
	done    chan struct{}
}

func newLogWriter(w io.Writer) *logWriter {
	l := &logWriter{w: w, wake: make(chan struct{}, 1), done: make(chan struct{})}
	l.room = sync.NewCond(&l.mu)
	go l.loop()
	return l
}

// Write queues p, which slog hands over as whole lines, and returns at once unless too much is
// waiting already. After Close it writes p itself.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	for len(l.pending) >= maxPendingLog && !l.closed {
		l.room.Wait()
	}
	if l.closed {
		l.mu.Unlock()
		return l.w.Write(p)
	}
	l.pending = append(l.pending, p...)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (l *logWriter) loop() {
	defer close(l.done)
	var spare []byte
	for range l.wake {
		l.mu.Lock()
		batch := l.pending
		l.pending = spare[:0]
		closed := l.closed
		l.room.Broadcast()
		l.mu.Unlock()
		if len(batch) > 0 {
			_, _ = l.w.Write(batch)
		}
		if closed {
			return
		}
		// A batch that grew large is not kept, so that a burst does not hold its memory.
		if cap(batch) <= 64<<10 {
			spare = batch
		} else {
			spare = nil
		}
	}
}

// Close writes the lines waiting and stops the goroutine; later lines are written directly.
func (l *logWriter) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.room.Broadcast()
	l.mu.Unlock()
	// The loop takes what is pending once more, sees closed, and stops.
	select {
	case l.wake <- struct{}{}:
	default:
	}
	<-l.done
	return nil
}
