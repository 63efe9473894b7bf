package http

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/octoinvite/octoinvite"
)

// invitationRequest holds the fields of an invitation a client may set. Everything else a client
// sends (Octopus.Client sends a null code) is ignored. Expires is kept raw so that its absence,
// null and the zero date Octopus.Client sends all mean "the default lifetime", and a malformed
// date is refused naming the field.
type invitationRequest struct {
	AddToTeamIDs []string        `json:"AddToTeamIds"`
	SpaceID      *string         `json:"SpaceId"`
	Expires      json.RawMessage `json:"Expires"`
	MaxUses      *int            `json:"MaxUses"`
	EmailAddress string          `json:"EmailAddress"`
}

// MsgExpiresFormat is the problem of an Expires that is not a date.
const MsgExpiresFormat = "The expiry date (Expires) must be a date such as \"2026-11-28T10:00:00.000+00:00\", or null for the default lifetime."

// expires returns the requested expiry; the zero time for none.
func (req *invitationRequest) expires() (octoinvite.Time, error) {
	var t octoinvite.Time
	if len(req.Expires) == 0 || string(req.Expires) == "null" {
		return t, nil
	}
	if err := t.UnmarshalJSON(req.Expires); err != nil {
		return t, octoinvite.Invalid(MsgExpiresFormat)
	}
	return t, nil
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
	if space == nil && spaceID == nil {
		if spaceID, err = s.defaultSpaceID(r.Context()); err != nil {
			return err
		}
	}
	expires, err := req.expires()
	if err != nil {
		return err
	}
	inv := &octoinvite.Invitation{
		AddToTeamIDs:   req.AddToTeamIDs,
		SpaceID:        spaceID,
		LastModifiedBy: octoinvite.UserFromContext(r.Context()).Username,
		Expires:        expires,
		EmailAddress:   req.EmailAddress,
	}
	if req.MaxUses != nil {
		// 0, what a client sends that leaves the field at its zero value, means the default.
		inv.MaxUses = *req.MaxUses
	}
	if err := s.Invitations.CreateInvitation(r.Context(), inv); err != nil {
		return err
	}
	writeCreated(w, s.linkInvitation(r, inv), inv.Links["Self"])
	return nil
}

// defaultSpaceID returns the ID of the default space, on which a route without a space acts
// for a space-scoped resource, as Octopus's do; nil when no space is the default, so that
// such a route then acts outside any space (see docs/api.md).
func (s *Server) defaultSpaceID(ctx context.Context) (*string, error) {
	space, err := s.Spaces.FindDefaultSpace(ctx)
	if octoinvite.ErrorCode(err) == octoinvite.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &space.ID, nil
}

// handleGetInvitation answers an invitation. On a space route only the space's own invitations
// are visible; the global route shows any.
func (s *Server) handleGetInvitation(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.routeInvitation(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.linkInvitation(r, inv))
	return nil
}

// routeInvitation returns the invitation the route names, after checking the caller's
// permission; on a space route an invitation of another space is ENOTFOUND.
func (s *Server) routeInvitation(r *http.Request) (*octoinvite.Invitation, error) {
	space, err := s.routeSpace(r)
	if err != nil {
		return nil, err
	}
	if err := require(r, octoinvite.PermissionUserInvite); err != nil {
		return nil, err
	}
	inv, err := s.Invitations.FindInvitationByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if space != nil && (inv.SpaceID == nil || *inv.SpaceID != space.ID) {
		return nil, octoinvite.NotFound(inv.ID)
	}
	return inv, nil
}

// invitationsTemplate is the URI template of an invitation collection, after its path.
const invitationsTemplate = "{?skip,take,ids,state,team}"

// handleListInvitations answers a page of invitations, newest first, filtered by ids, state and
// team (comma-separated lists); on a space route, only the space's.
func (s *Server) handleListInvitations(w http.ResponseWriter, r *http.Request) error {
	space, err := s.routeSpace(r)
	if err != nil {
		return err
	}
	if err := require(r, octoinvite.PermissionUserInvite); err != nil {
		return err
	}
	q := queryOf(r)
	rng, err := q.pageRange()
	if err != nil {
		return err
	}
	filter := octoinvite.InvitationFilter{IDs: q.list("ids"), States: q.list("state"), TeamIDs: q.list("team"), Range: rng}
	if err := q.err(); err != nil {
		return err
	}
	path := "/api/users/invitations"
	if space != nil {
		filter.SpaceID = &space.ID
		path = "/api/" + space.ID + "/users/invitations"
	}
	page, err := s.Invitations.FindInvitations(r.Context(), filter)
	if err != nil {
		return err
	}
	for _, inv := range page.Items {
		s.linkInvitation(r, inv)
	}
	writeJSON(w, http.StatusOK, newCollection(r, "Invitation", path, path+invitationsTemplate, rng, page))
	return nil
}

// handleRevokeInvitation withdraws an invitation and answers 200 with it, revoked. Revoking a
// revoked invitation answers the same; a used-up one is 409.
func (s *Server) handleRevokeInvitation(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.routeInvitation(r)
	if err != nil {
		return err
	}
	inv, _, err = s.Invitations.RevokeInvitation(r.Context(), inv.ID, octoinvite.UserFromContext(r.Context()).Username)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.linkInvitation(r, inv))
	return nil
}

// regenerateRequest is the optional body of a regeneration: the new expiry, read as a new
// invitation's is.
type regenerateRequest struct {
	Expires json.RawMessage `json:"Expires"`
}

// handleRegenerateInvitation gives an invitation a new code and expiry and answers 200 with it.
// The body is optional: without one, or without Expires, the expiry is now plus the default
// lifetime. A revoked or used-up invitation is 409.
func (s *Server) handleRegenerateInvitation(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.routeInvitation(r)
	if err != nil {
		return err
	}
	var req regenerateRequest
	if err := s.decodeBody(w, r, &req); err != nil && !slices.Equal(octoinvite.ErrorDetails(err), []string{octoinvite.MsgNoRequestBody}) {
		return err // an empty body, or null, asks for the default
	}
	expires, err := (&invitationRequest{Expires: req.Expires}).expires()
	if err != nil {
		return err
	}
	inv, err = s.Invitations.RegenerateInvitation(r.Context(), inv.ID, octoinvite.UserFromContext(r.Context()).Username, expires.Time)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.linkInvitation(r, inv))
	return nil
}

// handleResendInvitation queues the invitation's email again and answers 200 with it, its
// Delivery queued. An invitation without an address is 400; a revoked, used-up or expired one
// 409; a resend within octoinvite.ResendInterval of the previous message 429, with Retry-After.
func (s *Server) handleResendInvitation(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.routeInvitation(r)
	if err != nil {
		return err
	}
	if s.Resender == nil {
		return octoinvite.InvalidFields(octoinvite.Problem{Field: octoinvite.EmailAddressField, Message: octoinvite.MsgEmailNotConfigured})
	}
	inv, err = s.Resender.ResendInvitation(r.Context(), inv.ID, octoinvite.UserFromContext(r.Context()).Username)
	var tooSoon *octoinvite.ResendTooSoonError
	if errors.As(err, &tooSoon) {
		w.Header().Set("Retry-After", strconv.Itoa(tooSoon.Seconds()))
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.linkInvitation(r, inv))
	return nil
}
