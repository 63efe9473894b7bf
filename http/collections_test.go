package http_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

type collection struct {
	ItemType       string
	TotalResults   int
	ItemsPerPage   int
	NumberOfPages  int
	LastPageNumber int
	Items          []map[string]any
	Links          map[string]string
}

func ids(c collection) string {
	var out []any
	for _, item := range c.Items {
		out = append(out, item["Id"])
	}
	return fmt.Sprint(out)
}

func TestSpaces_Collection(t *testing.T) {
	env := servertest.Start(t)
	admin(t, env, "GET", "/api/spaces", "").wantJSON(t, http.StatusOK, `{"ItemType":"Space","TotalResults":1,"ItemsPerPage":30,"NumberOfPages":1,"LastPageNumber":0,
		"Items":[{"Id":"Spaces-1","Name":"Default","Slug":"default","Description":"","IsDefault":true,"TaskQueueStopped":false,
		"SpaceManagersTeams":["teams-administrators"],"SpaceManagersTeamMembers":[],"Links":{"Self":"/api/spaces/Spaces-1","SpaceHome":"/api/Spaces-1","Web":"/app#/spaces/Spaces-1","Logo":"/api/spaces/Spaces-1/logo","Search":"/api/spaces/Spaces-1/search{?keyword}"}}],
		"Links":{"Self":"/api/spaces?skip=0&take=30","Template":"/api/spaces{?name,skip,ids,take,partialName}",
		"Page.All":"/api/spaces?skip=0&take=2147483647","Page.Current":"/api/spaces?skip=0&take=30","Page.Last":"/api/spaces?skip=0&take=30"}}`)
	for _, name := range []string{"Operations", "Marketing", "Open Source"} {
		env.CreateSpace(t, name)
	}
	tests := []struct {
		query    string
		ids      string
		total    int
		pages    int
		last     int
		nextLink string
	}{
		{"?take=2", "[Spaces-1 Spaces-2]", 4, 2, 1, "/api/spaces?skip=2&take=2"},
		{"?skip=2&take=2", "[Spaces-3 Spaces-4]", 4, 2, 1, ""},
		{"?partialName=OP&take=1", "[Spaces-2]", 2, 2, 1, "/api/spaces?skip=1&take=1&partialName=OP"},
		{"?ids=spaces-3,Spaces-1,Spaces-99,nonsense", "[Spaces-1 Spaces-3]", 2, 1, 0, ""},
		{"?ids=nonsense", "[]", 0, 0, 0, ""},
		{"?partialName=%25", "[]", 0, 0, 0, ""},
		// name is the exact name, without regard to case, as Octopus's clients look a space up.
		{"?name=open%20SOURCE", "[Spaces-4]", 1, 1, 0, ""},
		{"?name=Open", "[]", 0, 0, 0, ""},
		{"?name=operations&partialName=ERAT", "[Spaces-2]", 1, 1, 0, ""},
		{"?take=0", "[]", 4, 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var c collection
			resp := admin(t, env, "GET", "/api/spaces"+tt.query, "")
			resp.decode(t, &c)
			if got := ids(c); got != tt.ids || c.TotalResults != tt.total || c.NumberOfPages != tt.pages || c.LastPageNumber != tt.last {
				t.Errorf("got %s total %d pages %d last %d, want %s total %d pages %d last %d",
					got, c.TotalResults, c.NumberOfPages, c.LastPageNumber, tt.ids, tt.total, tt.pages, tt.last)
			}
			if c.Links["Page.Next"] != tt.nextLink {
				t.Errorf("got Page.Next %q, want %q", c.Links["Page.Next"], tt.nextLink)
			}
		})
	}
}

func TestSpaces_Create(t *testing.T) {
	env := servertest.Start(t)
	resp := admin(t, env, "POST", "/api/spaces", `{"Name":"Operations","Description":"Ops","SpaceManagersTeams":["teams-administrators"]}`)
	want := `{"Id":"Spaces-2","Name":"Operations","Slug":"operations","Description":"Ops","IsDefault":false,"TaskQueueStopped":false,
		"SpaceManagersTeams":["teams-administrators"],"SpaceManagersTeamMembers":[],"Links":{"Self":"/api/spaces/Spaces-2","SpaceHome":"/api/Spaces-2","Web":"/app#/spaces/Spaces-2","Logo":"/api/spaces/Spaces-2/logo","Search":"/api/spaces/Spaces-2/search{?keyword}"}}`
	resp.wantJSON(t, http.StatusCreated, want)
	admin(t, env, "GET", "/api/spaces/Spaces-2", "").wantJSON(t, http.StatusOK, want)
	admin(t, env, "POST", "/api/spaces", `{"Name":"operations"}`).wantJSON(t, http.StatusConflict,
		`{"ErrorMessage":"There was a problem with your request.","Errors":["A space with the name 'operations' or the slug 'operations' already exists."]}`)
	admin(t, env, "POST", "/api/spaces", `{"Name":"  "}`).wantJSON(t, http.StatusBadRequest,
		`{"ErrorMessage":"There was a problem with your request.","Errors":["Please provide a name for the space (Name)."]}`)
	admin(t, env, "POST", "/api/spaces", `{"Name":"X","SpaceManagersTeams":["Teams-5"],"SpaceManagersTeamMembers":["Users-9"]}`).wantJSON(t, http.StatusBadRequest,
		`{"ErrorMessage":"There was a problem with your request.","Errors":["The team 'Teams-5' does not exist.","The user 'Users-9' does not exist."]}`)
	admin(t, env, "GET", "/api/spaces/Spaces-9", "").wantJSON(t, http.StatusNotFound, `{"ErrorMessage":"The resource 'Spaces-9' was not found."}`)

	// A new default space takes the role from the old one.
	admin(t, env, "POST", "/api/spaces", `{"Name":"Main","IsDefault":true}`)
	var c collection
	admin(t, env, "GET", "/api/spaces", "").decode(t, &c)
	var defaults []any
	for _, s := range c.Items {
		if s["IsDefault"] == true {
			defaults = append(defaults, s["Id"])
		}
	}
	if fmt.Sprint(defaults) != "[Spaces-3]" {
		t.Errorf("got default spaces %v, want [Spaces-3]", defaults)
	}
}

func TestTeams(t *testing.T) {
	env := servertest.Start(t)
	env.CreateSpace(t, "Second")
	jane, _ := env.CreateUser(t, "jane")
	resp := admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"Developers","MemberUserIds":["`+jane.ID+`","users-2"]}`)
	want := `{"Id":"Teams-1","Name":"Developers","Description":"","MemberUserIds":["Users-2"],"ExternalSecurityGroups":[],
		"CanBeDeleted":true,"CanBeRenamed":true,"CanChangeRoles":true,"CanChangeMembers":true,"SpaceId":"Spaces-1","Links":{"Self":"/api/teams/Teams-1"}}`
	resp.wantJSON(t, http.StatusCreated, want)
	admin(t, env, "GET", "/api/teams/Teams-1", "").wantJSON(t, http.StatusOK, want)
	admin(t, env, "GET", "/api/Spaces-1/teams/Teams-1", "").wantJSON(t, http.StatusOK, want)
	admin(t, env, "GET", "/api/Spaces-2/teams/Teams-1", "").wantJSON(t, http.StatusNotFound, `{"ErrorMessage":"The resource 'Teams-1' was not found."}`)
	admin(t, env, "POST", "/api/teams", `{"Name":"Operators","SpaceId":"Spaces-2"}`)
	admin(t, env, "POST", "/api/Spaces-2/teams", `{"Name":"developers"}`) // the same name in another space is fine
	admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"DEVELOPERS"}`).wantJSON(t, http.StatusConflict,
		`{"ErrorMessage":"There was a problem with your request.","Errors":["A team with the name 'DEVELOPERS' already exists in this space."]}`)
	admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"X","SpaceId":"Spaces-2"}`).wantJSON(t, http.StatusBadRequest,
		`{"ErrorMessage":"There was a problem with your request.","Errors":["The SpaceId 'Spaces-2' does not match the space of the route, 'Spaces-1'."]}`)
	admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"X","MemberUserIds":["Users-42"]}`).wantJSON(t, http.StatusBadRequest,
		`{"ErrorMessage":"There was a problem with your request.","Errors":["The user 'Users-42' does not exist."]}`)

	everyone := `{"Id":"teams-everyone","Name":"Everyone","Description":"All users are members of this team.","MemberUserIds":["Users-1","Users-2"],
		"ExternalSecurityGroups":[],"CanBeDeleted":false,"CanBeRenamed":false,"CanChangeRoles":true,"CanChangeMembers":false,"SpaceId":null,
		"Links":{"Self":"/api/teams/teams-everyone"}}`
	admin(t, env, "GET", "/api/teams/teams-everyone", "").wantJSON(t, http.StatusOK, everyone)
	admin(t, env, "GET", "/api/teams/Teams-Everyone", "").wantJSON(t, http.StatusOK, everyone)

	tests := []struct{ query, want string }{
		{"/api/teams", "[teams-administrators teams-everyone Teams-1 Teams-2 Teams-3]"},
		{"/api/teams?includeSystem=false", "[Teams-1 Teams-2 Teams-3]"},
		{"/api/teams?spaces=Spaces-2", "[teams-administrators teams-everyone Teams-2 Teams-3]"},
		{"/api/teams?spaces=Spaces-2&includeSystem=false", "[Teams-2 Teams-3]"},
		{"/api/teams?spaces=Spaces-1,Spaces-2&includeSystem=false&partialName=dev", "[Teams-1 Teams-3]"},
		{"/api/teams?ids=Teams-2,teams-everyone", "[teams-everyone Teams-2]"},
		{"/api/Spaces-2/teams?includeSystem=false", "[Teams-2 Teams-3]"},
		{"/api/Spaces-2/teams?spaces=Spaces-1&includeSystem=false", "[Teams-2 Teams-3]"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var c collection
			admin(t, env, "GET", tt.query, "").decode(t, &c)
			if got := ids(c); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if c.ItemType != "Team" {
				t.Errorf("got ItemType %q, want Team", c.ItemType)
			}
		})
	}
}

func TestUsers(t *testing.T) {
	env := servertest.Start(t)
	jane, key := env.CreateUser(t, "jane")
	me := `{"Id":"Users-2","Username":"jane","DisplayName":"jane","EmailAddress":"","IsActive":true,"IsService":false,
		"CanPasswordBeEdited":true,"IsRequestor":true,"Identities":[],
		"Links":{"Self":"/api/users/Users-2","Spaces":"/api/users/Users-2/spaces","ApiKeys":"/api/users/Users-2/apikeys{/id}{?skip,take}","Permissions":"/api/users/Users-2/permissions","Avatar":"/api/users/Users-2/avatar"}}`
	send(t, env, request{method: "GET", path: "/api/users/me", key: key}).wantJSON(t, http.StatusOK, me)
	send(t, env, request{method: "GET", path: "/api/users/" + jane.ID, key: key}).wantJSON(t, http.StatusOK, me)
	// Seen by the administrator, jane is not the requestor.
	var u octoinvite.User
	admin(t, env, "GET", "/api/users/Users-2", "").decode(t, &u)
	if u.IsRequestor || u.Username != "jane" {
		t.Errorf("got %+v, want jane with IsRequestor false", u)
	}
	admin(t, env, "GET", "/api/users/Users-7", "").wantJSON(t, http.StatusNotFound, `{"ErrorMessage":"The resource 'Users-7' was not found."}`)

	// Spaces: every space for the administrator, the spaces of her teams for jane.
	second := env.CreateSpace(t, "Second")
	if err := env.DB.CreateTeam(t.Context(), &octoinvite.Team{Name: "Ops", SpaceID: &second.ID, MemberUserIDs: []string{jane.ID}}); err != nil {
		t.Fatal(err)
	}
	var spaces []octoinvite.Space
	send(t, env, request{method: "GET", path: "/api/users/Users-2/spaces", key: key}).decode(t, &spaces)
	if len(spaces) != 1 || spaces[0].ID != "Spaces-2" || spaces[0].Links["SpaceHome"] != "/api/Spaces-2" {
		t.Errorf("got jane's spaces %+v, want [Spaces-2]", spaces)
	}
	admin(t, env, "GET", "/api/users/Users-1/spaces", "").decode(t, &spaces)
	if len(spaces) != 2 {
		t.Errorf("got %d spaces for the administrator, want 2", len(spaces))
	}
	var c collection
	admin(t, env, "GET", "/api/users?filter=JAN", "").decode(t, &c)
	if ids(c) != "[Users-2]" || c.ItemType != "User" {
		t.Errorf("got %s, want [Users-2]", ids(c))
	}
}
