package http

import (
	"net/http"

	"github.com/octoinvite/octoinvite"
)

// invitationRequest holds the fields of an invitation a client may set. Everything else a client
// sends (Octopus.Client sends a null code and a zero Expires) is ignored.
type invitationRequest struct {
	AddToTeamIDs []string `json:"AddToTeamIds"`
	SpaceID      *string  `json:"SpaceId"`
}

func (s *Server) handleCreateInvitation(w http.ResponseWriter, r *http.Request) error {
	space, err := s.routeSpace(r)
	if err != nil {
		return err
	}
	if err := require(r, octoinvite.PermissionUserInvite); err != nil {
		return err
	}
	var req invitationRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	spaceID, err := bodySpace(req.SpaceID, space)
	if err != nil {
		return err
	}
	inv := &octoinvite.Invitation{
		AddToTeamIDs:   req.AddToTeamIDs,
		SpaceID:        spaceID,
		LastModifiedBy: octoinvite.UserFromContext(r.Context()).Username,
	}
	if err := s.Invitations.CreateInvitation(r.Context(), inv); err != nil {
		return err
	}
	writeCreated(w, linkInvitation(inv), inv.Links["Self"])
	return nil
}

// handleGetInvitation answers an invitation. On a space route only the space's own invitations
// are visible; the global route shows any.
func (s *Server) handleGetInvitation(w http.ResponseWriter, r *http.Request) error {
	space, err := s.routeSpace(r)
	if err != nil {
		return err
	}
	if err := require(r, octoinvite.PermissionUserInvite); err != nil {
		return err
	}
	inv, err := s.Invitations.FindInvitationByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if space != nil && (inv.SpaceID == nil || *inv.SpaceID != space.ID) {
		return octoinvite.NotFound(inv.ID)
	}
	writeJSON(w, http.StatusOK, linkInvitation(inv))
	return nil
}
