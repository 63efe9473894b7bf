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

// startProcess runs `octoinvite serve` on dir, with extra flags, and waits until it listens.
func startProcess(t *testing.T, dir, key string, extra ...string) *process {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	// Each start listens on another port: the public address keeps the invitations' links.
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--data", dir, "--admin-api-key", key, "--log-format", "text",
		"--public-url", "https://octoinvite.example"}, extra...)...)
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

// ackedUser is a registration the server acknowledged, with the API key its user then created.
type ackedUser struct {
	id, username, invitationID, keyID, key string
}

// registrar registers users with fresh invitations into the team, as fast as it can: each
// registration's code is tried a second time, which must fail, and the new user creates an API
// key with its session. Every acknowledged step is recorded with record.
func registrar(ctx context.Context, t *testing.T, client *http.Client, url, key, teamID, prefix string, record func(ackedUser)) {
	for n := 0; ctx.Err() == nil; n++ {
		inv, status := post(ctx, client, url+"/api/Spaces-1/users/invitations", `{"AddToTeamIds":["teams-everyone","`+teamID+`"]}`, "X-Octopus-ApiKey", key)
		if status != http.StatusCreated {
			continue
		}
		var invitation struct{ Id, InvitationCode string }
		if json.Unmarshal(inv.body, &invitation) != nil {
			continue
		}
		username := fmt.Sprintf("%s-%d", prefix, n)
		reg := fmt.Sprintf(`{"Username":%q,"DisplayName":"Crash tester","Password":"correct horse battery staple","InvitationCode":%q}`, username, invitation.InvitationCode)
		resp, status := post(ctx, client, url+"/api/users/register", reg)
		if status != http.StatusCreated {
			continue
		}
		var user struct{ Id string }
		if json.Unmarshal(resp.body, &user) != nil {
			continue
		}
		acked := ackedUser{id: user.Id, username: username, invitationID: invitation.Id}
		again := fmt.Sprintf(`{"Username":"%s-again","DisplayName":"Crash tester","Password":"correct horse battery staple","InvitationCode":%q}`, username, invitation.InvitationCode)
		if _, status := post(ctx, client, url+"/api/users/register", again); status == http.StatusCreated {
			t.Errorf("the code of %s registered a second user", invitation.Id)
		}
		var cookies, csrf []string
		for _, c := range resp.cookies {
			cookies = append(cookies, c.Name+"="+c.Value)
			if strings.HasPrefix(c.Name, "Octopus-Csrf-Token") {
				csrf = append(csrf, c.Value)
			}
		}
		if len(csrf) == 1 {
			if k, status := post(ctx, client, url+"/api/users/"+user.Id+"/apikeys", `{"Purpose":"crash"}`,
				"Cookie", strings.Join(cookies, "; "), "X-Octopus-Csrf-Token", csrf[0]); status == http.StatusCreated {
				var apiKey struct{ Id, ApiKey string }
				if json.Unmarshal(k.body, &apiKey) == nil {
					acked.keyID, acked.key = apiKey.Id, apiKey.ApiKey
				}
			}
		}
		record(acked)
	}
}

// answer is the body and cookies of a response.
type answer struct {
	body    []byte
	cookies []*http.Cookie
}

// post sends a JSON body and returns the answer and its status, 0 if the server did not answer.
func post(ctx context.Context, client *http.Client, url, body string, headers ...string) (answer, int) {
	req, _ := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, 0
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, 0
	}
	return answer{body: b, cookies: resp.Cookies()}, resp.StatusCode
}

// TestDurability_SIGKILL drives concurrent invitation creates and registrations (each followed
// by an API key created with the new user's session), kills the server with SIGKILL
// mid-traffic, restarts it on the same data and checks that every acknowledged invitation, user
// and key is there, intact, that the users are in their teams, that no ID was handed out twice
// and no code redeemed twice, that every change has its audit event, and that SQLite's
// integrity check passes. Three rounds.
func TestDurability_SIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a server process; skipped in -short mode")
	}
	dir := t.TempDir()
	const key = "API-DURABILITYTEST0000000001"
	acked := map[string]string{} // ID → the body answered with 201
	users := map[string]ackedUser{}
	client := &http.Client{Timeout: 10 * time.Second}
	teamID := ""
	for round := 0; round < 3; round++ {
		p := startProcess(t, dir, key)
		if teamID == "" {
			team, status := post(context.Background(), client, p.url+"/api/Spaces-1/teams", `{"Name":"Crash testers"}`, "X-Octopus-ApiKey", key)
			var created struct{ Id string }
			if status != http.StatusCreated || json.Unmarshal(team.body, &created) != nil {
				t.Fatalf("creating the team: got %d %s", status, team.body)
			}
			teamID = created.Id
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		ctx, stop := context.WithCancel(context.Background())
		roundAcks, roundUsers := 0, 0
		kill := func() {
			// Kill while the other workers are mid-request.
			if roundAcks >= 150 && roundUsers >= 5 {
				p.cmd.Process.Signal(syscall.SIGKILL)
			}
		}
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				registrar(ctx, t, client, p.url, key, teamID, fmt.Sprintf("r%dw%d", round, w), func(u ackedUser) {
					mu.Lock()
					defer mu.Unlock()
					if prev, dup := users[u.id]; dup {
						t.Errorf("user ID %s handed out twice: %s and %s", u.id, prev.username, u.username)
					}
					users[u.id] = u
					roundUsers++
					kill()
				})
			}()
		}
		for w := 0; w < 6; w++ {
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
					kill()
					mu.Unlock()
				}
			}()
		}
		p.cmd.Wait()
		stop()
		wg.Wait()
		if roundAcks < 150 || roundUsers < 5 {
			t.Fatalf("round %d: only %d creates and %d registrations acknowledged", round, roundAcks, roundUsers)
		}
	}

	p := startProcess(t, dir, key)
	get := func(path, apiKey string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", p.url+path, nil)
		req.Header.Set("X-Octopus-ApiKey", apiKey)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(got)
	}
	for id, want := range acked {
		if status, got := get("/api/users/invitations/"+id, key); status != 200 || got != want {
			t.Errorf("acknowledged %s: got %d %s, want 200 %s", id, status, got, want)
		}
	}
	keys := 0
	for _, u := range users {
		var got struct{ Id, Username string }
		status, body := get("/api/users/"+u.id, key)
		if json.Unmarshal([]byte(body), &got); status != 200 || got.Id != u.id || got.Username != u.username {
			t.Errorf("acknowledged user %s (%s): got %d %s", u.id, u.username, status, body)
		}
		if u.key != "" {
			keys++
			if status, body := get("/api/users/me", u.key); status != 200 || !strings.Contains(body, `"Id":"`+u.id+`"`) {
				t.Errorf("acknowledged key %s of %s: got %d %s, want 200 for the user", u.keyID, u.id, status, body)
			}
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
	if stored < len(acked)+len(users) {
		t.Errorf("got %d invitations stored, want at least the %d acknowledged", stored, len(acked)+len(users))
	}
	for _, u := range users {
		var teams, redeemedBy string
		if err := db.QueryRow(`SELECT group_concat(team_id, ',') FROM (SELECT team_id FROM team_members WHERE user_id = ? ORDER BY team_id)`, u.id).Scan(&teams); err != nil || teams != teamID+",teams-everyone" {
			t.Errorf("teams of %s: got %q %v, want %s,teams-everyone", u.id, teams, err, teamID)
		}
		if err := db.QueryRow(`SELECT redeemed_by FROM invitations WHERE id = ?`, u.invitationID).Scan(&redeemedBy); err != nil || redeemedBy != u.id {
			t.Errorf("%s: got redeemed by %q %v, want %s", u.invitationID, redeemedBy, err, u.id)
		}
		var events int
		if err := db.QueryRow(`SELECT count(*) FROM events e JOIN event_documents d ON d.event_id = e.id
			WHERE d.document_id = ? AND e.category = 'Created' AND e.message LIKE 'User %'`, u.id).Scan(&events); err != nil || events != 1 {
			t.Errorf("registration events of %s: got %d %v, want 1", u.id, events, err)
		}
	}
	// Every registered user redeemed exactly one code, and every redeemed code made one user.
	var registered, redeemed, redeemers int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM users WHERE id <> 'Users-1'),
		(SELECT count(*) FROM invitations WHERE redeemed_by IS NOT NULL),
		(SELECT count(DISTINCT redeemed_by) FROM invitations WHERE redeemed_by IS NOT NULL)`).Scan(&registered, &redeemed, &redeemers); err != nil {
		t.Fatal(err)
	}
	if registered != redeemed || redeemed != redeemers || registered < len(users) {
		t.Errorf("got %d users, %d redeemed codes by %d users; want equal, and at least the %d acknowledged", registered, redeemed, redeemers, len(users))
	}
	var eventsWithoutChange int
	if err := db.QueryRow(`SELECT count(*) FROM events e JOIN event_documents d ON d.event_id = e.id AND d.position = 0
		WHERE e.category = 'Created' AND d.document_id LIKE 'Invitations-%' AND d.document_id NOT IN (SELECT id FROM invitations)`).Scan(&eventsWithoutChange); err != nil || eventsWithoutChange != 0 {
		t.Errorf("got %d invitation events without their invitation (%v), want 0", eventsWithoutChange, err)
	}
	t.Logf("%d invitations, %d registrations and %d keys acknowledged over 3 crashes; %d invitations, %d users stored",
		len(acked), len(users), keys, stored, registered)
}
