package http

import (
	"net/http"

	"github.com/octoinvite/octoinvite"
)

func (s *Server) handleListSpaces(w http.ResponseWriter, r *http.Request) error {
	return s.listSpaces(w, r, false)
}

// handleListAllSpaces answers every space the filters select as a plain JSON array, as
// Octopus's /all routes do.
func (s *Server) handleListAllSpaces(w http.ResponseWriter, r *http.Request) error {
	return s.listSpaces(w, r, true)
}

// listSpaces answers the spaces the filters (ids, name, partialName) select: a page of them, or
// every one as a plain array when all is set.
func (s *Server) listSpaces(w http.ResponseWriter, r *http.Request, all bool) error {
	q := queryOf(r)
	rng, err := q.pageRange()
	if err != nil {
		return err
	} else if all {
		rng = octoinvite.Range{Take: octoinvite.MaxTake}
	}
	filter := octoinvite.SpaceFilter{IDs: q.list("ids"), Name: q.text("name"), PartialName: q.text("partialName"), Range: rng}
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
	if all {
		writeJSON(w, http.StatusOK, page.Items)
	} else {
		writeJSON(w, http.StatusOK, newCollection(r, "Space", "/api/spaces", spacesTemplate, rng, page))
	}
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

// spaceChange holds the fields of a space a client may change; a field left out of the body
// keeps its value, so that a body of one field changes one field.
type spaceChange struct {
	Name                     *string   `json:"Name"`
	Slug                     *string   `json:"Slug"`
	Description              *string   `json:"Description"`
	IsDefault                *bool     `json:"IsDefault"`
	TaskQueueStopped         *bool     `json:"TaskQueueStopped"`
	SpaceManagersTeams       *[]string `json:"SpaceManagersTeams"`
	SpaceManagersTeamMembers *[]string `json:"SpaceManagersTeamMembers"`
}

// apply sets the fields of space that the change names.
func (c *spaceChange) apply(space *octoinvite.Space) {
	set(&space.Name, c.Name)
	set(&space.Slug, c.Slug)
	set(&space.Description, c.Description)
	set(&space.IsDefault, c.IsDefault)
	set(&space.TaskQueueStopped, c.TaskQueueStopped)
	set(&space.SpaceManagersTeams, c.SpaceManagersTeams)
	set(&space.SpaceManagersTeamMembers, c.SpaceManagersTeamMembers)
}

// set stores *v in *dst when the request gave v.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// handleUpdateSpace changes a space (PUT /api/spaces/{id}) and answers 200 with it.
func (s *Server) handleUpdateSpace(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, octoinvite.PermissionSpaceEdit); err != nil {
		return err
	}
	var change spaceChange
	if err := s.decodeBody(w, r, &change); err != nil {
		return err
	}
	space, err := s.Spaces.FindSpaceByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	change.apply(space)
	if err := s.Spaces.UpdateSpace(r.Context(), space); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, linkSpace(space))
	return nil
}

// handleDeleteSpace deletes a space whose task queue is stopped, with its teams and
// invitations, and answers 200 with no body, as Octopus does.
func (s *Server) handleDeleteSpace(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, octoinvite.PermissionSpaceDelete); err != nil {
		return err
	}
	if err := s.Spaces.DeleteSpace(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	writeDeleted(w)
	return nil
}

// writeDeleted answers a deletion: 200 with no body, as Octopus answers its DELETE routes.
func writeDeleted(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// SearchResult is a document of a space that a search found: its ID, its name and its kind.
type SearchResult struct {
	ID         string `json:"Id"`
	Name       string `json:"Name"`
	EntityType string `json:"EntityType"`
}

// handleSpaceSearch answers the documents of the space whose name contains keyword (all of
// them without one), as a plain JSON array: the space's teams, the only named documents a space
// holds in octoinvite.
func (s *Server) handleSpaceSearch(w http.ResponseWriter, r *http.Request) error {
	space, err := s.Spaces.FindSpaceByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	q := queryOf(r)
	keyword := q.text("keyword")
	if err := q.err(); err != nil {
		return err
	}
	page, err := s.Teams.FindTeams(r.Context(), octoinvite.TeamFilter{SpaceIDs: []string{space.ID}, PartialName: keyword,
		Range: octoinvite.Range{Take: octoinvite.MaxTake}})
	if err != nil {
		return err
	}
	results := make([]SearchResult, 0, len(page.Items))
	for _, t := range page.Items {
		results = append(results, SearchResult{ID: t.ID, Name: t.Name, EntityType: "Team"})
	}
	writeJSON(w, http.StatusOK, results)
	return nil
}
