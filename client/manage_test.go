package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestManageSpaces changes, finds and deletes spaces through the client, against the real
// server.
func TestManageSpaces(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	c := newClient(t, env)
	ops := &octoinvite.Space{Name: "Operations"}
	if err := c.CreateSpace(ctx, ops); err != nil {
		t.Fatal(err)
	}

	t.Run("UpdateSpace OK", func(t *testing.T) {
		ops.Description = "Runs things"
		ops.IsDefault = true
		if err := c.UpdateSpace(ctx, ops); err != nil {
			t.Fatal(err)
		}
		assertJSON(t, ops, `{"Id":"Spaces-2","Name":"Operations","Slug":"operations","Description":"Runs things","IsDefault":true,
			"TaskQueueStopped":false,"SpaceManagersTeams":[],"SpaceManagersTeamMembers":[],
			"Links":{"Self":"/api/spaces/Spaces-2","SpaceHome":"/api/Spaces-2","Web":"/app#/spaces/Spaces-2","Logo":"/api/spaces/Spaces-2/logo","Search":"/api/spaces/Spaces-2/search{?keyword}"}}`)
		def, err := c.FindDefaultSpace(ctx)
		if err != nil || def.ID != "Spaces-2" {
			t.Errorf("FindDefaultSpace: got %v, %v; want Spaces-2", def, err)
		}
	})
	t.Run("UpdateSpace ErrConflict", func(t *testing.T) {
		s := &octoinvite.Space{ID: "Spaces-2", Name: "default"}
		err := c.UpdateSpace(ctx, s)
		assertError(t, err, 409, client.ErrConflict, "There was a problem with your request.",
			"A space with the name 'default' or the slug 'default' already exists.")
	})
	t.Run("GetAllSpaces", func(t *testing.T) {
		spaces, err := c.GetAllSpaces(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := spaceIDs(spaces); !equal(got, []string{"Spaces-1", "Spaces-2"}) {
			t.Errorf("got %v, want [Spaces-1 Spaces-2]", got)
		}
	})
	t.Run("FindSpaceByName", func(t *testing.T) {
		got, err := c.FindSpaceByName(ctx, "OPERATIONS")
		if err != nil || got.ID != "Spaces-2" {
			t.Errorf("got %v, %v; want Spaces-2", got, err)
		}
		_, err = c.FindSpaceByName(ctx, "Opera")
		if !errors.Is(err, client.ErrNotFound) {
			t.Errorf("a part of the name: got %v, want ErrNotFound", err)
		}
	})
	t.Run("DeleteSpace ErrInvalid", func(t *testing.T) {
		err := c.DeleteSpace(ctx, "Spaces-2")
		assertError(t, err, 400, client.ErrInvalid, "There was a problem with your request.", octoinvite.ErrSpaceTaskQueueRunning.Details...)
	})
	t.Run("DeleteSpace OK", func(t *testing.T) {
		// As Octopus's CLI deletes a space: stop its task queue, then delete it.
		ops.TaskQueueStopped = true
		if err := c.UpdateSpace(ctx, ops); err != nil {
			t.Fatal(err)
		}
		if err := c.DeleteSpace(ctx, ops.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.DB.FindSpaceByID(ctx, ops.ID); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
			t.Errorf("the store still holds the space: %v", err)
		}
		_, err := c.FindDefaultSpace(ctx)
		assertError(t, err, 0, client.ErrNotFound, octoinvite.ErrNoDefaultSpace.Message)
		assertError(t, c.DeleteSpace(ctx, ops.ID), 404, client.ErrNotFound, "The resource 'Spaces-2' was not found.")
	})
}

// TestManageTeams changes team members and deletes teams through the client.
func TestManageTeams(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	c := newClient(t, env)
	jane, _ := env.CreateUser(t, "jane")
	jo, _ := env.CreateUser(t, "jo")
	devs := &octoinvite.Team{Name: "Developers", SpaceID: ptr("Spaces-1")}
	if err := c.CreateTeam(ctx, devs); err != nil {
		t.Fatal(err)
	}

	t.Run("AddTeamMembers", func(t *testing.T) {
		team, err := c.AddTeamMembers(ctx, devs.ID, jane.ID, "users-3", jane.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !equal(team.MemberUserIDs, []string{jane.ID, jo.ID}) {
			t.Errorf("got members %v, want [%s %s]", team.MemberUserIDs, jane.ID, jo.ID)
		}
		stored, err := env.DB.FindTeamByID(ctx, devs.ID)
		if err != nil || !equal(stored.MemberUserIDs, []string{jane.ID, jo.ID}) {
			t.Errorf("the store holds %v, %v", stored, err)
		}
	})
	t.Run("RemoveTeamMembers", func(t *testing.T) {
		team, err := c.RemoveTeamMembers(ctx, devs.ID, "USERS-2")
		if err != nil {
			t.Fatal(err)
		}
		if !equal(team.MemberUserIDs, []string{jo.ID}) {
			t.Errorf("got members %v, want [%s]", team.MemberUserIDs, jo.ID)
		}
	})
	t.Run("UpdateTeam rename", func(t *testing.T) {
		team, err := c.FindTeamByID(ctx, devs.ID)
		if err != nil {
			t.Fatal(err)
		}
		team.Name = "Builders"
		if err := c.UpdateTeam(ctx, team); err != nil {
			t.Fatal(err)
		}
		assertJSON(t, team, `{"Id":"Teams-1","Name":"Builders","Description":"","MemberUserIds":["Users-3"],"ExternalSecurityGroups":[],
			"CanBeDeleted":true,"CanBeRenamed":true,"CanChangeRoles":true,"CanChangeMembers":true,"SpaceId":"Spaces-1",
			"Links":{"Self":"/api/teams/Teams-1"}}`)
	})
	t.Run("RemoveTeamMembers ErrLastAdministrator", func(t *testing.T) {
		_, err := c.RemoveTeamMembers(ctx, octoinvite.AdministratorsTeamID, octoinvite.AdminUserID)
		assertError(t, err, 400, client.ErrInvalid, "There was a problem with your request.", octoinvite.ErrLastAdministrator.Details...)
	})
	t.Run("FindTeamsByName and GetAllTeams", func(t *testing.T) {
		teams, err := c.FindTeamsByName(ctx, "Spaces-1", "builders")
		if err != nil || !equal(teamIDs(teams), []string{"Teams-1"}) {
			t.Errorf("FindTeamsByName: got %v, %v; want [Teams-1]", teamIDs(teams), err)
		}
		all, err := c.GetAllTeams(ctx, "Spaces-1")
		if err != nil || !equal(teamIDs(all), []string{"teams-administrators", "teams-everyone", "Teams-1"}) {
			t.Errorf("GetAllTeams: got %v, %v", teamIDs(all), err)
		}
		mine, err := c.TeamMembership(ctx, jo.ID, nil, false)
		if err != nil || !equal(teamIDs(mine), []string{"Teams-1"}) {
			t.Errorf("TeamMembership: got %v, %v; want [Teams-1]", teamIDs(mine), err)
		}
	})
	t.Run("DeleteTeam", func(t *testing.T) {
		assertError(t, c.DeleteTeam(ctx, octoinvite.EveryoneTeamID), 400, client.ErrInvalid,
			"There was a problem with your request.", octoinvite.ErrTeamBuiltIn.Details...)
		if err := c.DeleteTeam(ctx, devs.ID); err != nil {
			t.Fatal(err)
		}
		_, err := c.FindTeamByID(ctx, devs.ID)
		assertError(t, err, 404, client.ErrNotFound, "The resource 'Teams-1' was not found.")
	})
}

// TestManageUsers changes, deactivates and deletes users through the client; a deactivated or
// deleted user's client fails on its very next request.
func TestManageUsers(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	c := newClient(t, env)
	jane, janeKey := env.CreateUser(t, "jane")
	janeClient := newClient(t, env, client.WithAPIKey(janeKey))

	t.Run("UpdateUser by oneself", func(t *testing.T) {
		me, err := janeClient.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		me.DisplayName, me.EmailAddress = "Jane Doe", "jane@example.com"
		if err := janeClient.UpdateUser(ctx, me); err != nil {
			t.Fatal(err)
		}
		assertJSON(t, me, `{"Id":"Users-2","Username":"jane","DisplayName":"Jane Doe","EmailAddress":"jane@example.com","IsActive":true,
			"IsService":false,"CanPasswordBeEdited":true,"IsRequestor":true,"Identities":[],
			"Links":{"Self":"/api/users/Users-2","Spaces":"/api/users/Users-2/spaces","ApiKeys":"/api/users/Users-2/apikeys{/id}{?skip,take}","Permissions":"/api/users/Users-2/permissions","Avatar":"/api/users/Users-2/avatar"}}`)
		me.IsActive = false
		assertError(t, janeClient.UpdateUser(ctx, me), 403, client.ErrForbidden,
			"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: UserEdit")
	})
	t.Run("FindUserByUsername and GetAllUsers", func(t *testing.T) {
		got, err := c.FindUserByUsername(ctx, "JANE")
		if err != nil || got.ID != jane.ID {
			t.Errorf("got %v, %v; want %s", got, err, jane.ID)
		}
		_, err = c.FindUserByUsername(ctx, "jan")
		if !errors.Is(err, client.ErrNotFound) {
			t.Errorf("a part of the name: got %v, want ErrNotFound", err)
		}
		users, err := c.GetAllUsers(ctx)
		if err != nil || len(users) != 2 || users[1].Username != "jane" {
			t.Errorf("GetAllUsers: got %v, %v", users, err)
		}
		_, err = janeClient.GetAllUsers(ctx)
		if !errors.Is(err, client.ErrForbidden) {
			t.Errorf("GetAllUsers as an ordinary user: got %v, want ErrForbidden", err)
		}
	})
	t.Run("SetUserActive", func(t *testing.T) {
		if _, err := c.SetUserActive(ctx, jane.ID, false); err != nil {
			t.Fatal(err)
		}
		_, err := janeClient.Me(ctx)
		assertError(t, err, 401, client.ErrUnauthorized, "You must be logged in to perform this action. Please provide a valid API key or log in again.")
		if _, err := c.SetUserActive(ctx, jane.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := janeClient.Me(ctx); err != nil {
			t.Errorf("reactivated: %v", err)
		}
		_, err = c.SetUserActive(ctx, octoinvite.AdminUserID, false)
		assertError(t, err, 400, client.ErrInvalid, "There was a problem with your request.", octoinvite.ErrLastAdministrator.Details...)
	})
	t.Run("DeleteUser", func(t *testing.T) {
		if err := c.DeleteUser(ctx, jane.ID); err != nil {
			t.Fatal(err)
		}
		_, err := janeClient.Me(ctx)
		assertError(t, err, 401, client.ErrUnauthorized, "You must be logged in to perform this action. Please provide a valid API key or log in again.")
		assertError(t, c.DeleteUser(ctx, jane.ID), 404, client.ErrNotFound, "The resource 'Users-2' was not found.")
		assertError(t, c.DeleteUser(ctx, octoinvite.AdminUserID), 400, client.ErrInvalid,
			"There was a problem with your request.", octoinvite.ErrInstallationAdministrator.Details...)
	})
}
