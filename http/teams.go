package http

import (
	"fmt"
	"net/http"

	"github.com/octoinvite/octoinvite"
)

func (s *Server) handleListTeams(w http.ResponseWriter, r *http.Request) error {
	space, err := s.routeSpace(r)
	if err != nil {
		return err
	}
	q := queryOf(r)
	rng, err := q.pageRange()
	if err != nil {
		return err
	}
	includeSystem, err := q.boolean("includeSystem", true)
	if err != nil {
		return err
	}
	filter := octoinvite.TeamFilter{IDs: q.list("ids"), PartialName: q.text("partialName"), SpaceIDs: q.list("spaces"), IncludeSystem: includeSystem, Range: rng}
	if err := q.err(); err != nil {
		return err
	}
	path := "/api/teams"
	if space != nil {
		filter.SpaceIDs = []string{space.ID}
		path = "/api/" + space.ID + "/teams"
	}
	page, err := s.Teams.FindTeams(r.Context(), filter)
	if err != nil {
		return err
	}
	for _, t := range page.Items {
		linkTeam(t)
	}
	writeJSON(w, http.StatusOK, newCollection(r, "Team", path, teamsTemplate, rng, page))
	return nil
}

func (s *Server) handleGetTeam(w http.ResponseWriter, r *http.Request) error {
	space, err := s.routeSpace(r)
	if err != nil {
		return err
	}
	team, err := s.Teams.FindTeamByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if space != nil && team.SpaceID != nil && *team.SpaceID != space.ID {
		return octoinvite.NotFound(team.ID)
	}
	writeJSON(w, http.StatusOK, linkTeam(team))
	return nil
}

// teamRequest holds the fields of a team a client may set.
type teamRequest struct {
	Name          string   `json:"Name"`
	Description   string   `json:"Description"`
	SpaceID       *string  `json:"SpaceId"`
	MemberUserIDs []string `json:"MemberUserIds"`
}

func (s *Server) handleCreateTeam(w http.ResponseWriter, r *http.Request) error {
	space, err := s.routeSpace(r)
	if err != nil {
		return err
	}
	if err := require(r, octoinvite.PermissionTeamCreate); err != nil {
		return err
	}
	var req teamRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	spaceID, err := bodySpace(req.SpaceID, space)
	if err != nil {
		return err
	}
	team := &octoinvite.Team{Name: req.Name, Description: req.Description, SpaceID: spaceID, MemberUserIDs: req.MemberUserIDs}
	if err := s.Teams.CreateTeam(r.Context(), team); err != nil {
		return err
	}
	writeCreated(w, linkTeam(team), team.Links["Self"])
	return nil
}

// bodySpace reconciles the SpaceId of a request body with the space of the route: on a space
// route a null SpaceId takes the route's space and another space is EINVALID; elsewhere the body
// decides. A body space that cannot name a space is EINVALID.
func bodySpace(body *string, route *octoinvite.Space) (*string, error) {
	if body == nil {
		if route == nil {
			return nil, nil
		}
		return &route.ID, nil
	}
	id, ok := octoinvite.ParseID(octoinvite.KindSpace, *body)
	if !ok {
		return nil, octoinvite.Invalid(fmt.Sprintf("The space '%s' does not exist.", octoinvite.Truncate(*body, octoinvite.MaxIDLength)))
	}
	if route != nil && id != route.ID {
		return nil, octoinvite.Invalid(fmt.Sprintf("The SpaceId '%s' does not match the space of the route, '%s'.", id, route.ID))
	}
	return &id, nil
}
