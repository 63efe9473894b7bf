// Package mailpittest runs mailpit (github.com/axllent/mailpit), a real SMTP server with an HTTP
// API that shows what it received, for tests: each test gets its own, on loopback ports, with
// its own database. The binary is the one OCTOINVITE_TEST_MAILPIT names, else mailpit on PATH
// (.ci/run installs it with go install github.com/axllent/mailpit@v1.33.1); without one, tests
// skip and say why.
package mailpittest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite/internal/testnote"
)

// EnvVar names the variable holding the path of the mailpit binary.
const EnvVar = "OCTOINVITE_TEST_MAILPIT"

// Binary returns the path of mailpit, or "" and why there is none.
func Binary() (path, reason string) {
	if p := os.Getenv(EnvVar); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Sprintf("%s names %s, which cannot be run: %v", EnvVar, p, err)
		}
		return p, ""
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p, ""
	}
	return "", "no mailpit: " + EnvVar + " is unset and mailpit is not on PATH (go install github.com/axllent/mailpit@v1.33.1)"
}

// skipped counts the tests that skipped for want of mailpit.
var skipped atomic.Int64

// Main runs the tests of a package that uses Start, and exits with their outcome; call it from
// the package's TestMain. When some skipped for want of mailpit, it says how many and why on
// one line that go test ./... shows (see testnote).
func Main(m *testing.M) {
	code := m.Run()
	SaySkipped()
	os.Exit(code)
}

// SaySkipped says, as Main does, how many tests skipped for want of mailpit, if any did.
func SaySkipped() {
	if n := skipped.Load(); n > 0 {
		_, reason := Binary()
		testnote.Say(fmt.Sprintf("%s: %s skipped: %s", testnote.Package(), testnote.Count(n, "mail server test"), reason))
	}
}

// Server is a running mailpit.
type Server struct {
	// SMTP is the address of its SMTP server, such as 127.0.0.1:41025; API the base URL of its
	// HTTP API.
	SMTP string
	API  string

	t    testing.TB
	bin  string
	args []string
	cmd  *exec.Cmd
	done chan struct{}
}

// Start runs mailpit until the test ends, with extra arguments (such as
// --smtp-allowed-recipients). It skips the test if there is no mailpit, and fails it if EnvVar
// names one that cannot be run.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin, reason := Binary()
	switch {
	case bin == "" && os.Getenv(EnvVar) != "":
		t.Fatal(reason)
	case bin == "":
		skipped.Add(1)
		t.Skip(reason)
	}
	dir := t.TempDir()
	s := &Server{t: t, bin: bin, SMTP: freeAddress(t), API: "http://" + freeAddress(t)}
	s.args = []string{"--smtp", s.SMTP, "--listen", s.API[len("http://"):],
		"--database", filepath.Join(dir, "mailpit.db"), "--max", "0", "--disable-version-check", "--quiet",
		"--smtp-auth-accept-any"}
	// Any password is accepted, over TLS when it is required, else over a plain connection.
	if !slices.Contains(extra, "--smtp-require-starttls") && !slices.Contains(extra, "--smtp-require-tls") {
		s.args = append(s.args, "--smtp-auth-allow-insecure")
	}
	s.args = append(s.args, extra...)
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// freeAddress returns a loopback address whose port was free a moment ago.
func freeAddress(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Start starts mailpit again after Stop, on the same addresses and database, and waits until
// it answers.
func (s *Server) Start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, s.args...)
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, io.Discard
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("starting mailpit: %v", err)
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(s.cmd, s.done)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.API + "/api/v1/info")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if c, err := net.Dial("tcp", s.SMTP); err == nil {
					c.Close()
					return
				}
			}
		}
		select {
		case <-s.done:
			s.t.Fatalf("mailpit stopped at start (%v)", s.args)
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatal("mailpit did not answer within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops mailpit; calling it when stopped does nothing.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Address is an address in a message.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Summary is a message as mailpit lists it.
type Summary struct {
	ID        string    `json:"ID"`
	MessageID string    `json:"MessageID"`
	From      Address   `json:"From"`
	To        []Address `json:"To"`
	Subject   string    `json:"Subject"`
}

// Message is a message with its parts.
type Message struct {
	Summary
	Text string `json:"Text"`
	HTML string `json:"HTML"`
}

// Messages returns every message received, newest first.
func (s *Server) Messages(t testing.TB) []Summary {
	t.Helper()
	var all []Summary
	for start := 0; ; {
		var page struct {
			Total    int       `json:"total"`
			Messages []Summary `json:"messages"`
		}
		s.get(t, "/api/v1/messages?limit=1000&start="+strconv.Itoa(start), &page)
		all = append(all, page.Messages...)
		start += len(page.Messages)
		if len(page.Messages) == 0 || start >= page.Total {
			return all
		}
	}
}

// Message returns a message by its mailpit ID.
func (s *Server) Message(t testing.TB, id string) *Message {
	t.Helper()
	var m Message
	s.get(t, "/api/v1/message/"+url.PathEscape(id), &m)
	return &m
}

// Headers returns the headers of a message by its mailpit ID.
func (s *Server) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	var h map[string][]string
	s.get(t, "/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
	return h
}

// WaitFor waits until at least n messages arrived, for at most timeout, and returns them.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Summary {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msgs := s.Messages(t)
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d messages within %s, want %d", len(msgs), timeout, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) get(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(s.API + path)
	if err != nil {
		t.Fatalf("mailpit GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("mailpit GET %s: %s %s", path, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit GET %s: %v", path, err)
	}
}

// RefuseRecipients makes mailpit answer every RCPT with code (a 4xx or 5xx) while on, through
// its chaos API; it must have been started with --enable-chaos.
func (s *Server) RefuseRecipients(t testing.TB, code int, on bool) {
	t.Helper()
	probability := 0
	if on {
		probability = 100
	}
	body := fmt.Sprintf(`{"Recipient":{"ErrorCode":%d,"Probability":%d}}`, code, probability)
	req, _ := http.NewRequest(http.MethodPut, s.API+"/api/v1/chaos", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("mailpit PUT /api/v1/chaos: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit PUT /api/v1/chaos: %s", resp.Status)
	}
}
