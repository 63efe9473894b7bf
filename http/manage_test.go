package http_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/pgtest"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// problemBody is the 400 or 409 body of one rule broken.
func problemBody(message string) string {
	return `{"ErrorMessage":"There was a problem with your request.","Errors":["` + message + `"]}`
}

// TestManageSpaces changes and deletes spaces as Octopus's clients do: PUT the resource, stop
// the task queue, DELETE it.
func TestManageSpaces(t *testing.T) {
	env := servertest.Start(t)
	admin(t, env, "POST", "/api/spaces", `{"Name":"Operations"}`).wantStatus(t, http.StatusCreated)
	admin(t, env, "POST", "/api/Spaces-2/teams", `{"Name":"On call"}`).wantStatus(t, http.StatusCreated)
	pending := invite(t, env, ptr("Spaces-2"), "Teams-1")

	// A partial body changes what it names; the whole resource, as Octopus.Client sends it, the rest.
	admin(t, env, "PUT", "/api/spaces/spaces-2", `{"Description":"Runs things"}`).wantJSON(t, http.StatusOK,
		`{"Id":"Spaces-2","Name":"Operations","Slug":"operations","Description":"Runs things","IsDefault":false,
		"TaskQueueStopped":false,"SpaceManagersTeams":[],"SpaceManagersTeamMembers":[],
		"Links":{"Self":"/api/spaces/Spaces-2","SpaceHome":"/api/Spaces-2","Web":"/app#/spaces/Spaces-2","Logo":"/api/spaces/Spaces-2/logo","Search":"/api/spaces/Spaces-2/search{?keyword}"}}`)
	admin(t, env, "PUT", "/api/spaces/Spaces-2", `{"Id":"Spaces-2","Name":"Ops","Slug":"ops","Description":"","IsDefault":true,
		"TaskQueueStopped":false,"SpaceManagersTeams":["Teams-1"],"SpaceManagersTeamMembers":["users-1"],"Links":{}}`).wantJSON(t, http.StatusOK,
		`{"Id":"Spaces-2","Name":"Ops","Slug":"ops","Description":"","IsDefault":true,
		"TaskQueueStopped":false,"SpaceManagersTeams":["Teams-1"],"SpaceManagersTeamMembers":["Users-1"],
		"Links":{"Self":"/api/spaces/Spaces-2","SpaceHome":"/api/Spaces-2","Web":"/app#/spaces/Spaces-2","Logo":"/api/spaces/Spaces-2/logo","Search":"/api/spaces/Spaces-2/search{?keyword}"}}`)
	admin(t, env, "GET", "/api/spaces/Spaces-1", "").wantJSON(t, http.StatusOK,
		`{"Id":"Spaces-1","Name":"Default","Slug":"default","Description":"","IsDefault":false,
		"TaskQueueStopped":false,"SpaceManagersTeams":["teams-administrators"],"SpaceManagersTeamMembers":[],
		"Links":{"Self":"/api/spaces/Spaces-1","SpaceHome":"/api/Spaces-1","Web":"/app#/spaces/Spaces-1","Logo":"/api/spaces/Spaces-1/logo","Search":"/api/spaces/Spaces-1/search{?keyword}"}}`)
	admin(t, env, "PUT", "/api/spaces/Spaces-2", `{"Name":"DEFAULT"}`).wantJSON(t, http.StatusConflict,
		problemBody("A space with the name 'DEFAULT' or the slug 'ops' already exists."))
	admin(t, env, "PUT", "/api/spaces/Spaces-2", `{"SpaceManagersTeams":["Teams-9"]}`).wantJSON(t, http.StatusBadRequest,
		problemBody("The team 'Teams-9' does not exist."))
	admin(t, env, "PUT", "/api/spaces/Spaces-9", `{"Name":"x"}`).wantJSON(t, http.StatusNotFound, `{"ErrorMessage":"The resource 'Spaces-9' was not found."}`)

	// Octopus deletes a space only once its task queue is stopped.
	admin(t, env, "DELETE", "/api/spaces/Spaces-2", "").wantJSON(t, http.StatusBadRequest,
		problemBody("The task queue of the space must be stopped (TaskQueueStopped) before the space can be deleted."))
	admin(t, env, "PUT", "/api/spaces/Spaces-2", `{"TaskQueueStopped":true}`).wantStatus(t, http.StatusOK)
	deleted := admin(t, env, "DELETE", "/api/spaces/Spaces-2", "")
	if deleted.status != http.StatusOK || deleted.body != "" {
		t.Errorf("DELETE: got %d %q, want 200 with no body", deleted.status, deleted.body)
	}
	admin(t, env, "GET", "/api/spaces/Spaces-2", "").wantJSON(t, http.StatusNotFound, `{"ErrorMessage":"The resource 'Spaces-2' was not found."}`)
	admin(t, env, "GET", "/api/teams/Teams-1", "").wantJSON(t, http.StatusNotFound, `{"ErrorMessage":"The resource 'Teams-1' was not found."}`)
	admin(t, env, "GET", "/api/users/invitations/"+pending.ID, "").wantJSON(t, http.StatusNotFound,
		`{"ErrorMessage":"The resource 'Invitations-1' was not found."}`)
	// Nobody can redeem into a deleted space.
	send(t, env, request{method: "POST", path: "/api/users/register", body: registerBody("jane", goodPassword, pending.InvitationCode)}).
		wantJSON(t, http.StatusBadRequest, codeError(octoinvite.ErrInvitationUnknown.Message))
	// The deleted space was the default: there is none now, and the installation says so.
	admin(t, env, "POST", "/api/users/invitations", `{"AddToTeamIds":["teams-everyone"]}`).wantStatus(t, http.StatusCreated)
	events := admin(t, env, "GET", "/api/events?regarding=Spaces-2&take=1", "")
	var page struct{ Items []struct{ Message string } }
	events.decode(t, &page)
	if len(page.Items) != 1 || page.Items[0].Message != "Space Spaces-2 (Ops) was deleted, with its teams Teams-1, and its invitations Invitations-1" {
		t.Errorf("got events %+v, want the deletion", page.Items)
	}
}

// TestManageTeams changes a team's members and deletes teams; the administrators team keeps an
// active member, and built-in teams stay.
func TestManageTeams(t *testing.T) {
	env := servertest.Start(t)
	jane, janeKey := env.CreateUser(t, "jane")
	admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"Developers"}`).wantStatus(t, http.StatusCreated)
	admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"Testers"}`).wantStatus(t, http.StatusCreated)

	admin(t, env, "PUT", "/api/Spaces-1/teams/teams-1", `{"Name":"Builders","MemberUserIds":["users-2","Users-1"]}`).wantJSON(t, http.StatusOK,
		`{"Id":"Teams-1","Name":"Builders","Description":"","MemberUserIds":["Users-1","Users-2"],"ExternalSecurityGroups":[],
		"CanBeDeleted":true,"CanBeRenamed":true,"CanChangeRoles":true,"CanChangeMembers":true,"SpaceId":"Spaces-1",
		"Links":{"Self":"/api/teams/Teams-1"}}`)
	admin(t, env, "PUT", "/api/teams/Teams-1", `{"MemberUserIds":["Users-1"],"SpaceId":"Spaces-1"}`).wantJSON(t, http.StatusOK,
		`{"Id":"Teams-1","Name":"Builders","Description":"","MemberUserIds":["Users-1"],"ExternalSecurityGroups":[],
		"CanBeDeleted":true,"CanBeRenamed":true,"CanChangeRoles":true,"CanChangeMembers":true,"SpaceId":"Spaces-1",
		"Links":{"Self":"/api/teams/Teams-1"}}`)
	admin(t, env, "PUT", "/api/teams/Teams-1", `{"SpaceId":null}`).wantJSON(t, http.StatusBadRequest,
		problemBody("A team cannot move to another space (SpaceId); create a team in the other space instead."))
	admin(t, env, "PUT", "/api/teams/Teams-1", `{"Name":"TESTERS"}`).wantJSON(t, http.StatusConflict,
		problemBody("A team with the name 'TESTERS' already exists in this space."))
	admin(t, env, "PUT", "/api/teams/teams-everyone", `{"Name":"All"}`).wantJSON(t, http.StatusBadRequest,
		problemBody("The team 'Everyone' is a built-in team and cannot be renamed."))
	admin(t, env, "PUT", "/api/teams/teams-administrators", `{"MemberUserIds":[]}`).wantJSON(t, http.StatusBadRequest,
		problemBody(octoinvite.ErrLastAdministrator.Details[0]))
	// Membership of the administrators team takes effect on the very next request, although the
	// server caches the user of a verified key.
	asJane := func() response { return send(t, env, request{method: "GET", path: "/api/users", key: janeKey}) }
	asJane().wantStatus(t, http.StatusForbidden)
	admin(t, env, "PUT", "/api/teams/teams-administrators", `{"MemberUserIds":["Users-1","`+jane.ID+`"]}`).wantStatus(t, http.StatusOK)
	asJane().wantStatus(t, http.StatusOK)
	admin(t, env, "PUT", "/api/teams/teams-administrators", `{"MemberUserIds":["Users-1"]}`).wantStatus(t, http.StatusOK)
	asJane().wantStatus(t, http.StatusForbidden)
	admin(t, env, "PUT", "/api/teams/teams-administrators", `{"MemberUserIds":["Users-1","`+jane.ID+`"]}`).wantStatus(t, http.StatusOK)
	admin(t, env, "GET", "/api/teammembership?userId="+jane.ID+"&includeSystem=false", "").wantJSON(t, http.StatusOK, `[]`)
	admin(t, env, "GET", "/api/teammembership?userId="+jane.ID, "").wantJSON(t, http.StatusOK,
		`[{"Id":"teams-administrators","Name":"Octopus Administrators","Description":"Octopus Administrators can do anything in the system.",
		"MemberUserIds":["Users-1","Users-2"],"ExternalSecurityGroups":[],"CanBeDeleted":false,"CanBeRenamed":false,"CanChangeRoles":false,
		"CanChangeMembers":true,"SpaceId":null,"Links":{"Self":"/api/teams/teams-administrators"}},
		{"Id":"teams-everyone","Name":"Everyone","Description":"All users are members of this team.","MemberUserIds":["Users-1","Users-2"],
		"ExternalSecurityGroups":[],"CanBeDeleted":false,"CanBeRenamed":false,"CanChangeRoles":true,"CanChangeMembers":false,"SpaceId":null,
		"Links":{"Self":"/api/teams/teams-everyone"}}]`)

	// A team of another space is not on this space's route.
	admin(t, env, "POST", "/api/spaces", `{"Name":"Ops"}`).wantStatus(t, http.StatusCreated)
	admin(t, env, "DELETE", "/api/Spaces-2/teams/Teams-1", "").wantJSON(t, http.StatusNotFound, `{"ErrorMessage":"The resource 'Teams-1' was not found."}`)
	admin(t, env, "DELETE", "/api/teams/teams-everyone", "").wantJSON(t, http.StatusBadRequest,
		problemBody("The team is a built-in team and cannot be deleted."))
	if r := admin(t, env, "DELETE", "/api/Spaces-1/teams/Teams-1", ""); r.status != http.StatusOK || r.body != "" {
		t.Errorf("DELETE: got %d %q, want 200 with no body", r.status, r.body)
	}
	admin(t, env, "GET", "/api/teams/Teams-1", "").wantJSON(t, http.StatusNotFound, `{"ErrorMessage":"The resource 'Teams-1' was not found."}`)
}

// TestDeletedTeamLeavesInvitations deletes a team an invitation would add its user to: the
// invitation keeps its other teams, and the invitee's page says which team was removed.
func TestDeletedTeamLeavesInvitations(t *testing.T) {
	env := servertest.Start(t)
	admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"Developers"}`).wantStatus(t, http.StatusCreated)
	admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"Testers"}`).wantStatus(t, http.StatusCreated)
	inv := invite(t, env, ptr("Spaces-1"), "Teams-1", "Teams-2")
	admin(t, env, "DELETE", "/api/teams/Teams-1", "").wantStatus(t, http.StatusOK)

	var got octoinvite.Invitation
	admin(t, env, "GET", "/api/users/invitations/"+inv.ID, "").decode(t, &got)
	if len(got.AddToTeamIDs) != 1 || got.AddToTeamIDs[0] != "Teams-2" || got.State != octoinvite.StatePending {
		t.Errorf("got %v %s, want [Teams-2] Pending", got.AddToTeamIDs, got.State)
	}
	preview, err := env.DB.PreviewInvitation(context.Background(), inv.InvitationCode)
	if err != nil || len(preview.RemovedTeamNames) != 1 || preview.RemovedTeamNames[0] != "Developers" {
		t.Errorf("preview: got %+v, %v; want the removed team Developers", preview, err)
	}
	send(t, env, request{method: "POST", path: "/api/users/register", body: registerBody("jane", goodPassword, inv.InvitationCode)}).
		wantStatus(t, http.StatusCreated)
	admin(t, env, "GET", "/api/teammembership?userId=Users-2&includeSystem=false", "").wantJSON(t, http.StatusOK,
		`[{"Id":"Teams-2","Name":"Testers","Description":"","MemberUserIds":["Users-2"],"ExternalSecurityGroups":[],"CanBeDeleted":true,
		"CanBeRenamed":true,"CanChangeRoles":true,"CanChangeMembers":true,"SpaceId":"Spaces-1","Links":{"Self":"/api/teams/Teams-2"}}]`)
}

// TestManageUsers changes users: users change their own display name and email address, and
// only administrators the rest.
func TestManageUsers(t *testing.T) {
	env := servertest.Start(t)
	_, janeKey := env.CreateUser(t, "jane")
	env.CreateUser(t, "jo")
	forbidden := `{"ErrorMessage":"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: UserEdit"}`

	send(t, env, request{method: "PUT", path: "/api/users/Users-2", key: janeKey, body: `{"DisplayName":"Jane Doe","EmailAddress":"jane@example.com"}`}).
		wantJSON(t, http.StatusOK, `{"Id":"Users-2","Username":"jane","DisplayName":"Jane Doe","EmailAddress":"jane@example.com","IsActive":true,
		"IsService":false,"CanPasswordBeEdited":true,"IsRequestor":true,"Identities":[],
		"Links":{"Self":"/api/users/Users-2","Spaces":"/api/users/Users-2/spaces","ApiKeys":"/api/users/Users-2/apikeys{/id}{?skip,take}","Permissions":"/api/users/Users-2/permissions","Avatar":"/api/users/Users-2/avatar"}}`)
	for _, body := range []string{`{"IsActive":false}`, `{"Username":"janet"}`} {
		send(t, env, request{method: "PUT", path: "/api/users/Users-2", key: janeKey, body: body}).wantJSON(t, http.StatusForbidden, forbidden)
	}
	// The whole resource, unchanged where it may not change, passes.
	send(t, env, request{method: "PUT", path: "/api/users/Users-2", key: janeKey, body: `{"Id":"Users-2","Username":"jane","DisplayName":"Jane",
		"EmailAddress":"","IsActive":true,"IsService":false,"Links":{}}`}).wantStatus(t, http.StatusOK)
	send(t, env, request{method: "PUT", path: "/api/users/Users-3", key: janeKey, body: `{"DisplayName":"x"}`}).wantJSON(t, http.StatusForbidden, forbidden)
	send(t, env, request{method: "DELETE", path: "/api/users/Users-3", key: janeKey}).wantJSON(t, http.StatusForbidden, forbidden)

	admin(t, env, "PUT", "/api/users/users-3", `{"Username":"JANE"}`).wantJSON(t, http.StatusBadRequest,
		problemBody("The username (Username) 'JANE' is already taken; please choose another."))
	admin(t, env, "PUT", "/api/users/Users-3", `{"Username":"Joanna","DisplayName":"  ","EmailAddress":"jo@"}`).wantJSON(t, http.StatusBadRequest,
		`{"ErrorMessage":"There was a problem with your request.","Errors":["Please provide a display name (DisplayName).","`+octoinvite.MsgEmailAddressInvalid+`"]}`)
	admin(t, env, "PUT", "/api/users/Users-1", `{"IsActive":false}`).wantJSON(t, http.StatusBadRequest, problemBody(octoinvite.ErrLastAdministrator.Details[0]))
	admin(t, env, "DELETE", "/api/users/Users-1", "").wantJSON(t, http.StatusBadRequest, problemBody(octoinvite.ErrInstallationAdministrator.Details[0]))
	admin(t, env, "GET", "/api/users/all", "").wantJSON(t, http.StatusOK, `[
		{"Id":"Users-1","Username":"admin","DisplayName":"Administrator","EmailAddress":"","IsActive":true,"IsService":false,"CanPasswordBeEdited":true,
		"IsRequestor":true,"Identities":[],"Links":{"Self":"/api/users/Users-1","Spaces":"/api/users/Users-1/spaces","ApiKeys":"/api/users/Users-1/apikeys{/id}{?skip,take}","Permissions":"/api/users/Users-1/permissions","Avatar":"/api/users/Users-1/avatar"}},
		{"Id":"Users-2","Username":"jane","DisplayName":"Jane","EmailAddress":"","IsActive":true,"IsService":false,"CanPasswordBeEdited":true,
		"IsRequestor":false,"Identities":[],"Links":{"Self":"/api/users/Users-2","Spaces":"/api/users/Users-2/spaces","ApiKeys":"/api/users/Users-2/apikeys{/id}{?skip,take}","Permissions":"/api/users/Users-2/permissions","Avatar":"/api/users/Users-2/avatar"}},
		{"Id":"Users-3","Username":"jo","DisplayName":"jo","EmailAddress":"","IsActive":true,"IsService":false,"CanPasswordBeEdited":true,
		"IsRequestor":false,"Identities":[],"Links":{"Self":"/api/users/Users-3","Spaces":"/api/users/Users-3/spaces","ApiKeys":"/api/users/Users-3/apikeys{/id}{?skip,take}","Permissions":"/api/users/Users-3/permissions","Avatar":"/api/users/Users-3/avatar"}}]`)
}

// TestDeactivatedUserStopsAtOnce deactivates and deletes a user on one server: the user's API
// key and session fail on the very next request, on SQLite (whose server caches verified keys)
// and on PostgreSQL, where the next request goes to another server sharing the database.
func TestDeactivatedUserStopsAtOnce(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		env := servertest.Start(t)
		testDeactivatedUserStopsAtOnce(t, env, env)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		dbURL := pgtest.NewDatabase(t, "pool_max_conns=4")
		testDeactivatedUserStopsAtOnce(t, startOnPostgres(t, dbURL), startOnPostgres(t, dbURL))
	})
}

func testDeactivatedUserStopsAtOnce(t *testing.T, changer, other *servertest.Env) {
	inv := invite(t, changer, nil)
	send(t, changer, request{method: "POST", path: "/api/users/register", body: registerBody("jane", goodPassword, inv.InvitationCode)}).
		wantStatus(t, http.StatusCreated)
	key, err := changer.DB.CreateAPIKey(context.Background(), "Users-2", "CI")
	if err != nil {
		t.Fatal(err)
	}
	cookie, _ := login(t, other, "jane", goodPassword)
	withKey := func() response { return send(t, other, request{method: "GET", path: "/api/users/me", key: key.APIKey}) }
	withCookie := func() response {
		return send(t, other, request{method: "GET", path: "/api/users/me", header: map[string]string{"Cookie": cookie}})
	}
	withKey().wantStatus(t, http.StatusOK) // the server caches the verified key on SQLite
	withCookie().wantStatus(t, http.StatusOK)

	admin(t, changer, "PUT", "/api/users/Users-2", `{"IsActive":false}`).wantStatus(t, http.StatusOK)
	withKey().wantJSON(t, http.StatusUnauthorized, unauthorizedBody)
	withCookie().wantJSON(t, http.StatusUnauthorized, unauthorizedBody)

	admin(t, changer, "PUT", "/api/users/Users-2", `{"IsActive":true}`).wantStatus(t, http.StatusOK)
	withKey().wantStatus(t, http.StatusOK)
	// Deactivation ended the session: reactivating revives the key, not the session.
	withCookie().wantJSON(t, http.StatusUnauthorized, unauthorizedBody)

	admin(t, changer, "DELETE", "/api/users/Users-2", "").wantStatus(t, http.StatusOK)
	withKey().wantJSON(t, http.StatusUnauthorized, unauthorizedBody)
	admin(t, other, "GET", "/api/users/Users-2", "").wantJSON(t, http.StatusNotFound, `{"ErrorMessage":"The resource 'Users-2' was not found."}`)
}
