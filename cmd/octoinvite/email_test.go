package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/mailpittest"
	"github.com/octoinvite/octoinvite/internal/servertest"
	"github.com/octoinvite/octoinvite/sqldb"
)

// emailFlags are the flags of a server that emails invitations through mailpit, retrying
// every 100ms rather than every minute, and taking over a crashed instance's messages after 2s
// rather than a minute.
func emailFlags(mp *mailpittest.Server) []string {
	return []string{"--smtp-url", "smtp://" + mp.SMTP + "?tls=none", "--smtp-from", "octoinvite <noreply@octoinvite.test>",
		"--public-url", "https://octoinvite.test", "--email-retry-delay", "100ms", "--email-lease", "2s", "--instance-name", "Acme Deploy"}
}

// TestEmail_SIGKILL kills the server with SIGKILL during a burst of 200 emailed invitations,
// restarts it, and checks that every acknowledged invitation's message arrives, none twice: a
// message sent again after the crash carries the same Message-ID, and counts as one.
func TestEmail_SIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a server process; skipped in -short mode")
	}
	mp := mailpittest.Start(t)
	dir := t.TempDir()
	const key = "API-EMAILCRASHTEST0000000001"
	p := startProcess(t, dir, key, emailFlags(mp)...)
	client := &http.Client{Timeout: 10 * time.Second}
	acked := map[string]string{} // address → Message-ID of the 201
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range 200 {
			next <- i
		}
	}()
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				address := fmt.Sprintf("crash%d@example.org", i)
				ans, status := post(context.Background(), client, p.url+"/api/users/invitations",
					fmt.Sprintf(`{"AddToTeamIds":[],"EmailAddress":%q}`, address), "X-Octopus-ApiKey", key)
				if status != http.StatusCreated {
					continue
				}
				var inv struct{ Delivery struct{ MessageId string } }
				if err := json.Unmarshal(ans.body, &inv); err != nil || inv.Delivery.MessageId == "" {
					t.Errorf("201 without a delivery: %s", ans.body)
					continue
				}
				mu.Lock()
				acked[address] = inv.Delivery.MessageId
				if len(acked) == 100 {
					p.cmd.Process.Signal(syscall.SIGKILL)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	p.cmd.Wait()
	if len(acked) < 100 {
		t.Fatalf("only %d invitations acknowledged before the kill", len(acked))
	}
	startProcess(t, dir, key, emailFlags(mp)...)

	deadline := time.Now().Add(2 * time.Minute)
	for {
		ids := map[string]map[string]bool{} // address → Message-IDs received
		for _, m := range mp.Messages(t) {
			to := m.To[0].Address
			if ids[to] == nil {
				ids[to] = map[string]bool{}
			}
			ids[to][m.MessageID] = true
		}
		missing := 0
		for address, id := range acked {
			if !ids[address][id] {
				missing++
			}
		}
		if missing == 0 {
			if s := mp.Messages(t)[0].Subject; s != "Administrator invited you to Acme Deploy" {
				t.Errorf("subject %q, want the instance's name", s)
			}
			for address, got := range ids {
				if len(got) != 1 {
					t.Errorf("%s received %d different messages, want 1", address, len(got))
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged invitations' messages did not arrive", missing, len(acked))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCLIEmail: invite --email creates one invitation per address, and invitation get, list
// and resend show and act on their email.
func TestCLIEmail(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	ctx := context.Background()
	env.CreateTeam(t, "Developers", ptr("Spaces-1"))

	stdout, stderr, err := runCLI(t, vars, "invite", "--space", "Spaces-1", "--team", "Teams-1", "--email", "jane@example.org")
	if err == nil || err.Error() != "There was a problem with your request. "+octoinvite.MsgEmailNotConfigured+" (400 Bad Request)" || stdout != "" {
		t.Fatalf("invite --email without email: got %q, %v (stderr %q)", stdout, err, stderr)
	}

	env.DB.Email = &sqldb.EmailSettings{MessageIDDomain: "example.org"}
	stdout, stderr, err = runCLI(t, vars, "invite", "--space", "Spaces-1", "--team", "Teams-1",
		"--email", "jane@example.org", "--email", "not an address", "--email", "joe@example.org")
	if err == nil || err.Error() != "2 of 3 invitations created; refused: not an address" {
		t.Errorf("bulk invite with a bad address: got error %v", err)
	}
	if want := "octoinvite: not an address: There was a problem with your request. " + octoinvite.MsgEmailAddressInvalid + " (400 Bad Request)\n"; stderr != want {
		t.Errorf("stderr: got %q, want %q", stderr, want)
	}
	assertOutput(t, stdout, `ID             EMAIL             DELIVERY  EXPIRES
Invitations-1  jane@example.org  Queued    2026-11-28 19:00 JST
Invitations-2  joe@example.org   Queued    2026-11-28 19:00 JST
`)
	out := mustRun(t, vars, "invite", "--space", "Spaces-1", "--team", "Teams-1", "--email", "a@example.org", "--email", "b@example.org", "--output", "json")
	var created []octoinvite.Invitation
	if err := json.Unmarshal([]byte(out), &created); err != nil || len(created) != 2 || created[1].EmailAddress != "b@example.org" {
		t.Errorf("bulk invite --output json: got %s (%v), want an array of the two", out, err)
	}

	// The first message fails once and is sent at the second attempt.
	msgs, err := env.DB.ClaimEmails(ctx, "test", time.Minute, 1)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("claim: %v, %v", msgs, err)
	}
	if _, err := env.DB.RecordEmailOutcome(ctx, msgs[0], errors.New("421 4.3.2 try later"), servertest.Epoch.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	out = mustRun(t, vars, "invitation", "get", "Invitations-1")
	if !strings.Contains(out, "Email:       jane@example.org\nDelivery:    Queued (attempt 1 failed: 421 4.3.2 try later; next 2026-11-26 19:01:00 JST)\n") {
		t.Errorf("invitation get while retrying:\n%s", out)
	}
	env.Clock.Advance(time.Minute)
	if msgs, err = env.DB.ClaimEmails(ctx, "test", time.Minute, 10); err != nil || len(msgs) != 4 || msgs[0].InvitationID != "Invitations-1" {
		t.Fatalf("claim: %v, %v", msgs, err)
	}
	if _, err := env.DB.RecordEmailOutcome(ctx, msgs[0], nil, time.Time{}); err != nil {
		t.Fatal(err)
	}
	out = mustRun(t, vars, "invitation", "get", "Invitations-1")
	if !strings.Contains(out, "Delivery:    Sent 2026-11-26 19:01:00 JST\n") {
		t.Errorf("invitation get once sent:\n%s", out)
	}
	mustRun(t, vars, "invite", "--space", "Spaces-1", "--team", "Teams-1")
	assertOutput(t, mustRun(t, vars, "invitation", "list"), `ID             STATE    USES  EXPIRES               SPACE     TEAMS       EMAIL             DELIVERY
Invitations-5  Pending  0/1   2026-11-28 19:01 JST  Spaces-1  Developers  (none)            -
Invitations-4  Pending  0/1   2026-11-28 19:00 JST  Spaces-1  Developers  b@example.org     Queued
Invitations-3  Pending  0/1   2026-11-28 19:00 JST  Spaces-1  Developers  a@example.org     Queued
Invitations-2  Pending  0/1   2026-11-28 19:00 JST  Spaces-1  Developers  joe@example.org   Queued
Invitations-1  Pending  0/1   2026-11-28 19:00 JST  Spaces-1  Developers  jane@example.org  Sent
`)

	out = mustRun(t, vars, "invitation", "resend", "Invitations-1")
	if !strings.Contains(out, "Delivery:    Queued\n") {
		t.Errorf("invitation resend:\n%s", out)
	}
	env.Clock.Advance(time.Second)
	stdout, _, err = runCLI(t, vars, "invitation", "resend", "Invitations-1")
	assertFailure(t, stdout, err, "The invitation was emailed less than a minute ago; try again in 59 seconds. (429 Too Many Requests)")
	stdout, _, err = runCLI(t, vars, "invitation", "resend", "Invitations-5")
	assertFailure(t, stdout, err, "There was a problem with your request. "+octoinvite.MsgInvitationNoAddress+" (400 Bad Request)")
}
