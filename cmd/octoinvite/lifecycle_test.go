package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

func TestCLIInvitationLifecycle(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	team := env.CreateTeam(t, "Developers", ptr("Spaces-1"))

	// The CLI computes Expires from its own clock: put the server's at the same time, so that
	// the requested expiry lies within the server's bounds, and bound the answer by the times
	// around the call.
	now := time.Now().UTC()
	env.Clock.Set(now)
	mustRun(t, vars, "invite", "--space", "Spaces-1", "--team", team.ID, "--expires-in", "72h", "--max-uses", "3")
	after := time.Now()
	inv, err := env.DB.FindInvitationByID(context.Background(), "Invitations-1")
	if err != nil {
		t.Fatal(err)
	}
	if inv.MaxUses != 3 || inv.Expires.Before(now.Add(72*time.Hour).Truncate(time.Millisecond)) || inv.Expires.After(after.Add(72*time.Hour)) {
		t.Errorf("got MaxUses %d, Expires %s; want 3 and 72h after %s", inv.MaxUses, inv.Expires, now)
	}
	env.Clock.Set(servertest.Epoch)
	mustRun(t, vars, "invite", "--team", "teams-everyone") // Invitations-2, in the default space

	t.Run("List", func(t *testing.T) {
		out := mustRun(t, vars, "invitation", "list")
		want := "ID             STATE    USES  EXPIRES               SPACE     TEAMS\n" +
			"Invitations-2  Pending  0/1   2026-11-28 19:00 JST  Spaces-1  Everyone\n" +
			"Invitations-1  Pending  0/3   " + inv.Expires.In(location(func(string) string { return "Asia/Tokyo" })).Format("2006-01-02 15:04 MST") + "  Spaces-1  Developers\n"
		assertOutput(t, out, want)
	})
	t.Run("Revoke", func(t *testing.T) {
		revoked := `Invitation:  Invitations-2
Expires:     2026-11-28 19:00:00 JST
State:       Revoked
Uses:        0/1
Revoked:     2026-11-26 19:00:00 JST by admin
Space:       Spaces-1
Teams:       Everyone (teams-everyone)
Changed:     2026-11-26 19:00:00 JST by admin
`
		out, stderr, err := runCLI(t, vars, "invitation", "revoke", "Invitations-2")
		if err != nil || stderr != "" {
			t.Fatalf("got %v, %q on standard error; want success, silently", err, stderr)
		}
		assertOutput(t, out, revoked)
		out = mustRun(t, vars, "invitation", "list", "--state", "revoked")
		if !strings.Contains(out, "Invitations-2  Revoked") || strings.Contains(out, "Invitations-1") {
			t.Errorf("got\n%s\nwant only Invitations-2, revoked", out)
		}
		stdout, _, err := runCLI(t, vars, "invitation", "regenerate", "Invitations-2")
		assertFailure(t, stdout, err, "There was a problem with your request. The invitation has been revoked; create a new invitation instead of regenerating it. (409 Conflict)")

		// Again, an hour later: it says so, and nothing changes.
		env.Clock.Advance(time.Hour)
		defer env.Clock.Set(servertest.Epoch)
		out, stderr, err = runCLI(t, vars, "invitation", "revoke", "Invitations-2")
		if err != nil {
			t.Fatal(err)
		}
		assertOutput(t, out, revoked)
		assertOutput(t, stderr, "octoinvite: Invitations-2 was already revoked on 2026-11-26 19:00:00 JST by admin: nothing changed\n")
		events, err := env.DB.FindEvents(context.Background(), octoinvite.EventFilter{Regarding: []string{"Invitations-2"}, Range: octoinvite.Range{Take: 10}})
		if err != nil || events.Total != 2 {
			t.Errorf("got %d events about Invitations-2 (%v), want 2: created, revoked once", events.Total, err)
		}
	})
	t.Run("Regenerate", func(t *testing.T) {
		out := mustRun(t, vars, "invitation", "regenerate", "Invitations-1", "--output", "json")
		fresh, err := env.DB.FindInvitationByID(context.Background(), "Invitations-1")
		if err != nil {
			t.Fatal(err)
		}
		if fresh.InvitationCode == inv.InvitationCode || !strings.Contains(out, `"InvitationCode":"`+fresh.InvitationCode+`"`) ||
			!strings.Contains(out, `"Expires":"2026-11-28T10:00:00.000+00:00"`) {
			t.Errorf("got\n%s\nwant the new code, expiring after the default lifetime", out)
		}
	})
	t.Run("Event times", func(t *testing.T) {
		out := mustRun(t, vars, "event", "list", "--regarding", "Invitations-1", "--take", "1")
		if !strings.Contains(out, "Invitation Invitations-1 was given a new code, valid until 2026-11-28 19:00:00 JST in space Spaces-1\n") {
			t.Errorf("got\n%s\nwant the new expiry in the time zone of the table", out)
		}
	})
	t.Run("Redeemed", func(t *testing.T) {
		fresh, err := env.DB.FindInvitationByID(context.Background(), "Invitations-1")
		if err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(time.Hour)
		defer env.Clock.Set(servertest.Epoch)
		register(t, env, fresh.InvitationCode, "jane")
		out := mustRun(t, vars, "invitation", "get", "Invitations-1")
		if !strings.Contains(out, "State:          Pending\nUses:           1/3\nLast redeemed:  2026-11-26 20:00:00 JST by Users-2\n") ||
			!strings.Contains(out, "Link:           "+env.URL+"/app/register?invitation="+fresh.InvitationCode+"\n") {
			t.Errorf("got\n%s\nwant the latest redemption, and the link of a code still usable", out)
		}

		mustRun(t, vars, "invite", "--team", "teams-everyone") // Invitations-3
		once, err := env.DB.FindInvitationByID(context.Background(), "Invitations-3")
		if err != nil {
			t.Fatal(err)
		}
		register(t, env, once.InvitationCode, "john")
		assertOutput(t, mustRun(t, vars, "invitation", "get", "Invitations-3"), `Invitation:  Invitations-3
Expires:     2026-11-28 20:00:00 JST
State:       Redeemed
Uses:        1/1
Redeemed:    2026-11-26 20:00:00 JST by Users-3
Space:       Spaces-1
Teams:       Everyone (teams-everyone)
Changed:     2026-11-26 20:00:00 JST by admin
`)
	})
	t.Run("Regenerate --expires-in", func(t *testing.T) {
		start := time.Now().UTC()
		env.Clock.Set(start)
		defer env.Clock.Set(servertest.Epoch)
		mustRun(t, vars, "invitation", "regenerate", "Invitations-1", "--expires-in", "168h")
		end := time.Now()
		fresh, err := env.DB.FindInvitationByID(context.Background(), "Invitations-1")
		if err != nil {
			t.Fatal(err)
		}
		if fresh.Expires.Before(start.Add(168*time.Hour).Truncate(time.Millisecond)) || fresh.Expires.After(end.Add(168*time.Hour)) || fresh.Uses != 1 {
			t.Errorf("got Expires %s and %d uses, want 168h after %s and the use kept", fresh.Expires, fresh.Uses, start)
		}
		stdout, _, err := runCLI(t, vars, "invitation", "regenerate", "Invitations-1", "--expires-in", "0s")
		assertFailure(t, stdout, err, "invalid --expires-in 0s: it must be positive, such as 72h")
		stdout, _, err = runCLI(t, vars, "invitation", "regenerate", "Invitations-1", "--expires-in", "10000h")
		if err == nil || !strings.Contains(err.Error(), "is too far away: an invitation can last at most 720h0m0s") || stdout != "" {
			t.Errorf("got %v, want the server's refusal of a distant expiry", err)
		}
	})
	t.Run("ErrUnknownState", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "invitation", "list", "--state", "Lost")
		assertFailure(t, stdout, err, "There was a problem with your request. The state 'Lost' is not one of Pending, Redeemed, Expired, Revoked. (400 Bad Request)")
	})
	t.Run("ErrBadFlags", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "invite", "--expires-in", "-1h")
		assertFailure(t, stdout, err, "invalid --expires-in -1h0m0s: it must be positive, such as 72h")
		stdout, _, err = runCLI(t, vars, "invite", "--max-uses", "0")
		assertFailure(t, stdout, err, "invalid --max-uses 0: it must be at least 1")
		stdout, _, err = runCLI(t, vars, "invite", "--expires-in", "10000h")
		if err == nil || !strings.Contains(err.Error(), "is too far away: an invitation can last at most 720h0m0s") {
			t.Errorf("got %v, want the server's refusal of a distant expiry", err)
		}
	})
}

// register registers a user with the invitation code, as the invitee's page does.
func register(t *testing.T, env *servertest.Env, code, username string) {
	t.Helper()
	reg := &octoinvite.Registration{Username: username, DisplayName: username, Password: "maple-Quartz-river-91", InvitationCode: code}
	if _, err := env.DB.Register(context.Background(), reg); err != nil {
		t.Fatalf("registering %s: %v", username, err)
	}
}

func TestCLIVersion(t *testing.T) {
	b := readBuild()
	t.Run("text", func(t *testing.T) {
		out := mustRun(t, nil, "version")
		if !strings.HasPrefix(out, "octoinvite "+version()+"\n") || !strings.HasSuffix(out, "Go:  "+runtime.Version()+"\n") {
			t.Errorf("got\n%s\nwant the version, then the Go version", out)
		}
	})
	t.Run("json", func(t *testing.T) {
		want, _ := json.Marshal(b)
		assertOutput(t, mustRun(t, nil, "version", "-o", "json"), string(want)+"\n")
		if !strings.HasPrefix(string(want), `{"Version":"`+version()+`",`) {
			t.Errorf("got %s, want the version first", want)
		}
	})
	t.Run("ErrOutput", func(t *testing.T) {
		stdout, _, err := runCLI(t, nil, "version", "-o", "yaml")
		assertFailure(t, stdout, err, `invalid --output "yaml": use text or json`)
	})
}

func TestDescribeBuild(t *testing.T) {
	const cmd = "github.com/octoinvite/octoinvite/cmd/octoinvite"
	self := debug.Module{Path: "github.com/octoinvite/octoinvite", Version: "(devel)"}
	vcs := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "4ec44c14acecf9a28b8757c632b7a994dd5babe3"},
		{Key: "vcs.time", Value: "2026-11-26T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}
	for _, tt := range []struct {
		name string
		info debug.BuildInfo
		want build
	}{
		{"go install at a version", debug.BuildInfo{GoVersion: "go1.26.8", Path: cmd, Main: debug.Module{Path: self.Path, Version: "v1.4.2"}},
			build{Version: "1.4.2", GoVersion: "go1.26.8"}},
		{"stamped checkout", debug.BuildInfo{GoVersion: "go1.26.8", Path: cmd, Settings: vcs,
			Main: debug.Module{Path: self.Path, Version: "v0.0.0-20261126100000-4ec44c14acec+dirty"}},
			build{Version: "0.0.0-20261126100000-4ec44c14acec+dirty", Commit: "4ec44c14acecf9a28b8757c632b7a994dd5babe3",
				Date: "2026-11-26T10:00:00Z", Modified: true, GoVersion: "go1.26.8"}},
		{"the tool of another module", debug.BuildInfo{GoVersion: "go1.26.8", Path: cmd, Main: debug.Module{Path: "example.com/ops", Version: "(devel)"},
			Deps: []*debug.Module{{Path: "github.com/spf13/cobra", Version: "v1.10.2"}, {Path: self.Path, Version: "v1.3.0"}}},
			build{Version: "1.3.0", GoVersion: "go1.26.8"}},
		{"a replaced module", debug.BuildInfo{GoVersion: "go1.26.8", Path: cmd, Main: debug.Module{Path: "example.com/ops"},
			Deps: []*debug.Module{{Path: self.Path, Version: "v1.3.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.3.1"}}}},
			build{Version: "1.3.1", GoVersion: "go1.26.8"}},
		{"checkout without a module version", debug.BuildInfo{GoVersion: "go1.26.8", Path: cmd, Main: self, Settings: vcs[:3]},
			build{Version: "0.0.0-dev+4ec44c14acec", Commit: "4ec44c14acecf9a28b8757c632b7a994dd5babe3", Date: "2026-11-26T10:00:00Z", GoVersion: "go1.26.8"}},
		{"nothing known", debug.BuildInfo{GoVersion: "go1.26.8", Path: cmd, Main: self},
			build{Version: "0.0.0-dev", GoVersion: "go1.26.8"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := describeBuild(&tt.info); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestPurgeJob runs the housekeeping job's one run directly, on a store whose clock the test
// sets, and then its loop until the context ends.
func TestPurgeJob(t *testing.T) {
	env := servertest.Start(t)
	ctx := context.Background()
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "admin"}
	if err := env.DB.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	job := &purgeJob{store: env.DB, retention: 24 * time.Hour, interval: time.Hour, logger: slog.New(slog.DiscardHandler), metrics: env.Metrics}
	steps := []struct {
		at     time.Duration
		purged int
	}{
		{48 * time.Hour, 0},                  // expired just now: kept for the retention
		{72*time.Hour - time.Millisecond, 0}, // not yet a day after
		{72 * time.Hour, 1},
		{72 * time.Hour, 0}, // nothing left: a second run is harmless
	}
	for _, step := range steps {
		env.Clock.Set(servertest.Epoch.Add(step.at))
		if n, err := job.runOnce(ctx); err != nil || n != step.purged {
			t.Fatalf("at +%s: got %d purged, %v; want %d", step.at, n, err, step.purged)
		}
	}
	want := `
# HELP octoinvite_invitation_events_total Invitations created, redeemed (each use), revoked, regenerated and purged by this instance.
# TYPE octoinvite_invitation_events_total counter
octoinvite_invitation_events_total{event="created"} 0
octoinvite_invitation_events_total{event="purged"} 1
octoinvite_invitation_events_total{event="redeemed"} 0
octoinvite_invitation_events_total{event="regenerated"} 0
octoinvite_invitation_events_total{event="revoked"} 0
`
	if err := testutil.GatherAndCompare(env.Metrics.Gatherer(), strings.NewReader(want), "octoinvite_invitation_events_total"); err != nil {
		t.Error(err)
	}

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); job.run(runCtx) }()
	cancel()
	<-done // the loop returns once cancelled; the test's deadline catches a loop that does not
}
