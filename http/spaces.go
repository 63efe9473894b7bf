package http

import (
	"net/http"

	"github.com/octoinvite/octoinvite"
)

func (s *Server) handleListSpaces(w http.ResponseWriter, r *http.Request) error {
	q := queryOf(r)
	rng, err := q.pageRange()
	if err != nil {
		return err
	}
	filter := octoinvite.SpaceFilter{IDs: q.list("ids"), PartialName: q.text("partialName"), Range: rng}
	if err := q.err(); err != nil {
		return err
	}
	page, err := s.Spaces.FindSpaces(r.Context(), filter)
	if err != nil {
		return err
	}
	for _, sp := range page.Items {
		linkSpace(sp)
	}
	writeJSON(w, http.StatusOK, newCollection(r, "Space", "/api/spaces", spacesTemplate, rng, page))
	return nil
}

func (s *Server) handleGetSpace(w http.ResponseWriter, r *http.Request) error {
	space, err := s.Spaces.FindSpaceByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, linkSpace(space))
	return nil
}

// spaceRequest holds the fields of a space a client may set.
type spaceRequest struct {
	Name                     string   `json:"Name"`
	Slug                     string   `json:"Slug"`
	Description              string   `json:"Description"`
	IsDefault                bool     `json:"IsDefault"`
	TaskQueueStopped         bool     `json:"TaskQueueStopped"`
	SpaceManagersTeams       []string `json:"SpaceManagersTeams"`
	SpaceManagersTeamMembers []string `json:"SpaceManagersTeamMembers"`
}

func (s *Server) handleCreateSpace(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, octoinvite.PermissionSpaceCreate); err != nil {
		return err
	}
	var req spaceRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	space := &octoinvite.Space{
		Name:                     req.Name,
		Slug:                     req.Slug,
		Description:              req.Description,
		IsDefault:                req.IsDefault,
		TaskQueueStopped:         req.TaskQueueStopped,
		SpaceManagersTeams:       req.SpaceManagersTeams,
		SpaceManagersTeamMembers: req.SpaceManagersTeamMembers,
	}
	if err := s.Spaces.CreateSpace(r.Context(), space); err != nil {
		return err
	}
	writeCreated(w, linkSpace(space), space.Links["Self"])
	return nil
}

// writeCreated answers 201 with the resource and its location.
func writeCreated(w http.ResponseWriter, v any, self string) {
	w.Header().Set("Location", self)
	writeJSON(w, http.StatusCreated, v)
}

// routeSpace returns the space named by the route, nil on a route outside any space, or
// ENOTFOUND for a space that does not exist.
func (s *Server) routeSpace(r *http.Request) (*octoinvite.Space, error) {
	id := r.PathValue("space")
	if id == "" {
		return nil, nil
	}
	return s.Spaces.FindSpaceByID(r.Context(), id)
}
