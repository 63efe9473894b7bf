package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// buildBinary compiles octoinvite once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "octoinvite-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "octoinvite")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// process is a server running as a separate process.
type process struct {
	cmd *exec.Cmd
	url string
}

var listening = regexp.MustCompile(`address=(http://[0-9.:]+)`)

// startProcess runs `octoinvite serve` on dir and waits until it listens.
func startProcess(t *testing.T, dir, key string) *process {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data", dir, "--admin-api-key", key, "--log-format", "text")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			if m := listening.FindStringSubmatch(s.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case url := <-found:
		return &process{cmd: cmd, url: url}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
		return nil
	}
}

// TestDurability_SIGKILL drives concurrent creates, kills the server with SIGKILL mid-traffic,
// restarts it on the same data and checks that every acknowledged invitation is there, intact,
// that no ID was handed out twice, and that SQLite's integrity check passes. Three rounds.
func TestDurability_SIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a server process; skipped in -short mode")
	}
	dir := t.TempDir()
	const key = "API-DURABILITYTEST0000000001"
	acked := map[string]string{} // ID → the body answered with 201
	client := &http.Client{Timeout: 10 * time.Second}
	for round := 0; round < 3; round++ {
		p := startProcess(t, dir, key)
		var mu sync.Mutex
		var wg sync.WaitGroup
		ctx, stop := context.WithCancel(context.Background())
		roundAcks := 0
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					req, _ := http.NewRequestWithContext(ctx, "POST", p.url+"/api/Spaces-1/users/invitations",
						strings.NewReader(`{"AddToTeamIds":["teams-everyone"]}`))
					req.Header.Set("X-Octopus-ApiKey", key)
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						return // the server is gone
					}
					body, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusCreated {
						continue
					}
					var inv struct{ Id string }
					if json.Unmarshal(body, &inv) != nil {
						continue
					}
					mu.Lock()
					if prev, dup := acked[inv.Id]; dup {
						t.Errorf("ID %s handed out twice:\n%s\n%s", inv.Id, prev, body)
					}
					acked[inv.Id] = string(body)
					roundAcks++
					n := roundAcks
					mu.Unlock()
					if n == 150 {
						// Kill while the other workers are mid-request.
						p.cmd.Process.Signal(syscall.SIGKILL)
					}
				}
			}()
		}
		p.cmd.Wait()
		stop()
		wg.Wait()
		if roundAcks < 150 {
			t.Fatalf("round %d: only %d creates acknowledged", round, roundAcks)
		}
	}

	p := startProcess(t, dir, key)
	for id, want := range acked {
		req, _ := http.NewRequest("GET", p.url+"/api/users/invitations/"+id, nil)
		req.Header.Set("X-Octopus-ApiKey", key)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(got) != want {
			t.Errorf("acknowledged %s: got %d %s, want 200 %s", id, resp.StatusCode, got, want)
		}
	}
	p.cmd.Process.Kill()
	p.cmd.Wait()

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, databaseFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity check: got %q %v, want ok", check, err)
	}
	var stored int
	if err := db.QueryRow("SELECT count(*) FROM invitations").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored < len(acked) {
		t.Errorf("got %d invitations stored, want at least the %d acknowledged", stored, len(acked))
	}
	t.Logf("%d invitations acknowledged over 3 crashes, %d stored", len(acked), stored)
}
