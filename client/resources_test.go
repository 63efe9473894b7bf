package client_test

import (
	"context"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

const defaultSpaceJSON = `{"Id":"Spaces-1","Name":"Default","Slug":"default","Description":"","IsDefault":true,
	"TaskQueueStopped":false,"SpaceManagersTeams":["teams-administrators"],"SpaceManagersTeamMembers":[],
	"Links":{"Self":"/api/spaces/Spaces-1","SpaceHome":"/api/Spaces-1","Web":"/app#/spaces/Spaces-1","Logo":"/api/spaces/Spaces-1/logo","Search":"/api/spaces/Spaces-1/search{?keyword}"}}`

func TestSpaces(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	c := newClient(t, env)

	ops := &octoinvite.Space{Name: "Operations", Description: "Runs things"}
	if err := c.CreateSpace(ctx, ops); err != nil {
		t.Fatalf("CreateSpace: %v", err)
	}
	opsJSON := `{"Id":"Spaces-2","Name":"Operations","Slug":"operations","Description":"Runs things","IsDefault":false,
		"TaskQueueStopped":false,"SpaceManagersTeams":[],"SpaceManagersTeamMembers":[],
		"Links":{"Self":"/api/spaces/Spaces-2","SpaceHome":"/api/Spaces-2","Web":"/app#/spaces/Spaces-2","Logo":"/api/spaces/Spaces-2/logo","Search":"/api/spaces/Spaces-2/search{?keyword}"}}`
	assertJSON(t, ops, opsJSON)
	if stored, err := env.DB.FindSpaceByID(ctx, "Spaces-2"); err != nil || stored.Name != "Operations" {
		t.Fatalf("the store holds %+v, %v; want the space Operations", stored, err)
	}
	if err := c.CreateSpace(ctx, &octoinvite.Space{Name: "Support"}); err != nil {
		t.Fatalf("CreateSpace: %v", err)
	}

	t.Run("FindSpaceByID OK", func(t *testing.T) {
		got, err := c.FindSpaceByID(ctx, "spaces-2")
		if err != nil {
			t.Fatal(err)
		}
		assertJSON(t, got, opsJSON)
	})
	t.Run("FindSpaceByID ErrNotFound", func(t *testing.T) {
		_, err := c.FindSpaceByID(ctx, "Spaces-9")
		assertError(t, err, 404, client.ErrNotFound, "The resource 'Spaces-9' was not found.")
	})
	t.Run("ListSpaces OK", func(t *testing.T) {
		col, err := c.ListSpaces(ctx, octoinvite.SpaceFilter{Range: octoinvite.Range{Skip: 1, Take: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if col.ItemType != "Space" || col.TotalResults != 3 || col.ItemsPerPage != 1 || col.NumberOfPages != 3 || col.LastPageNumber != 2 {
			t.Errorf("got %s %d/%d/%d/%d, want Space 3/1/3/2", col.ItemType, col.TotalResults, col.ItemsPerPage, col.NumberOfPages, col.LastPageNumber)
		}
		assertJSON(t, col.Items, "["+opsJSON+"]")
		if got, want := col.Links["Page.Next"], "/api/spaces?skip=2&take=1"; got != want {
			t.Errorf("got Page.Next %q, want %q", got, want)
		}
	})
	t.Run("FindSpaces filtered", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			filter octoinvite.SpaceFilter
			want   []string
		}{
			{"all", octoinvite.SpaceFilter{}, []string{"Spaces-1", "Spaces-2", "Spaces-3"}},
			{"partial name", octoinvite.SpaceFilter{PartialName: "PORT"}, []string{"Spaces-3"}},
			{"ids", octoinvite.SpaceFilter{IDs: []string{"Spaces-3", "Spaces-1"}}, []string{"Spaces-1", "Spaces-3"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				page, err := c.FindSpaces(ctx, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				if got := spaceIDs(page.Items); !equal(got, tc.want) || page.Total != len(tc.want) {
					t.Errorf("got %v (total %d), want %v", got, page.Total, tc.want)
				}
			})
		}
	})
	t.Run("AllSpaces pages", func(t *testing.T) {
		var got []*octoinvite.Space
		for s, err := range c.AllSpaces(ctx, octoinvite.SpaceFilter{Range: octoinvite.Range{Take: 1}}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		if ids, want := spaceIDs(got), []string{"Spaces-1", "Spaces-2", "Spaces-3"}; !equal(ids, want) {
			t.Errorf("got %v, want %v", ids, want)
		}
		assertJSON(t, got[0], defaultSpaceJSON)
	})
	t.Run("AllSpaces stops early", func(t *testing.T) {
		n := 0
		for range c.AllSpaces(ctx, octoinvite.SpaceFilter{Range: octoinvite.Range{Take: 1}}) {
			n++
			break
		}
		if n != 1 {
			t.Errorf("got %d items, want 1", n)
		}
	})
	t.Run("CreateSpace ErrConflict", func(t *testing.T) {
		err := c.CreateSpace(ctx, &octoinvite.Space{Name: "Operations"})
		assertError(t, err, 409, client.ErrConflict, octoinvite.ProblemMessage, "A space with the name 'Operations' or the slug 'operations' already exists.")
	})
	t.Run("CreateSpace ErrInvalid", func(t *testing.T) {
		err := c.CreateSpace(ctx, &octoinvite.Space{Name: " "})
		assertError(t, err, 400, client.ErrInvalid, octoinvite.ProblemMessage, "Please provide a name for the space (Name).")
	})
}

func TestTeams(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	ops := env.CreateSpace(t, "Operations")
	c := newClient(t, env)

	devs := &octoinvite.Team{Name: "Developers", SpaceID: ptr("Spaces-1")}
	if err := c.CreateTeam(ctx, devs); err != nil {
		t.Fatalf("CreateTeam in a space: %v", err)
	}
	devsJSON := `{"Id":"Teams-1","Name":"Developers","Description":"","MemberUserIds":[],"ExternalSecurityGroups":[],
		"CanBeDeleted":true,"CanBeRenamed":true,"CanChangeRoles":true,"CanChangeMembers":true,
		"SpaceId":"Spaces-1","Links":{"Self":"/api/teams/Teams-1"}}`
	assertJSON(t, devs, devsJSON)
	auditors := &octoinvite.Team{Name: "Auditors", MemberUserIDs: []string{"Users-1"}}
	if err := c.CreateTeam(ctx, auditors); err != nil {
		t.Fatalf("CreateTeam without a space: %v", err)
	}
	assertJSON(t, auditors, `{"Id":"Teams-2","Name":"Auditors","Description":"","MemberUserIds":["Users-1"],"ExternalSecurityGroups":[],
		"CanBeDeleted":true,"CanBeRenamed":true,"CanChangeRoles":true,"CanChangeMembers":true,
		"SpaceId":null,"Links":{"Self":"/api/teams/Teams-2"}}`)
	oncall := &octoinvite.Team{Name: "On call", SpaceID: &ops.ID}
	if err := c.CreateTeam(ctx, oncall); err != nil {
		t.Fatalf("CreateTeam in another space: %v", err)
	}
	if stored, err := env.DB.FindTeamByID(ctx, oncall.ID); err != nil || stored.SpaceID == nil || *stored.SpaceID != ops.ID {
		t.Fatalf("the store holds %+v, %v; want On call in %s", stored, err, ops.ID)
	}

	t.Run("FindTeamByID OK", func(t *testing.T) {
		got, err := c.FindTeamByID(ctx, "Teams-1")
		if err != nil {
			t.Fatal(err)
		}
		assertJSON(t, got, devsJSON)
	})
	t.Run("FindTeamInSpace OK", func(t *testing.T) {
		got, err := c.FindTeamInSpace(ctx, "Spaces-1", "Teams-1")
		if err != nil {
			t.Fatal(err)
		}
		assertJSON(t, got, devsJSON)
	})
	t.Run("FindTeamInSpace ErrNotFound other space", func(t *testing.T) {
		_, err := c.FindTeamInSpace(ctx, ops.ID, "Teams-1")
		assertError(t, err, 404, client.ErrNotFound, "The resource 'Teams-1' was not found.")
	})
	t.Run("FindTeamInSpace ErrNotFound unknown space", func(t *testing.T) {
		_, err := c.FindTeamInSpace(ctx, "Spaces-9", "Teams-1")
		assertError(t, err, 404, client.ErrNotFound, "The resource 'Spaces-9' was not found.")
	})
	t.Run("ListTeams", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			filter octoinvite.TeamFilter
			want   []string
		}{
			{"without system teams", octoinvite.TeamFilter{}, []string{"Teams-1", "Teams-3"}},
			{"with system teams", octoinvite.TeamFilter{IncludeSystem: true}, []string{"teams-administrators", "teams-everyone", "Teams-1", "Teams-2", "Teams-3"}},
			{"one space", octoinvite.TeamFilter{SpaceIDs: []string{ops.ID}}, []string{"Teams-3"}},
			{"partial name", octoinvite.TeamFilter{PartialName: "dev"}, []string{"Teams-1"}},
			{"ids", octoinvite.TeamFilter{IDs: []string{"Teams-3", "Teams-1"}}, []string{"Teams-1", "Teams-3"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				col, err := c.ListTeams(ctx, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				if got := teamIDs(col.Items); !equal(got, tc.want) || col.TotalResults != len(tc.want) {
					t.Errorf("got %v (total %d), want %v", got, col.TotalResults, tc.want)
				}
				page, err := c.FindTeams(ctx, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				if got := teamIDs(page.Items); !equal(got, tc.want) {
					t.Errorf("FindTeams: got %v, want %v", got, tc.want)
				}
			})
		}
	})
	t.Run("ListTeamsInSpace", func(t *testing.T) {
		col, err := c.ListTeamsInSpace(ctx, ops.ID, octoinvite.TeamFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := teamIDs(col.Items), []string{"Teams-3"}; !equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		if got, want := col.Links["Self"], "/api/"+ops.ID+"/teams?skip=0&take=30&includeSystem=false"; got != want {
			t.Errorf("got Self %q, want %q", got, want)
		}
	})
	t.Run("AllTeams in a space", func(t *testing.T) {
		var got []*octoinvite.Team
		for team, err := range c.AllTeams(ctx, "Spaces-1", octoinvite.TeamFilter{IncludeSystem: true, Range: octoinvite.Range{Take: 2}}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, team)
		}
		if ids, want := teamIDs(got), []string{"teams-administrators", "teams-everyone", "Teams-1", "Teams-2"}; !equal(ids, want) {
			t.Errorf("got %v, want %v", ids, want)
		}
	})
	t.Run("AllTeams ErrNotFound", func(t *testing.T) {
		for _, err := range c.AllTeams(ctx, "Spaces-9", octoinvite.TeamFilter{}) {
			assertError(t, err, 404, client.ErrNotFound, "The resource 'Spaces-9' was not found.")
		}
	})
	t.Run("CreateTeam ErrConflict", func(t *testing.T) {
		err := c.CreateTeam(ctx, &octoinvite.Team{Name: "Developers", SpaceID: ptr("Spaces-1")})
		assertError(t, err, 409, client.ErrConflict, octoinvite.ProblemMessage, "A team with the name 'Developers' already exists in this space.")
	})
	t.Run("CreateTeam ErrInvalid", func(t *testing.T) {
		err := c.CreateTeam(ctx, &octoinvite.Team{Name: "Ghosts", SpaceID: ptr("Spaces-1"), MemberUserIDs: []string{"Users-99"}})
		assertError(t, err, 400, client.ErrInvalid, octoinvite.ProblemMessage, "The user 'Users-99' does not exist.")
	})
	t.Run("CreateTeam ErrNotFound space", func(t *testing.T) {
		err := c.CreateTeam(ctx, &octoinvite.Team{Name: "Ghosts", SpaceID: ptr("Spaces-9")})
		assertError(t, err, 404, client.ErrNotFound, "The resource 'Spaces-9' was not found.")
	})
}

func TestUsers(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	jane, janeKey := env.CreateUser(t, "jane")
	c := newClient(t, env)
	adminJSON := `{"Id":"Users-1","Username":"admin","DisplayName":"Administrator","EmailAddress":"","IsActive":true,
		"IsService":false,"CanPasswordBeEdited":true,"IsRequestor":true,"Identities":[],
		"Links":{"Self":"/api/users/Users-1","Spaces":"/api/users/Users-1/spaces","ApiKeys":"/api/users/Users-1/apikeys{/id}{?skip,take}","Permissions":"/api/users/Users-1/permissions","Avatar":"/api/users/Users-1/avatar"}}`

	t.Run("Me OK", func(t *testing.T) {
		me, err := c.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		assertJSON(t, me, adminJSON)
	})
	t.Run("FindUserByID OK", func(t *testing.T) {
		u, err := c.FindUserByID(ctx, jane.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.Username != "jane" || u.IsRequestor || u.Links["Spaces"] != "/api/users/"+jane.ID+"/spaces" {
			t.Errorf("got %+v, want jane, not the requestor, with her Spaces link", u)
		}
	})
	t.Run("FindUserByID ErrNotFound", func(t *testing.T) {
		_, err := c.FindUserByID(ctx, "Users-99")
		assertError(t, err, 404, client.ErrNotFound, "The resource 'Users-99' was not found.")
	})
	t.Run("FindUsers OK", func(t *testing.T) {
		page, err := c.FindUsers(ctx, octoinvite.UserFilter{Filter: "JAN"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 || page.Total != 1 || page.Items[0].ID != jane.ID {
			t.Errorf("got %d users (total %d), want only %s", len(page.Items), page.Total, jane.ID)
		}
		var ids []string
		for u, err := range c.AllUsers(ctx, octoinvite.UserFilter{Range: octoinvite.Range{Take: 1}}) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.ID)
		}
		if want := []string{"Users-1", jane.ID}; !equal(ids, want) {
			t.Errorf("AllUsers: got %v, want %v", ids, want)
		}
	})
	t.Run("FindUserSpaces administrator", func(t *testing.T) {
		spaces, err := c.FindUserSpaces(ctx, "Users-1")
		if err != nil {
			t.Fatal(err)
		}
		assertJSON(t, spaces, "["+defaultSpaceJSON+"]")
	})
	t.Run("FindUserSpaces none", func(t *testing.T) {
		spaces, err := c.FindUserSpaces(ctx, jane.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(spaces) != 0 {
			t.Errorf("got %d spaces, want none", len(spaces))
		}
	})

	janeClient := newClient(t, env, client.WithAPIKey(janeKey))
	t.Run("Me as an ordinary user", func(t *testing.T) {
		me, err := janeClient.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if me.ID != jane.ID || !me.IsRequestor {
			t.Errorf("got %s (requestor %v), want %s, the requestor", me.ID, me.IsRequestor, jane.ID)
		}
		spaces, err := janeClient.UserSpaces(ctx, me)
		if err != nil || len(spaces) != 0 {
			t.Errorf("got %d spaces, %v; want none", len(spaces), err)
		}
	})
	t.Run("FindUsers ErrForbidden", func(t *testing.T) {
		_, err := janeClient.FindUsers(ctx, octoinvite.UserFilter{})
		assertError(t, err, 403, client.ErrForbidden,
			"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: UserView")
	})
}

func TestInvitations(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	ops := env.CreateSpace(t, "Operations")
	devs := env.CreateTeam(t, "Developers", ptr("Spaces-1"))
	oncall := env.CreateTeam(t, "On call", &ops.ID)
	c := newClient(t, env)

	inSpace := &octoinvite.Invitation{AddToTeamIDs: []string{devs.ID, "TEAMS-EVERYONE", devs.ID}, SpaceID: ptr("Spaces-1")}
	if err := c.CreateInvitation(ctx, inSpace); err != nil {
		t.Fatalf("CreateInvitation in a space: %v", err)
	}
	if len(inSpace.InvitationCode) < 32 {
		t.Fatalf("got the code %q, want a long code", inSpace.InvitationCode)
	}
	inSpaceJSON := `{"Id":"Invitations-1","AddToTeamIds":["Teams-1","teams-everyone"],"InvitationCode":"` + inSpace.InvitationCode + `",
		"Expires":"2026-11-28T10:00:00.000+00:00","SpaceId":"Spaces-1",
		"LastModifiedOn":"2026-11-26T10:00:00.000+00:00","LastModifiedBy":"admin",
		"State":"Pending","MaxUses":1,"Uses":0,
		"Links":{"Register":"` + env.URL + `/app/register?invitation=` + inSpace.InvitationCode + `","Self":"/api/Spaces-1/users/invitations/Invitations-1"}}`
	assertJSON(t, inSpace, inSpaceJSON)
	if stored, err := env.DB.FindInvitationByID(ctx, "Invitations-1"); err != nil || stored.InvitationCode != inSpace.InvitationCode {
		t.Fatalf("the store holds %+v, %v; want the invitation with its code", stored, err)
	}

	global := &octoinvite.Invitation{AddToTeamIDs: []string{}}
	if err := c.CreateInvitation(ctx, global); err != nil {
		t.Fatalf("CreateInvitation without a space: %v", err)
	}
	// As in Octopus, the route without a space creates it in the default space.
	assertJSON(t, global, `{"Id":"Invitations-2","AddToTeamIds":[],"InvitationCode":"`+global.InvitationCode+`",
		"Expires":"2026-11-28T10:00:00.000+00:00","SpaceId":"Spaces-1",
		"LastModifiedOn":"2026-11-26T10:00:00.000+00:00","LastModifiedBy":"admin",
		"State":"Pending","MaxUses":1,"Uses":0,
		"Links":{"Register":"`+env.URL+`/app/register?invitation=`+global.InvitationCode+`","Self":"/api/Spaces-1/users/invitations/Invitations-2"}}`)

	t.Run("FindInvitationByID OK", func(t *testing.T) {
		got, err := c.FindInvitationByID(ctx, "Invitations-1")
		if err != nil {
			t.Fatal(err)
		}
		assertJSON(t, got, inSpaceJSON)
	})
	t.Run("FindInvitationInSpace OK", func(t *testing.T) {
		got, err := c.FindInvitationInSpace(ctx, "Spaces-1", "Invitations-1")
		if err != nil {
			t.Fatal(err)
		}
		assertJSON(t, got, inSpaceJSON)
	})
	t.Run("FindInvitationInSpace ErrNotFound other space", func(t *testing.T) {
		_, err := c.FindInvitationInSpace(ctx, ops.ID, "Invitations-1")
		assertError(t, err, 404, client.ErrNotFound, "The resource 'Invitations-1' was not found.")
	})
	t.Run("FindInvitationByID ErrNotFound", func(t *testing.T) {
		_, err := c.FindInvitationByID(ctx, "Invitations-9")
		assertError(t, err, 404, client.ErrNotFound, "The resource 'Invitations-9' was not found.")
	})
	t.Run("CreateInvitation ErrInvalid no teams", func(t *testing.T) {
		err := c.CreateInvitation(ctx, &octoinvite.Invitation{SpaceID: ptr("Spaces-1")})
		assertError(t, err, 400, client.ErrInvalid, octoinvite.ProblemMessage, octoinvite.MsgSpecifyTeams)
	})
	t.Run("CreateInvitation ErrInvalid team of another space", func(t *testing.T) {
		err := c.CreateInvitation(ctx, &octoinvite.Invitation{AddToTeamIDs: []string{oncall.ID}, SpaceID: ptr("Spaces-1")})
		assertError(t, err, 400, client.ErrInvalid, octoinvite.ProblemMessage, "The team '"+oncall.ID+"' belongs to the space '"+ops.ID+"', not to the invitation's space 'Spaces-1'.")
	})
	t.Run("CreateInvitation ErrNotFound space", func(t *testing.T) {
		err := c.CreateInvitation(ctx, &octoinvite.Invitation{AddToTeamIDs: []string{}, SpaceID: ptr("Spaces-9")})
		assertError(t, err, 404, client.ErrNotFound, "The resource 'Spaces-9' was not found.")
	})
}

func spaceIDs(spaces []*octoinvite.Space) []string {
	ids := []string{}
	for _, s := range spaces {
		ids = append(ids, s.ID)
	}
	return ids
}

func teamIDs(teams []*octoinvite.Team) []string {
	ids := []string{}
	for _, t := range teams {
		ids = append(ids, t.ID)
	}
	return ids
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
