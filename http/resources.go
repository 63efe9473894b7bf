package http

import (
	"net/http"

	"github.com/octoinvite/octoinvite"
)

// newCollection wraps a page. path is the collection's route and template its URI template; the
// page links keep the request's other parameters, so that following Page.Next keeps the filter.
func newCollection[T any](r *http.Request, itemType, path, template string, rng octoinvite.Range, page octoinvite.Page[T]) octoinvite.Collection[T] {
	pages, last := 0, 0
	if rng.Take > 0 {
		pages = (page.Total + rng.Take - 1) / rng.Take
		last = max(pages-1, 0)
	}
	link := func(skip, take int) string { return path + "?" + encodeQuery(r, skip, take) }
	links := octoinvite.Links{
		"Self":         link(rng.Skip, rng.Take),
		"Template":     template,
		"Page.All":     link(0, octoinvite.MaxTake),
		"Page.Current": link(rng.Skip, rng.Take),
		"Page.Last":    link(last*rng.Take, rng.Take),
	}
	if rng.Take > 0 && rng.Skip+rng.Take < page.Total {
		links["Page.Next"] = link(rng.Skip+rng.Take, rng.Take)
	}
	items := page.Items
	if items == nil {
		items = []T{}
	}
	return octoinvite.Collection[T]{
		ItemType:       itemType,
		TotalResults:   page.Total,
		ItemsPerPage:   rng.Take,
		NumberOfPages:  pages,
		LastPageNumber: last,
		Items:          items,
		Links:          links,
	}
}

// URI templates of the collections, as Octopus advertises them.
const (
	spacesTemplate = "/api/spaces{?name,skip,ids,take,partialName}"
	teamsTemplate  = "/api/teams{?skip,take,ids,partialName,spaces,includeSystem}"
	usersTemplate  = "/api/users{?skip,take,ids,filter}"
)

func linkSpace(s *octoinvite.Space) *octoinvite.Space {
	s.Links = octoinvite.Links{"Self": "/api/spaces/" + s.ID, "SpaceHome": "/api/" + s.ID}
	if s.SpaceManagersTeams == nil {
		s.SpaceManagersTeams = []string{}
	}
	if s.SpaceManagersTeamMembers == nil {
		s.SpaceManagersTeamMembers = []string{}
	}
	return s
}

func linkTeam(t *octoinvite.Team) *octoinvite.Team {
	t.Links = octoinvite.Links{"Self": "/api/teams/" + t.ID}
	if t.MemberUserIDs == nil {
		t.MemberUserIDs = []string{}
	}
	if t.ExternalSecurityGroups == nil {
		t.ExternalSecurityGroups = []any{}
	}
	return t
}

// linkTeams adds the links of each team and returns the teams.
func linkTeams(teams []*octoinvite.Team) []*octoinvite.Team {
	for _, t := range teams {
		linkTeam(t)
	}
	return teams
}

// linkUser adds the links and marks the user that is the caller.
func linkUser(r *http.Request, u *octoinvite.User) *octoinvite.User {
	u.Links = octoinvite.Links{
		"Self":    "/api/users/" + u.ID,
		"Spaces":  "/api/users/" + u.ID + "/spaces",
		"ApiKeys": "/api/users/" + u.ID + "/apikeys{/id}{?skip,take}",
	}
	if caller := octoinvite.UserFromContext(r.Context()); caller != nil {
		u.IsRequestor = caller.ID == u.ID
	}
	if u.Identities == nil {
		u.Identities = []any{}
	}
	return u
}

// InvitationPath returns the route of an invitation: under its space if it has one.
func InvitationPath(inv *octoinvite.Invitation) string {
	if inv.SpaceID != nil {
		return "/api/" + *inv.SpaceID + "/users/invitations/" + inv.ID
	}
	return "/api/users/invitations/" + inv.ID
}

func linkInvitation(inv *octoinvite.Invitation) *octoinvite.Invitation {
	inv.Links = octoinvite.Links{"Self": InvitationPath(inv)}
	if inv.AddToTeamIDs == nil {
		inv.AddToTeamIDs = []string{}
	}
	return inv
}
