package main

import (
	"context"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestCLINamesOrIDs names spaces, teams and users by ID and by name wherever a command takes one.
func TestCLINamesOrIDs(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	env.CreateSpace(t, "Operations")
	env.CreateTeam(t, "Developers", ptr("Spaces-1"))
	env.CreateTeam(t, "Developers", ptr("Spaces-2"))
	env.CreateTeam(t, "On call", ptr("Spaces-2"))
	env.CreateUser(t, "jane")
	ctx := context.Background()

	for _, tc := range []struct {
		name string
		args []string
		want string // the first line of the output
	}{
		{"space by ID", []string{"space", "get", "Spaces-2"}, "Space:        Spaces-2"},
		{"space by name", []string{"space", "get", "operations"}, "Space:        Spaces-2"},
		{"team by ID in its space", []string{"team", "get", "Teams-2", "--space", "Operations"}, "Team:         Teams-2"},
		{"team by name in a space", []string{"team", "get", "DEVELOPERS", "--space", "Operations"}, "Team:         Teams-2"},
		{"team by name in the other space", []string{"team", "get", "developers", "--space", "Spaces-1"}, "Team:         Teams-1"},
		{"team by a name unique across spaces", []string{"team", "get", "On call"}, "Team:         Teams-3"},
		{"system team by name in a space", []string{"team", "get", "everyone", "--space", "Operations"}, "Team:         teams-everyone"},
		{"user by ID", []string{"user", "get", "Users-2"}, "User:          Users-2"},
		{"user by username", []string{"user", "get", "JANE"}, "User:          Users-2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := mustRun(t, vars, tc.args...)
			if first, _, _ := strings.Cut(out, "\n"); first != tc.want {
				t.Errorf("got %q, want it to start with %q", out, tc.want)
			}
		})
	}

	t.Run("team create in a space by name", func(t *testing.T) {
		mustRun(t, vars, "team", "create", "Testers", "--space", "default")
		team, err := env.DB.FindTeamByID(ctx, "Teams-4")
		if err != nil || team.SpaceID == nil || *team.SpaceID != "Spaces-1" {
			t.Errorf("the store holds %+v, %v; want Testers in Spaces-1", team, err)
		}
	})
	t.Run("invite by names", func(t *testing.T) {
		out := mustRun(t, vars, "invite", "--space", "Operations", "--team", "on call", "--team", "Everyone", "-o", "basic")
		if out != "Invitations-1\n" {
			t.Errorf("got %q, want the invitation's ID", out)
		}
		inv, err := env.DB.FindInvitationByID(ctx, "Invitations-1")
		if err != nil || *inv.SpaceID != "Spaces-2" || strings.Join(inv.AddToTeamIDs, ",") != "Teams-3,teams-everyone" {
			t.Errorf("the store holds %+v, %v; want Teams-3 and teams-everyone in Spaces-2", inv, err)
		}
		if out := mustRun(t, vars, "invitation", "list", "--team", "On call", "--space", "Operations", "-o", "basic"); out != "Invitations-1\n" {
			t.Errorf("invitation list --team by name: got %q, want Invitations-1", out)
		}
		if out := mustRun(t, vars, "invitation", "get", "Invitations-1", "--space", "operations", "-o", "basic"); out != "Invitations-1\n" {
			t.Errorf("invitation get --space by name: got %q, want Invitations-1", out)
		}
	})
	t.Run("apikey and event by username", func(t *testing.T) {
		if out := mustRun(t, vars, "apikey", "list", "--user", "jane", "-o", "basic"); out != "APIKeys-2\n" {
			t.Errorf("apikey list --user jane: got %q, want jane's key", out)
		}
		out := mustRun(t, vars, "event", "list", "--user", "admin", "--space", "Operations")
		if strings.Count(out, "\n") != 2 || !strings.Contains(out, "Invitation Invitations-1 was created") {
			t.Errorf("event list --user admin --space Operations: got %q, want only the creation of Invitations-1", out)
		}
	})

	t.Run("ambiguous", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "team", "get", "developers")
		assertFailure(t, stdout, err, "the name 'developers' matches 2 teams: Developers (Teams-1, Spaces-1), Developers (Teams-2, Spaces-2); give the ID of one")
		if got := exitCode(err); got != exitUsage {
			t.Errorf("got exit code %d, want %d", got, exitUsage)
		}
	})
	t.Run("ErrInvalid team of another space", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "team", "get", "teams-2", "--space", "Default")
		assertFailure(t, stdout, err, "the team 'Teams-2' (Developers) belongs to the space Spaces-2, not to the space Spaces-1")
		assertExit(t, err, exitFailure)
	})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"team of no space", []string{"team", "get", "Teams-9", "--space", "Default"},
			"no team has the ID or name 'Teams-9' in the space Spaces-1 or among the system teams"},
		{"space", []string{"team", "list", "--space", "Ops"}, "no space has the ID or name 'Ops'"},
		{"user", []string{"user", "get", "jan"}, "no user has the ID or name 'jan'"},
		{"team of an invitation", []string{"invite", "--space", "Default", "--team", "On call"},
			"no team has the ID or name 'On call' in the space Spaces-1 or among the system teams"},
		{"name with a slash", []string{"team", "get", "a/b"}, "no team has the ID or name 'a/b'"},
	} {
		t.Run("ErrNotFound "+tc.name, func(t *testing.T) {
			stdout, _, err := runCLI(t, vars, tc.args...)
			assertFailure(t, stdout, err, tc.want)
			if got := exitCode(err); got != exitNotFound {
				t.Errorf("got exit code %d, want %d", got, exitNotFound)
			}
		})
	}
	if page, _ := env.DB.FindInvitations(ctx, octoinvite.InvitationFilter{}); page.Total != 1 {
		t.Errorf("the store holds %d invitations, want only the one made with names", page.Total)
	}
}

// TestCLIInviteWithoutSpace names teams of the default space without --space, as the server
// invites into the default space.
func TestCLIInviteWithoutSpace(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	env.CreateSpace(t, "Operations")
	env.CreateTeam(t, "Developers", ptr("Spaces-2"))
	env.CreateTeam(t, "Developers", ptr("Spaces-1"))

	out := mustRun(t, vars, "invite", "--team", "developers", "-o", "json")
	if !strings.Contains(out, `"AddToTeamIds":["Teams-2"]`) || !strings.Contains(out, `"SpaceId":"Spaces-1"`) {
		t.Errorf("got %s, want an invitation into Teams-2 of the default space", out)
	}
	mustRun(t, vars, "space", "update", "Operations", "--default")
	out = mustRun(t, vars, "invite", "--team", "Developers", "--team", "Everyone", "-o", "json")
	if !strings.Contains(out, `"AddToTeamIds":["Teams-1","teams-everyone"]`) || !strings.Contains(out, `"SpaceId":"Spaces-2"`) {
		t.Errorf("got %s, want an invitation into Teams-1 of the new default space", out)
	}
}
