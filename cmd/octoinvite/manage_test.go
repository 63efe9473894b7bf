package main

import (
	"context"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestCLIManageSpaces changes and deletes spaces, by name, and checks the store afterwards.
func TestCLIManageSpaces(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	ctx := context.Background()
	env.CreateSpace(t, "Operations")
	env.CreateTeam(t, "Leads", ptr("Spaces-2"))

	t.Run("update OK", func(t *testing.T) {
		out := mustRun(t, vars, "space", "update", "operations", "--name", "Production", "--description", "Runs production",
			"--manager-team", "Leads", "--manager-team", "Octopus Administrators")
		assertOutput(t, out, "Space:        Spaces-2\nName:         Production\nSlug:         operations\nDescription:  Runs production\n")
		s, err := env.DB.FindSpaceByID(ctx, "Spaces-2")
		if err != nil || s.Name != "Production" || strings.Join(s.SpaceManagersTeams, ",") != "Teams-1,teams-administrators" {
			t.Errorf("the store holds %+v, %v; want Production managed by Teams-1 and teams-administrators", s, err)
		}
	})
	t.Run("update json", func(t *testing.T) {
		out := mustRun(t, vars, "space", "update", "Production", "--task-queue", "stopped", "-o", "json")
		assertOutput(t, out, fetch(t, env, "/api/spaces/Spaces-2")+"\n")
		if !strings.Contains(out, `"TaskQueueStopped":true`) {
			t.Errorf("got %s, want the task queue stopped", out)
		}
		mustRun(t, vars, "space", "update", "Production", "--task-queue", "running")
	})
	t.Run("update nothing", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "space", "update", "Production")
		assertFailure(t, stdout, err, "nothing to change: give --name, --description, --default, --task-queue or --manager-team")
		assertExit(t, err, exitUsage)
	})
	t.Run("update ErrConflict", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "space", "update", "Production", "--name", "DEFAULT")
		assertFailure(t, stdout, err, "There was a problem with your request. A space with the name 'DEFAULT' or the slug 'operations' already exists. (409 Conflict)")
		assertExit(t, err, exitFailure)
	})
	t.Run("delete without a terminal", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "space", "delete", "Production")
		assertFailure(t, stdout, err, "not deleting the space 'Production' (Spaces-2) unasked: standard input is not a terminal to confirm on; give --yes to delete it")
		assertExit(t, err, exitUsage)
		if _, err := env.DB.FindSpaceByID(ctx, "Spaces-2"); err != nil {
			t.Errorf("the space is gone: %v", err)
		}
	})
	t.Run("delete OK", func(t *testing.T) {
		// The task queue runs: delete stops it first, as Octopus's CLI does.
		assertOutput(t, mustRun(t, vars, "space", "delete", "production", "--yes"), "Deleted the space 'Production' (Spaces-2).\n")
		if _, err := env.DB.FindSpaceByID(ctx, "Spaces-2"); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
			t.Errorf("the store still holds the space: %v", err)
		}
		if _, err := env.DB.FindTeamByID(ctx, "Teams-1"); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
			t.Errorf("the store still holds the space's team: %v", err)
		}
		stdout, _, err := runCLI(t, vars, "space", "delete", "Production", "-y")
		assertFailure(t, stdout, err, "no space has the ID or name 'Production'")
		assertExit(t, err, exitNotFound)
	})
}

// TestCLIManageTeams renames, fills, empties and deletes teams, by name.
func TestCLIManageTeams(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	ctx := context.Background()
	env.CreateTeam(t, "Developers", ptr("Spaces-1"))
	env.CreateUser(t, "jane")
	env.CreateUser(t, "joe")

	t.Run("add-member OK", func(t *testing.T) {
		out := mustRun(t, vars, "team", "add-member", "developers", "jane", "Users-3", "--space", "Default")
		assertOutput(t, out, `Team:         Teams-1
Name:         Developers
Space:        Spaces-1
Description:  (none)
Members:      jane (Users-2), joe (Users-3)
`)
		mustRun(t, vars, "team", "add-member", "Developers", "JANE", "--space", "Default") // already a member: stays
		assertMembers(t, env, "Teams-1", "Users-2,Users-3")
		assertOutput(t, mustRun(t, vars, "team", "list", "--space", "Default", "--no-system"), "ID       NAME        SPACE     MEMBERS\nTeams-1  Developers  Spaces-1  2\n")
		if out := mustRun(t, vars, "user", "get", "jane"); !strings.Contains(out, "\nTeams:         Everyone (teams-everyone), Developers (Teams-1)\n") &&
			!strings.Contains(out, "\nTeams:         Developers (Teams-1), Everyone (teams-everyone)\n") {
			t.Errorf("user get: got %q, want jane's teams", out)
		}
	})
	t.Run("remove-member OK", func(t *testing.T) {
		out := mustRun(t, vars, "team", "remove-member", "Teams-1", "joe", "-o", "json")
		assertOutput(t, out, fetch(t, env, "/api/teams/Teams-1")+"\n")
		assertMembers(t, env, "Teams-1", "Users-2")
	})
	t.Run("add-member ErrNotFound user", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "team", "add-member", "Developers", "nobody")
		assertFailure(t, stdout, err, "no user has the ID or name 'nobody'")
		assertExit(t, err, exitNotFound)
		assertMembers(t, env, "Teams-1", "Users-2")
	})
	t.Run("add-member needs a user", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "team", "add-member", "Developers")
		assertFailure(t, stdout, err, "requires at least 2 arg(s), only received 1")
		assertExit(t, err, exitUsage)
	})
	t.Run("remove-member ErrInvalid last administrator", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "team", "remove-member", "Octopus Administrators", "admin")
		assertFailure(t, stdout, err, "There was a problem with your request. "+octoinvite.ErrLastAdministrator.Details[0]+" (400 Bad Request)")
		assertExit(t, err, exitFailure)
		assertMembers(t, env, "teams-administrators", "Users-1")
	})
	t.Run("update OK", func(t *testing.T) {
		out := mustRun(t, vars, "team", "update", "Developers", "--space", "Default", "--name", "Engineers", "--description", "Build it")
		if !strings.HasPrefix(out, "Team:         Teams-1\nName:         Engineers\nSpace:        Spaces-1\nDescription:  Build it\n") {
			t.Errorf("got %q, want Engineers", out)
		}
		if team, err := env.DB.FindTeamByID(ctx, "Teams-1"); err != nil || team.Name != "Engineers" || team.Description != "Build it" {
			t.Errorf("the store holds %+v, %v; want Engineers", team, err)
		}
	})
	t.Run("delete ErrInvalid built-in", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "team", "delete", "Everyone", "--yes")
		assertFailure(t, stdout, err, "There was a problem with your request. "+octoinvite.ErrTeamBuiltIn.Details[0]+" (400 Bad Request)")
	})
	t.Run("delete OK", func(t *testing.T) {
		assertOutput(t, mustRun(t, vars, "team", "delete", "Engineers", "-y"), "Deleted the team 'Engineers' (Teams-1).\n")
		if _, err := env.DB.FindTeamByID(ctx, "Teams-1"); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
			t.Errorf("the store still holds the team: %v", err)
		}
	})
}

// TestCLIManageUsers lists, changes, deactivates and deletes users, by username.
func TestCLIManageUsers(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	ctx := context.Background()
	_, janeKey := env.CreateUser(t, "jane")
	asJane := map[string]string{"OCTOPUS_URL": env.URL, "OCTOPUS_API_KEY": janeKey}

	t.Run("list", func(t *testing.T) {
		assertOutput(t, mustRun(t, vars, "user", "list"), `ID       USERNAME  DISPLAY NAME   EMAIL  ACTIVE
Users-1  admin     Administrator         yes
Users-2  jane      jane                  yes
`)
		assertOutput(t, mustRun(t, vars, "user", "list", "-o", "basic"), "admin\njane\n")
		assertOutput(t, mustRun(t, vars, "user", "list", "--filter", "JAN", "-o", "basic"), "jane\n")
	})
	t.Run("update OK", func(t *testing.T) {
		out := mustRun(t, vars, "user", "update", "jane", "--display-name", "Jane Doe", "--email", "jane@example.com")
		assertOutput(t, out, `User:          Users-2
Username:      jane
Display name:  Jane Doe
Email:         jane@example.com
Active:        yes
Teams:         Everyone (teams-everyone)
`)
		if u, err := env.DB.FindUserByID(ctx, "Users-2"); err != nil || u.DisplayName != "Jane Doe" || u.EmailAddress != "jane@example.com" {
			t.Errorf("the store holds %+v, %v; want Jane Doe", u, err)
		}
	})
	t.Run("update own name", func(t *testing.T) {
		mustRun(t, asJane, "user", "update", "jane", "--display-name", "Jane D.")
		stdout, _, err := runCLI(t, asJane, "user", "disable", "jane")
		if err == nil || !strings.Contains(err.Error(), "(403 Forbidden)") || stdout != "" {
			t.Errorf("jane disabling herself: got %q, %v; want 403", stdout, err)
		}
		assertExit(t, err, exitFailure)
	})
	t.Run("disable OK", func(t *testing.T) {
		out := mustRun(t, vars, "user", "disable", "jane")
		if !strings.Contains(out, "\nActive:        no\n") {
			t.Errorf("got %q, want the user inactive", out)
		}
		_, _, err := runCLI(t, asJane, "whoami")
		if err == nil || !strings.Contains(err.Error(), "(401 Unauthorized)") {
			t.Errorf("whoami with a deactivated user's key: got %v, want 401", err)
		}
		mustRun(t, vars, "user", "enable", "Users-2")
		mustRun(t, asJane, "whoami")
	})
	t.Run("delete ErrInvalid installation administrator", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "user", "delete", "admin", "--yes")
		assertFailure(t, stdout, err, "There was a problem with your request. "+octoinvite.ErrInstallationAdministrator.Details[0]+" (400 Bad Request)")
	})
	t.Run("delete OK", func(t *testing.T) {
		assertOutput(t, mustRun(t, vars, "user", "delete", "JANE", "--yes"), "Deleted the user 'jane' (Users-2).\n")
		if _, err := env.DB.FindUserByID(ctx, "Users-2"); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
			t.Errorf("the store still holds the user: %v", err)
		}
	})
}

// assertMembers checks the members of the team in the store.
func assertMembers(t *testing.T, env *servertest.Env, teamID, want string) {
	t.Helper()
	team, err := env.DB.FindTeamByID(context.Background(), teamID)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(team.MemberUserIDs, ","); got != want {
		t.Errorf("the store holds the members %s of %s, want %s", got, teamID, want)
	}
}

// assertExit checks the exit code of the command that ended with err.
func assertExit(t *testing.T, err error, want int) {
	t.Helper()
	if got := exitCode(err); got != want {
		t.Errorf("got exit code %d for %v, want %d", got, err, want)
	}
}
