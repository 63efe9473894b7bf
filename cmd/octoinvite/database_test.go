package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite/internal/pgtest"
	"github.com/octoinvite/octoinvite/sqldb"
)

// runServe runs the serve command with args and the environment env, and returns its error.
func runServe(t *testing.T, env map[string]string, args ...string) error {
	t.Helper()
	var stdout, stderr bytes.Buffer
	return run(context.Background(), append([]string{"serve"}, args...), &stdout, &stderr, func(k string) string { return env[k] })
}

func TestServeRejectsDatabaseURL(t *testing.T) {
	const want = "invalid --database: it must be a URL such as postgres://user:password@host:5432/database"
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"OtherScheme", nil, []string{"--database", "mysql://db.internal/octoinvite"}},
		{"NoHost", nil, []string{"--database", "postgres:///octoinvite"}},
		{"NotAURLFromTheEnvironment", map[string]string{"OCTOINVITE_DATABASE": "db.internal:5432"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := runServe(t, tc.env, append(tc.args, "--data", t.TempDir())...)
			if err == nil || err.Error() != want {
				t.Errorf("got %v, want %s", err, want)
			}
		})
	}
}

func TestServeGivesUpOnUnreachableDatabase(t *testing.T) {
	data := t.TempDir()
	// Nothing listens on port 1 of the loopback: every attempt is refused at once.
	err := runServe(t, nil, "--data", data, "--database-wait", "0s",
		"--database", "postgres://octoinvite:secret@127.0.0.1:1/octoinvite")
	const want = "the database postgres://octoinvite:xxxxx@127.0.0.1:1/octoinvite did not answer within 0s (--database-wait): " +
		"the database is unavailable: failed to connect to `user=octoinvite database=octoinvite`: "
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "secret") {
		t.Errorf("got %v, want one line starting %q, without the password", err, want)
	}
	if _, err := os.Stat(filepath.Join(data, masterKeyFile)); !os.IsNotExist(err) {
		t.Errorf("master key file after a failed start: got %v, want none", err)
	}
}

func TestServeRefusesAnotherMasterKeyOnPostgres(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	first := bytes.Repeat([]byte{1}, sqldb.MasterKeySize)
	db, err := sqldb.OpenPostgres(context.Background(), dbURL, first)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	data := t.TempDir()
	err = runServe(t, nil, "--data", data, "--database", dbURL, "--database-wait", "0s")
	u, _ := url.Parse(dbURL)
	want := "opening the database " + u.Redacted() + ": " + sqldb.ErrWrongMasterKey.Error() +
		" (every server on one database needs the same --master-key)"
	if err == nil || err.Error() != want {
		t.Errorf("with a new key file: got %v, want %s", err, want)
	}
	if _, err := os.Stat(filepath.Join(data, masterKeyFile)); !os.IsNotExist(err) {
		t.Errorf("key file made for the refused start: got %v, want none", err)
	}

	other := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, sqldb.MasterKeySize))
	err = runServe(t, map[string]string{"OCTOINVITE_MASTER_KEY": other}, "--data", data, "--database", dbURL)
	if err == nil || err.Error() != want {
		t.Errorf("with --master-key: got %v, want %s", err, want)
	}
}

// TestServeTwoInstancesOnPostgres runs two servers on one database, as behind a load balancer:
// what one stores, the other serves.
func TestServeTwoInstancesOnPostgres(t *testing.T) {
	dbURL := pgtest.NewDatabase(t, "pool_max_conns=4")
	env := map[string]string{
		"OCTOINVITE_DATABASE":      dbURL,
		"OCTOINVITE_MASTER_KEY":    base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, sqldb.MasterKeySize)),
		"OCTOINVITE_ADMIN_API_KEY": "API-TWOINSTANCES00000000001",
	}
	getenv := func(k string) string { return env[k] }
	first, _, _ := startServe(t, []string{"--data", t.TempDir()}, getenv)
	second, _, _ := startServe(t, []string{"--data", t.TempDir()}, getenv)

	req, _ := http.NewRequest("POST", first+"/api/Spaces-1/teams", strings.NewReader(`{"Name":"Developers"}`))
	req.Header.Set("X-Octopus-ApiKey", env["OCTOINVITE_ADMIN_API_KEY"])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("creating a team through the first server: got %d, want 201", resp.StatusCode)
	}
	if got := get(t, second+"/api/Spaces-1/teams/Teams-1", env["OCTOINVITE_ADMIN_API_KEY"]); got != http.StatusOK {
		t.Errorf("loading it through the second server: got %d, want 200", got)
	}
}

// TestServeWaitsForPostgres starts the server while the database does not answer: it retries,
// and starts serving once the database is back.
func TestServeWaitsForPostgres(t *testing.T) {
	proxy, proxied := pgtest.NewProxy(t, pgtest.NewDatabase(t, "pool_max_conns=4"))
	proxy.Stop()
	stderr := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--data", t.TempDir(), "--database", proxied,
			"--database-wait", "1m", "--admin-api-key", "API-WAITINGFORTHEDATABASE01"}, io.Discard, stderr, noEnv)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	waitFor := func(what string, found func(string) bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !found(stderr.String()) {
			select {
			case err := <-done:
				done <- err
				t.Fatalf("serve ended while waiting for %s: %v\n%s", what, err, stderr)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s after 20s:\n%s", what, stderr)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("retry", func(s string) bool { return strings.Contains(s, `msg="waiting for the database"`) })
	proxy.Start(t)
	var url string
	waitFor("listening line", func(s string) bool {
		if m := addressLine.FindStringSubmatch(s); m != nil {
			url = m[1]
			return true
		}
		return false
	})
	if got := get(t, url+"/api/users/me", "API-WAITINGFORTHEDATABASE01"); got != http.StatusOK {
		t.Errorf("GET /api/users/me once started: got %d, want 200", got)
	}
}
