package http

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/octoinvite/octoinvite"
)

func (s *Server) handleListTeams(w http.ResponseWriter, r *http.Request) error {
	return s.listTeams(w, r, false)
}

// handleListAllTeams answers every team the filters select as a plain JSON array, as Octopus's
// /all routes do: on a space route the space's teams and the system teams.
func (s *Server) handleListAllTeams(w http.ResponseWriter, r *http.Request) error {
	return s.listTeams(w, r, true)
}

// listTeams answers the teams the filters select: a page of them, or every one as a plain
// array when all is set.
func (s *Server) listTeams(w http.ResponseWriter, r *http.Request, all bool) error {
	rng, err := queryOf(r).pageRange()
	if err != nil {
		return err
	} else if all {
		rng = octoinvite.Range{Take: octoinvite.MaxTake}
	}
	space, filter, err := s.teamFilter(r, rng)
	if err != nil {
		return err
	}
	page, err := s.Teams.FindTeams(r.Context(), filter)
	if err != nil {
		return err
	}
	linkTeams(page.Items)
	path := "/api/teams"
	if space != nil {
		path = "/api/" + space.ID + "/teams"
	}
	if all {
		writeJSON(w, http.StatusOK, page.Items)
	} else {
		writeJSON(w, http.StatusOK, newCollection(r, "Team", path, teamsTemplate, rng, page))
	}
	return nil
}

// teamFilter reads the filters of a list of teams (ids, partialName, spaces, includeSystem),
// within the route's space if it names one, which it returns.
func (s *Server) teamFilter(r *http.Request, rng octoinvite.Range) (*octoinvite.Space, octoinvite.TeamFilter, error) {
	space, err := s.routeSpace(r)
	if err != nil {
		return nil, octoinvite.TeamFilter{}, err
	}
	q := queryOf(r)
	includeSystem, err := q.boolean("includeSystem", true)
	if err != nil {
		return nil, octoinvite.TeamFilter{}, err
	}
	filter := octoinvite.TeamFilter{IDs: q.list("ids"), PartialName: q.text("partialName"), SpaceIDs: q.list("spaces"), IncludeSystem: includeSystem, Range: rng}
	if err := q.err(); err != nil {
		return nil, octoinvite.TeamFilter{}, err
	}
	if space != nil {
		filter.SpaceIDs = []string{space.ID}
	}
	return space, filter, nil
}

func (s *Server) handleGetTeam(w http.ResponseWriter, r *http.Request) error {
	team, err := s.routeTeam(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, linkTeam(team))
	return nil
}

// routeTeam returns the team the route names: on a space route, a team of the space or a
// system team; a team of another space is ENOTFOUND.
func (s *Server) routeTeam(r *http.Request) (*octoinvite.Team, error) {
	space, err := s.routeSpace(r)
	if err != nil {
		return nil, err
	}
	team, err := s.Teams.FindTeamByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if space != nil && team.SpaceID != nil && *team.SpaceID != space.ID {
		return nil, octoinvite.NotFound(team.ID)
	}
	return team, nil
}

// teamChange holds the fields of a team a client may change; a field left out of the body
// keeps its value. SpaceId is kept raw, so that its absence (keep the space) differs from
// null (no space).
type teamChange struct {
	Name          *string         `json:"Name"`
	Description   *string         `json:"Description"`
	MemberUserIDs *[]string       `json:"MemberUserIds"`
	SpaceID       json.RawMessage `json:"SpaceId"`
}

// handleUpdateTeam changes a team's name, description and members (PUT /api/teams/{id}, and on
// a space route) and answers 200 with it.
func (s *Server) handleUpdateTeam(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.routeSpace(r); err != nil {
		return err
	}
	if err := require(r, octoinvite.PermissionTeamEdit); err != nil {
		return err
	}
	var change teamChange
	if err := s.decodeBody(w, r, &change); err != nil {
		return err
	}
	team, err := s.routeTeam(r)
	if err != nil {
		return err
	}
	set(&team.Name, change.Name)
	set(&team.Description, change.Description)
	set(&team.MemberUserIDs, change.MemberUserIDs)
	if len(change.SpaceID) > 0 {
		team.SpaceID = nil
		if err := json.Unmarshal(change.SpaceID, &team.SpaceID); err != nil {
			return octoinvite.Invalid("The field 'SpaceId' must be a string or null.")
		}
	}
	if err := s.Teams.UpdateTeam(r.Context(), team); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, linkTeam(team))
	return nil
}

// handleDeleteTeam deletes a team (DELETE /api/teams/{id}, and on a space route) and answers
// 200 with no body; a built-in team is 400, as in Octopus.
func (s *Server) handleDeleteTeam(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.routeSpace(r); err != nil {
		return err
	}
	if err := require(r, octoinvite.PermissionTeamDelete); err != nil {
		return err
	}
	team, err := s.routeTeam(r)
	if err != nil {
		return err
	}
	if err := s.Teams.DeleteTeam(r.Context(), team.ID); err != nil {
		return err
	}
	writeDeleted(w)
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
