package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// server is a server process under measurement.
type server struct {
	name string
	cmd  *exec.Cmd
	url  string
	done chan error
	// urls, if set, are the addresses of instances that share the load, each request going
	// to the next (next counts them); see base.
	urls []string
	next *atomic.Uint64
}

// startOctoinvite starts the octoinvite binary on the data folder, with extra flags, and returns
// once it answers GET /api/, with the time that took.
func startOctoinvite(ctx context.Context, binary, data, adminKey string, extra ...string) (*server, time.Duration, error) {
	cmd := exec.CommandContext(ctx, binary, append([]string{"serve", "--listen", "127.0.0.1:0", "--data", data,
		"--admin-api-key", adminKey, "--log-format", "json"}, extra...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	s := &server{name: "octoinvite", cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var line struct {
				Msg     string `json:"msg"`
				Address string `json:"address"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				addr <- line.Address
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.url = <-addr:
	case err := <-s.done:
		return nil, 0, fmt.Errorf("octoinvite stopped at start: %v", err)
	case <-time.After(2 * time.Minute):
		s.stop()
		return nil, 0, errors.New("octoinvite did not start within 2 minutes")
	}
	for {
		resp, err := http.Get(s.url + "/api/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, time.Since(start), nil
			}
		}
		time.Sleep(time.Millisecond)
	}
}

// startReference starts this program's reference server answering the given bodies.
func startReference(ctx context.Context, getFile, postFile string) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, referenceCommand, "-get", getFile, "-post", postFile)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{name: "reference", cmd: cmd, done: make(chan error, 1)}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	go func() { s.done <- cmd.Wait() }()
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("the reference server did not start: %w", err)
	}
	s.url = strings.TrimSpace(line)
	return s, nil
}

// stop ends the process with SIGTERM, then SIGKILL if it lingers.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// clockTicks is the unit of the CPU times in /proc/<pid>/stat (USER_HZ), 100 on every Linux
// architecture Go supports.
const clockTicks = 100

// cpuTime returns the CPU time the process has used so far, user and system.
func (s *server) cpuTime() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The command's name, in parentheses, may hold spaces: the fields follow its last ')'.
	i := strings.LastIndexByte(string(b), ')')
	fields := strings.Fields(string(b[i+1:]))
	if i < 0 || len(fields) < 13 {
		return 0, errors.New("unexpected /proc stat")
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// rss is a process's resident memory, anonymous (the heap, stacks: RssAnon) and file-backed
// (the binary, mapped files: RssFile), in bytes.
type rss struct{ anon, file int64 }

// memorySampleInterval is how often sampleMemory reads the process's resident memory.
const memorySampleInterval = 20 * time.Millisecond

// sampleMemory reads the process's resident memory every memorySampleInterval until stop is
// closed, and returns the peak of each kind (the kernel keeps a peak of their sum only, VmHWM).
// A process that has ended is read no more.
func (s *server) sampleMemory(stop <-chan struct{}) rss {
	var peak rss
	tick := time.NewTicker(memorySampleInterval)
	defer tick.Stop()
	for {
		now, err := s.memory()
		if err != nil {
			return peak
		}
		peak.anon, peak.file = max(peak.anon, now.anon), max(peak.file, now.file)
		select {
		case <-stop:
			return peak
		case <-tick.C:
		}
	}
}

// memory returns the process's resident memory now.
func (s *server) memory() (rss, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return rss{}, err
	}
	return parseRSS(string(b))
}

// parseRSS reads RssAnon and RssFile from the text of /proc/<pid>/status.
func parseRSS(status string) (rss, error) {
	var r rss
	var found int
	for _, line := range strings.Split(status, "\n") {
		for _, f := range []struct {
			prefix string
			dst    *int64
		}{{"RssAnon:", &r.anon}, {"RssFile:", &r.file}} {
			if rest, ok := strings.CutPrefix(line, f.prefix); ok {
				kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				if err != nil {
					return rss{}, fmt.Errorf("/proc status: %s %w", f.prefix, err)
				}
				*f.dst = kb << 10
				found++
			}
		}
	}
	if found != 2 {
		return rss{}, errors.New("no RssAnon and RssFile in /proc status")
	}
	return r, nil
}
