package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestServe_PortTakenCreatesNothing starts a server on a port another program holds: it fails
// before creating the data folder, so the next start is still the first and prints the key.
func TestServe_PortTakenCreatesNothing(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "data")
	stderr := &syncBuffer{}
	err = run(context.Background(), []string{"serve", "--listen", taken.Addr().String(), "--data", dir}, io.Discard, stderr, noEnv)
	if err == nil || !strings.HasPrefix(err.Error(), "listening on "+taken.Addr().String()+": ") {
		t.Fatalf("got %v, want an error saying the address is taken", err)
	}
	assertExit(t, err, exitFailure)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the data folder: got %v, want it not created", err)
	}
	if keyLine.MatchString(stderr.String()) {
		t.Errorf("a key was printed by a start that failed:\n%s", stderr)
	}
	taken.Close()
	_, stderr, _ = startServe(t, []string{"--data", dir}, noEnv)
	if !keyLine.MatchString(stderr.String()) {
		t.Errorf("the first start that listens printed no key:\n%s", stderr)
	}
}

// TestServe_MetricsPortTakenCreatesNothing is the same for the metrics and the profiling
// addresses.
func TestServe_MetricsPortTakenCreatesNothing(t *testing.T) {
	for _, flag := range []string{"--metrics-listen", "--pprof-listen"} {
		t.Run(flag, func(t *testing.T) {
			taken, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer taken.Close()
			dir := filepath.Join(t.TempDir(), "data")
			err = run(context.Background(), []string{"serve", "--listen", "127.0.0.1:0", flag, taken.Addr().String(), "--data", dir}, io.Discard, io.Discard, noEnv)
			if err == nil || !strings.Contains(err.Error(), "("+flag+")") {
				t.Fatalf("got %v, want an error saying the address of %s is taken", err, flag)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("the data folder: got %v, want it not created", err)
			}
		})
	}
}

// TestServe_OneServerPerDataFolder starts a second server on the data folder of a running one:
// it is refused, naming the first one's process, and starts once the first has stopped.
func TestServe_OneServerPerDataFolder(t *testing.T) {
	dir := t.TempDir()
	key := "API-CONFIGUREDKEY000000000001"
	_, _, stop := startServe(t, []string{"--data", dir, "--admin-api-key", key}, noEnv)
	err := run(context.Background(), []string{"serve", "--listen", "127.0.0.1:0", "--data", dir, "--admin-api-key", key}, io.Discard, io.Discard, noEnv)
	want := "the data folder " + dir + " is in use by another server (PID " + strconv.Itoa(os.Getpid()) + "): stop that server first"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v, want an error starting %q", err, want)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	url, _, _ := startServe(t, []string{"--data", dir}, noEnv)
	if got := get(t, url+"/api/users/me", key); got != 200 {
		t.Errorf("after the first server stopped: got %d, want 200", got)
	}
}

// TestServe_DataFolderIsPrivate checks the modes of a new data folder and of every file in it,
// SQLite's -wal and -shm included, while the server runs, and the warnings of a start on a
// folder whose files are open to other users.
func TestServe_DataFolderIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no permission bits")
	}
	dir := filepath.Join(t.TempDir(), "data")
	key := "API-CONFIGUREDKEY000000000001"
	url, stderr, stop := startServe(t, []string{"--data", dir, "--admin-api-key", key}, noEnv)
	if ex := do(t, "POST", url+"/api/users/invitations", `{"AddToTeamIds":["teams-everyone"]}`, "X-Octopus-ApiKey", key); ex.status != 201 {
		t.Fatalf("got %d, want 201: %s", ex.status, ex.body)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("the data folder: got %v %v, want mode 0700", info.Mode().Perm(), err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if info, err := e.Info(); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: got mode %v %v, want 0600", e.Name(), info.Mode().Perm(), err)
		}
	}
	for _, want := range []string{databaseFile, databaseFile + "-wal", databaseFile + "-shm", masterKeyFile, lockFileName} {
		if !slices.Contains(names, want) {
			t.Errorf("the data folder holds %v, want %s among them", names, want)
		}
	}
	if strings.Contains(stderr.String(), "other users can open") {
		t.Errorf("a private folder was warned about:\n%s", stderr)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(dir, databaseFile)
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, stderr, _ = startServe(t, []string{"--data", dir, "--admin-api-key", key}, noEnv)
	for _, want := range []string{
		`path=` + dir + ` mode=0755 fix="chmod 700 ` + dir + `"`,
		`path=` + db + ` mode=0644 fix="chmod 600 ` + db + `"`,
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("got the log\n%s\nwant a warning with %s", stderr, want)
		}
	}
}

// TestServe_KeysFromFiles gives the administrator's key and the master key in files, by flag and
// by environment variable, and checks the conflicts and the errors.
func TestServe_KeysFromFiles(t *testing.T) {
	secrets := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(secrets, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	adminKey := "API-KEYFROMAFILE0000000000001"
	adminFile := write("admin", adminKey+"\n")
	masterFile := write("master", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n")
	dir := t.TempDir()

	t.Run("OK flags", func(t *testing.T) {
		url, stderr, stop := startServe(t, []string{"--data", dir, "--admin-api-key-file", adminFile, "--master-key-file", masterFile}, noEnv)
		if keyLine.MatchString(stderr.String()) {
			t.Errorf("a key was generated although one is configured:\n%s", stderr)
		}
		if got := get(t, url+"/api/users/me", adminKey); got != 200 {
			t.Errorf("the key of the file: got %d, want 200", got)
		}
		if _, err := os.Stat(filepath.Join(dir, masterKeyFile)); !os.IsNotExist(err) {
			t.Errorf("a master key file was made in the data folder although one was given: %v", err)
		}
		stop()
	})
	t.Run("OK environment; the flag wins", func(t *testing.T) {
		env := map[string]string{"OCTOINVITE_ADMIN_API_KEY_FILE": adminFile, "OCTOINVITE_MASTER_KEY_FILE": masterFile}
		url, _, stop := startServe(t, []string{"--data", dir}, func(k string) string { return env[k] })
		if got := get(t, url+"/api/users/me", adminKey); got != 200 {
			t.Errorf("the key of the file named by the environment: got %d, want 200", got)
		}
		stop()
		other := "API-KEYFROMTHEFLAG00000000001"
		url, _, stop = startServe(t, []string{"--data", dir, "--admin-api-key", other}, func(k string) string { return env[k] })
		if got := get(t, url+"/api/users/me", other); got != 200 {
			t.Errorf("the key of the flag, over the file of the environment: got %d, want 200", got)
		}
		stop()
	})
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"ErrBoth", []string{"--admin-api-key", adminKey, "--admin-api-key-file", adminFile}, "give --admin-api-key or --admin-api-key-file, not both"},
		{"ErrMissing", []string{"--master-key-file", filepath.Join(secrets, "none")}, "invalid --master-key-file: open " + filepath.Join(secrets, "none") + ": no such file or directory"},
		{"ErrEmpty", []string{"--admin-api-key-file", write("empty", "\n")}, "invalid --admin-api-key-file: the file " + filepath.Join(secrets, "empty") + " is empty"},
		{"ErrAdminKey", []string{"--admin-api-key-file", masterFile}, "invalid --admin-api-key-file " + masterFile + ": it must be API- followed by 16 to 60 upper-case letters and digits"},
		{"ErrMasterKey", []string{"--master-key-file", adminFile}, "invalid --master-key-file " + adminFile + ": it must be the base64 of 32 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), append([]string{"serve", "--listen", "127.0.0.1:0", "--data", t.TempDir()}, tt.args...), io.Discard, io.Discard, noEnv)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
			assertExit(t, err, exitUsage)
		})
	}
}
