package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer that the server's goroutines and the test may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func noEnv(string) string { return "" }

func TestServe_BadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"ErrLifetime", []string{"serve", "--invitation-lifetime", "soon"}, nil, `invalid argument "soon" for "--invitation-lifetime" flag`},
		{"ErrShortLifetime", []string{"serve", "--invitation-lifetime", "10s"}, nil, "invalid --invitation-lifetime 10s: it must be at least 1m"},
		{"ErrLifetimeFromEnv", []string{"serve"}, map[string]string{"OCTOINVITE_INVITATION_LIFETIME": "2 days"}, `invalid OCTOINVITE_INVITATION_LIFETIME "2 days"`},
		{"ErrMaxLifetimeBelowDefault", []string{"serve", "--invitation-max-lifetime", "24h"}, nil,
			"invalid --invitation-max-lifetime 24h0m0s: it must be at least --invitation-lifetime (48h0m0s)"},
		{"ErrMaxUses", []string{"serve", "--invitation-max-uses", "0"}, nil, "invalid --invitation-max-uses 0: it must be at least 1"},
		{"ErrRetention", []string{"serve", "--invitation-retention", "-1h"}, nil, "invalid --invitation-retention -1h0m0s: it must not be negative"},
		{"ErrPurgeInterval", []string{"serve"}, map[string]string{"OCTOINVITE_PURGE_INTERVAL": "1s"}, "invalid --purge-interval 1s: it must be at least 1m"},
		{"ErrMetricsListen", []string{"serve", "--metrics-listen", "9090"}, nil, `invalid --metrics-listen "9090"`},
		{"ErrPprofListenAllInterfaces", []string{"serve", "--pprof-listen", ":6060"}, nil, `invalid --pprof-listen ":6060": it must be a loopback address such as 127.0.0.1:6060 or [::1]:6060`},
		{"ErrPprofListenUnspecified", []string{"serve", "--pprof-listen", "0.0.0.0:6060"}, nil, `invalid --pprof-listen "0.0.0.0:6060": it must be a loopback address`},
		{"ErrPprofListenPrivate", []string{"serve"}, map[string]string{"OCTOINVITE_PPROF_LISTEN": "10.0.0.5:6060"}, `invalid --pprof-listen "10.0.0.5:6060": it must be a loopback address`},
		{"ErrPprofListenHostName", []string{"serve", "--pprof-listen", "localhost:6060"}, nil, `invalid --pprof-listen "localhost:6060": it must be a loopback address`},
		{"ErrPprofListenNoPort", []string{"serve", "--pprof-listen", "127.0.0.1"}, nil, `invalid --pprof-listen "127.0.0.1": it must be a loopback address`},
		{"ErrAdminKey", []string{"serve", "--admin-api-key", "secret"}, nil, "invalid --admin-api-key"},
		{"ErrListen", []string{"serve", "--listen", "8080"}, nil, `invalid --listen "8080"`},
		{"ErrLogFormat", []string{"serve", "--log-format", "xml"}, nil, `invalid --log-format "xml": use text or json`},
		{"ErrAuthFailureLimit", []string{"serve", "--auth-failure-limit", "0"}, nil, "invalid --auth-failure-limit 0: it must be at least 1"},
		{"ErrAuthFailureWindow", []string{"serve"}, map[string]string{"OCTOINVITE_AUTH_FAILURE_WINDOW": "10ms"}, "invalid --auth-failure-window 10ms: it must be at least 1s"},
		{"ErrTrustedProxies", []string{"serve", "--trusted-proxies", "10.0.0.0/8,proxy.internal"}, nil, `invalid --trusted-proxies "proxy.internal": name an address such as 10.0.0.5 or a network such as 10.0.0.0/8`},
		{"ErrIPv6Prefix", []string{"serve"}, map[string]string{"OCTOINVITE_IPV6_PREFIX": "129"}, "invalid --ipv6-prefix 129: it must be between 32 and 128"},
		{"ErrUnknownFlag", []string{"serve", "--colour"}, nil, "unknown flag: --colour"},
		{"ErrInstanceNameLines", []string{"serve", "--instance-name", "Acme\r\nBcc: eve@example.com"}, nil, "invalid --instance-name: it must be one line, without control characters"},
		{"ErrSMTPURL", []string{"serve"}, map[string]string{"OCTOINVITE_SMTP_URL": "ftp://mail.example.com"}, `invalid --smtp-url: the scheme must be smtp (STARTTLS) or smtps (implicit TLS), not "ftp"`},
		{"ErrSMTPWithoutFrom", []string{"serve", "--smtp-url", "smtp://127.0.0.1:1025?tls=none"}, nil, "--smtp-from is required with --smtp-url"},
		{"ErrSMTPWithoutPublicURL", []string{"serve", "--smtp-url", "smtp://127.0.0.1:1025?tls=none", "--smtp-from", "noreply@example.com"}, nil,
			"--public-url is required with --smtp-url: the address people open the links of emails at, such as https://octoinvite.example.com"},
		{"ErrFromWithoutSMTP", []string{"serve", "--smtp-from", "noreply@example.com"}, nil, "--smtp-from and --email-templates need --smtp-url"},
		{"ErrPublicURL", []string{"serve", "--public-url", "octoinvite.example.com"}, nil, `invalid --public-url "octoinvite.example.com": it must be an http or https address`},
		{"ErrEmailLease", []string{"serve", "--smtp-url", "smtp://127.0.0.1:1025?tls=none", "--smtp-from", "noreply@example.com",
			"--public-url", "https://octoinvite.example.com", "--email-lease", "10ms"}, nil, "invalid --email-lease 10ms: it must be at least 1s"},
		{"ErrEmailTemplates", []string{"serve", "--smtp-url", "smtp://127.0.0.1:1025?tls=none", "--smtp-from", "noreply@example.com",
			"--public-url", "https://octoinvite.example.com", "--email-templates", "testdata/broken-templates"}, nil,
			"email template testdata/broken-templates/invitation.html.tmpl: template: testdata/broken-templates/invitation.html.tmpl:1: bad character U+003C '<'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			args := append(tt.args, "--data", t.TempDir())
			err := run(context.Background(), args, io.Discard, io.Discard, getenv)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("got a multi-line error %q, want one line", err)
			}
			assertExit(t, err, exitUsage)
		})
	}
}

var (
	addressLine = regexp.MustCompile(`address=(http://[0-9.:]+)`)
	keyLine     = regexp.MustCompile(`\n    (API-[A-Z0-9]+)\n`)
)

// startServe runs `octoinvite serve` on a free port until the returned stop is called, which
// waits for serve to return and hands back its error.
func startServe(t *testing.T, args []string, getenv func(string) string) (url string, stderr *syncBuffer, stop func() error) {
	t.Helper()
	stderr = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), io.Discard, stderr, getenv)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := addressLine.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve ended before listening: %v\n%s", err, stderr)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start:\n%s", stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			err = <-done
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return url, stderr, stop
}

func get(t *testing.T, url, key string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if key != "" {
		req.Header.Set("X-Octopus-ApiKey", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServe_MetricsListener serves the metrics and probes without a key on their own address,
// /metrics with an administrator's key on the main one, and stops cleanly with its purge job.
func TestServe_MetricsListener(t *testing.T) {
	key := "API-ADMINISTRATOR0000000001"
	url, stderr, stop := startServe(t, []string{"--data", t.TempDir(), "--admin-api-key", key, "--metrics-listen", "127.0.0.1:0"}, noEnv)
	m := regexp.MustCompile(`metrics_address=(http://[0-9.:]+)`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("got no metrics address in the log:\n%s", stderr)
	}
	for _, tt := range []struct {
		url, key string
		want     int
	}{
		{m[1] + "/metrics", "", 200}, {m[1] + "/healthz", "", 200}, {m[1] + "/readyz", "", 200},
		{url + "/metrics", "", 401}, {url + "/metrics", key, 200}, {url + "/readyz", "", 200},
	} {
		if got := get(t, tt.url, tt.key); got != tt.want {
			t.Errorf("GET %s: got %d, want %d", tt.url, got, tt.want)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("got %v from a clean shutdown, want nil", err)
	}
}

// TestServe_PprofListener serves Go's profiles on their own loopback address only when
// --pprof-listen asks for it, never on the main address nor on the metrics one, and closes
// that address with the server.
func TestServe_PprofListener(t *testing.T) {
	pprofLine := regexp.MustCompile(`pprof_address=(http://[0-9.:\[\]]+)`)
	notFound := func(path string) string { return `{"ErrorMessage":"There is no resource at '` + path + `'."}` }

	t.Run("Off", func(t *testing.T) {
		url, stderr, stop := startServe(t, []string{"--data", t.TempDir(), "--metrics-listen", "127.0.0.1:0"}, noEnv)
		if m := pprofLine.FindString(stderr.String()); m != "" {
			t.Errorf("got %s in the log without --pprof-listen, want no profiling address", m)
		}
		metrics := regexp.MustCompile(`metrics_address=(http://[0-9.:]+)`).FindStringSubmatch(stderr.String())
		if metrics == nil {
			t.Fatalf("got no metrics address in the log:\n%s", stderr)
		}
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap"} {
			if status, body := getBody(t, url+path); status != 404 || body != notFound(path) {
				t.Errorf("GET %s on the main address: got %d %s, want 404 %s", path, status, body, notFound(path))
			}
			if status, _ := getBody(t, metrics[1]+path); status != 404 {
				t.Errorf("GET %s on the metrics address: got %d, want 404", path, status)
			}
		}
		if err := stop(); err != nil {
			t.Errorf("got %v from a clean shutdown, want nil", err)
		}
	})

	t.Run("OK", func(t *testing.T) {
		url, stderr, stop := startServe(t, []string{"--data", t.TempDir(), "--pprof-listen", "127.0.0.1:0"}, noEnv)
		m := pprofLine.FindStringSubmatch(stderr.String())
		if m == nil {
			t.Fatalf("got no profiling address in the log:\n%s", stderr)
		}
		if status, body := getBody(t, m[1]+"/debug/pprof/"); status != 200 || !strings.Contains(body, "heap") {
			t.Errorf("GET /debug/pprof/: got %d %.200q, want 200 and the index of the profiles", status, body)
		}
		// A profile is gzip-compressed protocol buffers (see runtime/pprof).
		status, body := getBody(t, m[1]+"/debug/pprof/heap")
		if status != 200 {
			t.Fatalf("GET /debug/pprof/heap: got %d %.200q, want 200", status, body)
		}
		if zr, err := gzip.NewReader(strings.NewReader(body)); err != nil {
			t.Errorf("GET /debug/pprof/heap: got a body that is not gzip (%v), want a profile", err)
		} else if raw, err := io.ReadAll(zr); err != nil || len(raw) == 0 {
			t.Errorf("GET /debug/pprof/heap: got %d bytes of profile (%v), want a profile", len(raw), err)
		}
		path := "/debug/pprof/"
		if status, body := getBody(t, url+path); status != 404 || body != notFound(path) {
			t.Errorf("GET %s on the main address: got %d %s, want 404 %s", path, status, body, notFound(path))
		}
		if err := stop(); err != nil {
			t.Errorf("got %v from a clean shutdown, want nil", err)
		}
		if resp, err := http.Get(m[1] + "/debug/pprof/"); err == nil {
			resp.Body.Close()
			t.Errorf("GET /debug/pprof/ after the server stopped: got %d, want no answer", resp.StatusCode)
		}
	})
}

// getBody makes an anonymous GET and returns its status and body.
func getBody(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func TestServe_GeneratedAdminKeyIsPrintedOnce(t *testing.T) {
	dir := t.TempDir()
	url, stderr, stop := startServe(t, []string{"--data", dir}, noEnv)
	m := keyLine.FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no administrator key printed:\n%s", stderr)
	}
	key := m[1]
	if got := get(t, url+"/api/users/me", key); got != 200 {
		t.Errorf("the printed key: got %d, want 200", got)
	}
	if got := get(t, url+"/api/users/me", "API-WRONGWRONGWRONGWRONG00001"); got != 401 {
		t.Errorf("a wrong key: got %d, want 401", got)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve after SIGTERM: got %v, want nil", err)
	}
	info, err := os.Stat(filepath.Join(dir, "master.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("master key file: %v, mode %v, want 0600", err, info.Mode().Perm())
	}
	// The second start keeps the key and prints none.
	url, stderr, _ = startServe(t, []string{"--data", dir}, noEnv)
	if keyLine.MatchString(stderr.String()) {
		t.Errorf("a key was printed again:\n%s", stderr)
	}
	if got := get(t, url+"/api/users/me", key); got != 200 {
		t.Errorf("the first start's key after a restart: got %d, want 200", got)
	}
	db, err := os.ReadFile(filepath.Join(dir, databaseFile))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(db, []byte(key)) {
		t.Error("the database file holds the key itself")
	}
}

func TestServe_ConfiguredAdminKeyFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	first, second := "API-CONFIGUREDKEY000000000001", "API-CONFIGUREDKEY000000000002"
	env := map[string]string{"OCTOINVITE_ADMIN_API_KEY": first, "OCTOINVITE_DATA": dir}
	url, stderr, stop := startServe(t, nil, func(k string) string { return env[k] })
	if keyLine.MatchString(stderr.String()) {
		t.Errorf("a key was generated although one is configured:\n%s", stderr)
	}
	if got := get(t, url+"/api/users/me", first); got != 200 {
		t.Errorf("the configured key: got %d, want 200", got)
	}
	stop()
	// Configuring another key rotates: the old one stops working. The flag wins over the environment.
	url, _, _ = startServe(t, []string{"--admin-api-key", second}, func(k string) string { return env[k] })
	if got := get(t, url+"/api/users/me", second); got != 200 {
		t.Errorf("the new key: got %d, want 200", got)
	}
	if got := get(t, url+"/api/users/me", first); got != 401 {
		t.Errorf("the replaced key: got %d, want 401", got)
	}
}

func TestServe_MissingMasterKeyIsReported(t *testing.T) {
	dir := t.TempDir()
	_, _, stop := startServe(t, []string{"--data", dir}, noEnv)
	stop()
	if err := os.Remove(filepath.Join(dir, "master.key")); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"serve", "--data", dir, "--listen", "127.0.0.1:0"}, io.Discard, io.Discard, noEnv)
	if err == nil || !strings.Contains(err.Error(), "master key file") || !strings.Contains(err.Error(), "is missing") {
		t.Errorf("got %v, want an error saying the master key file is missing", err)
	}
	// Another key is refused as well, rather than read as garbage.
	other := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	err = run(context.Background(), []string{"serve", "--data", dir, "--listen", "127.0.0.1:0", "--master-key", other}, io.Discard, io.Discard, noEnv)
	if err == nil || !strings.Contains(err.Error(), "master key does not open") {
		t.Errorf("got %v, want an error saying the master key does not open the database", err)
	}
	assertExit(t, err, exitFailure)
}

// TestServe_ShutdownDrainsInFlightRequests stops the server while a request's body is still
// arriving: the request completes, then serve returns nil.
func TestServe_ShutdownDrainsInFlightRequests(t *testing.T) {
	key := "API-CONFIGUREDKEY000000000001"
	url, _, stop := startServe(t, []string{"--data", t.TempDir(), "--admin-api-key", key}, noEnv)
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"AddToTeamIds":["teams-everyone"]}`
	head := "POST /api/users/invitations HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: " + key +
		"\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	// The server answers 100 Continue when the handler starts reading the body: from then on the
	// request is in flight.
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("got %q %v, want 100 Continue", line, err)
	}
	r.ReadString('\n')
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	select {
	case err := <-stopped:
		t.Fatalf("serve returned (%v) while a request was in flight", err)
	case <-time.After(300 * time.Millisecond):
	}
	if _, err := conn.Write([]byte(body)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("reading the in-flight request's response: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("the in-flight request: got %d, want 201", resp.StatusCode)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve: got %v, want nil", err)
	}
}
