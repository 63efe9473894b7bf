package http

import (
	"net/http"

	"github.com/octoinvite/octoinvite"
)

// RootResource is the document clients read first, at GET /api.
type RootResource struct {
	Application    string           `json:"Application"`
	Version        string           `json:"Version"`
	APIVersion     string           `json:"ApiVersion"`
	InstallationID string           `json:"InstallationId"`
	Links          octoinvite.Links `json:"Links"`
}

func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, RootResource{
		Application:    s.Application,
		Version:        s.Version,
		APIVersion:     octoinvite.APIVersion,
		InstallationID: s.InstallationID,
		Links: octoinvite.Links{
			"Self":           "/api",
			"Events":         eventsTemplate,
			"Invitations":    "/api/users/invitations",
			"Register":       "/api/users/register",
			"SignIn":         "/api/users/login{?returnUrl}",
			"SignOut":        "/api/users/logout",
			"CurrentUser":    "/api/users/me",
			"SpaceHome":      "/api/{spaceId}",
			"Spaces":         "/api/spaces{/id}{?name,skip,ids,take,partialName}",
			"Teams":          "/api/teams{/id}{?skip,take,ids,partialName,spaces,includeSystem}",
			"TeamMembership": "/api/teammembership{?userId,spaces,includeSystem}",
			"Users":          "/api/users{/id}{?skip,take,ids,filter}",
			"Web":            WebPortal,
		},
	})
	return nil
}

// SpaceRootResource is the root document of one space, at GET /api/{spaceId}.
type SpaceRootResource struct {
	Links octoinvite.Links `json:"Links"`
}

func (s *Server) handleSpaceRoot(w http.ResponseWriter, r *http.Request) error {
	space, err := s.Spaces.FindSpaceByID(r.Context(), r.PathValue("space"))
	if err != nil {
		return err
	}
	base := "/api/" + space.ID
	writeJSON(w, http.StatusOK, SpaceRootResource{Links: octoinvite.Links{
		"Self":        base,
		"Invitations": base + "/users/invitations",
		"Teams":       base + "/teams{/id}{?skip,take,ids,partialName,includeSystem}",
	}})
	return nil
}
