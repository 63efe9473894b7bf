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

// Every resource carries the links Octopus's resource of its kind carries, each of which answers
// (a test walks them all from the root document): this file is the one place that builds them.

// WebPortal is the address of the pages, and WebLinkPrefix what Octopus's Web links start with:
// clients split a Web link on it and take the rest as the page within the portal.
const (
	WebPortal     = "/app"
	WebLinkPrefix = WebPortal + "#/"
)

func linkSpace(s *octoinvite.Space) *octoinvite.Space {
	s.Links = octoinvite.Links{
		"Self":      "/api/spaces/" + s.ID,
		"SpaceHome": "/api/" + s.ID,
		"Web":       WebLinkPrefix + "spaces/" + s.ID,
		"Logo":      "/api/spaces/" + s.ID + "/logo",
		"Search":    "/api/spaces/" + s.ID + "/search{?keyword}",
	}
	if s.SpaceManagersTeams == nil {
		s.SpaceManagersTeams = []string{}
	}
	if s.SpaceManagersTeamMembers == nil {
		s.SpaceManagersTeamMembers = []string{}
	}
	return s
}

// linkTeam adds the team's Self link. Octopus's teams also carry ScopedUserRoles, the roles
// assigned to the team; octoinvite has no roles to assign (the administrators team holds every
// permission, other teams none), so that link is left out rather than pointing at a list that
// could not be managed (see docs/api.md).
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

// linkInvitation adds the invitation's links for an answer to r.
func (s *Server) linkInvitation(r *http.Request, inv *octoinvite.Invitation) *octoinvite.Invitation {
	return linkInvitation(inv, s.BaseURL(r))
}

// linkUser adds the links and marks the user that is the caller.
func linkUser(r *http.Request, u *octoinvite.User) *octoinvite.User {
	u.Links = octoinvite.Links{
		"Self":        "/api/users/" + u.ID,
		"Spaces":      "/api/users/" + u.ID + "/spaces",
		"ApiKeys":     "/api/users/" + u.ID + "/apikeys{/id}{?skip,take}",
		"Permissions": "/api/users/" + u.ID + "/permissions",
		"Avatar":      "/api/users/" + u.ID + "/avatar",
	}
	if caller := octoinvite.UserFromContext(r.Context()); caller != nil {
		u.IsRequestor = caller.ID == u.ID
	}
	if u.Identities == nil {
		u.Identities = []any{}
	}
	return u
}

func linkAPIKey(k *octoinvite.APIKey) *octoinvite.APIKey {
	k.Links = octoinvite.Links{"Self": "/api/users/" + k.UserID + "/apikeys/" + k.ID}
	return k
}

// InvitationPath returns the route of an invitation: under its space if it has one.
func InvitationPath(inv *octoinvite.Invitation) string {
	if inv.SpaceID != nil {
		return "/api/" + *inv.SpaceID + "/users/invitations/" + inv.ID
	}
	return "/api/users/invitations/" + inv.ID
}

// linkInvitation adds the invitation's links: Self, and Register, the address of the page to
// send the invitee, built on base (see Server.BaseURL).
func linkInvitation(inv *octoinvite.Invitation, base string) *octoinvite.Invitation {
	inv.Links = octoinvite.Links{"Self": InvitationPath(inv), "Register": octoinvite.InvitationLink(base, inv.InvitationCode)}
	if inv.AddToTeamIDs == nil {
		inv.AddToTeamIDs = []string{}
	}
	return inv
}
