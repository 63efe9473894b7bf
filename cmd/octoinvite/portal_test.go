package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestServe_PortalConfiguration refuses malformed portal settings at start, in one line.
func TestServe_PortalConfiguration(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"ErrPublicURLScheme", []string{"serve", "--public-url", "octo.example.com"}, nil, `invalid --public-url "octo.example.com": it must be an http or https address such as https://octoinvite.example.com`},
		{"ErrPublicURLQuery", []string{"serve"}, map[string]string{"OCTOINVITE_PUBLIC_URL": "https://octo.example.com/?x=1"}, "invalid --public-url"},
		{"ErrInstanceName", []string{"serve", "--instance-name", " "}, nil, "invalid --instance-name: name the installation in 1 to 100 characters"},
		{"ErrIdleTimeout", []string{"serve", "--session-idle-timeout", "10s"}, nil, "invalid --session-idle-timeout 10s: it must be at least 1m"},
		{"ErrSessionLifetime", []string{"serve", "--session-lifetime", "10m"}, nil, "invalid --session-lifetime 10m0s: it must be at least --session-idle-timeout (30m0s)"},
		{"ErrTwoPasswords", []string{"serve", "--admin-password", "correct horse battery", "--admin-password-file", "/nonexistent"}, nil,
			"give --admin-password or --admin-password-file, not both"},
		{"ErrPasswordFile", []string{"serve"}, map[string]string{"OCTOINVITE_ADMIN_PASSWORD_FILE": "/nonexistent/password"}, "invalid --admin-password-file"},
		{"ErrWeakPassword", []string{"serve"}, map[string]string{"OCTOINVITE_ADMIN_PASSWORD": "octoinvite2026!"},
			"invalid administrator password (OCTOINVITE_ADMIN_PASSWORD or --admin-password-file): The password must not be made of the name of this server; please choose another."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			args := append(tt.args, "--data", t.TempDir(), "--listen", "127.0.0.1:0")
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

// signIn signs in to the server's pages with the API's sign-in and returns the status.
func signIn(t *testing.T, url, username, password string) int {
	t.Helper()
	resp, err := http.Post(url+"/api/users/login", "application/json", strings.NewReader(`{"Username":"`+username+`","Password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServe_AdminPassword gives the first administrator the configured password at first start,
// and never replaces a password set since.
func TestServe_AdminPassword(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(file, []byte("silver kettle morning\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OCTOINVITE_DATA": dir, "OCTOINVITE_ADMIN_PASSWORD_FILE": file, "OCTOINVITE_ADMIN_API_KEY": servertest.AdminKey}
	url, stderr, stop := startServe(t, nil, func(k string) string { return env[k] })
	if got := signIn(t, url, "admin", "silver kettle morning"); got != 200 {
		t.Fatalf("the configured password: got %d, want 200\n%s", got, stderr)
	}
	if !strings.Contains(stderr.String(), "the administrator's password was set from the configuration") {
		t.Errorf("got no log line of the password being set:\n%s", stderr)
	}
	if strings.Contains(stderr.String(), "silver kettle") {
		t.Error("got the password in the log")
	}
	// The administrator changes it; a restart with the variable keeps the change.
	vars := map[string]string{"OCTOPUS_URL": url, "OCTOPUS_API_KEY": servertest.AdminKey}
	if _, err := runWithStdin(t, vars, "silver kettle morning\nanother kettle evening\n", "user", "set-password", "--current-password-stdin"); err != nil {
		t.Fatal(err)
	}
	stop()
	url, stderr, _ = startServe(t, nil, func(k string) string { return env[k] })
	if got := signIn(t, url, "admin", "another kettle evening"); got != 200 {
		t.Errorf("the changed password after a restart: got %d, want 200", got)
	}
	if got := signIn(t, url, "admin", "silver kettle morning"); got != 401 {
		t.Errorf("the configured password after a change: got %d, want 401", got)
	}
	if !strings.Contains(stderr.String(), "the administrator has a password already: the configured one is not used") {
		t.Errorf("got no log line of the configured password being left unused:\n%s", stderr)
	}
}

// TestCLIUserSetPassword sets passwords from the command line, read from standard input.
func TestCLIUserSetPassword(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	out, err := runWithStdin(t, vars, "silver kettle morning\n", "user", "set-password", "--password-stdin")
	if err != nil {
		t.Fatal(err)
	}
	assertOutput(t, out, "The password of Users-1 was set. The user's other sessions have ended; their API keys keep working.\n")
	if got := signIn(t, env.URL, "admin", "silver kettle morning"); got != 200 {
		t.Errorf("got %d signing in with the new password, want 200", got)
	}

	user, _ := env.CreateUser(t, "jane")
	if _, err := runWithStdin(t, vars, "purple elephant umbrella\n", "user", "set-password", "jane", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if got := signIn(t, env.URL, "jane", "purple elephant umbrella"); got != 200 {
		t.Errorf("got %d signing in as jane, want 200", got)
	}

	tests := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"ErrNoStdinFlag", "", []string{"user", "set-password"}, "give the new password on standard input, with --password-stdin (or --current-password-stdin)"},
		{"ErrEmpty", "\n", []string{"user", "set-password", "--password-stdin"}, "standard input holds no new password"},
		{"ErrCurrentNeeded", "orange giraffe teapot\n", []string{"user", "set-password", "--password-stdin"},
			"There was a problem with your request. Please provide your current password (CurrentPassword). (400 Bad Request)"},
		{"ErrWeak", "short\n", []string{"user", "set-password", user.ID, "--password-stdin"}, "must be at least 12 characters long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runWithStdin(t, vars, tt.stdin, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
