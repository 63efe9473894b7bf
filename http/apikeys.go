package http

import (
	"net/http"

	"github.com/octoinvite/octoinvite"
)

// apiKeyRequest holds the fields of an API key a client may set.
type apiKeyRequest struct {
	Purpose string `json:"Purpose"`
}

// handleCreateAPIKey creates a key for the user of the route: the caller's own, or anyone's
// with UserEdit. The answer holds the key's value, this once.
func (s *Server) handleCreateAPIKey(w http.ResponseWriter, r *http.Request) error {
	if err := requireSelfOr(r, r.PathValue("id"), octoinvite.PermissionUserEdit); err != nil {
		return err
	}
	var req apiKeyRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	key, err := s.APIKeys.CreateAPIKey(r.Context(), r.PathValue("id"), req.Purpose)
	if err != nil {
		return err
	}
	writeCreated(w, linkAPIKey(key), key.Links["Self"])
	return nil
}

func (s *Server) handleListAPIKeys(w http.ResponseWriter, r *http.Request) error {
	if err := requireSelfOr(r, r.PathValue("id"), octoinvite.PermissionUserView); err != nil {
		return err
	}
	rng, err := queryOf(r).pageRange()
	if err != nil {
		return err
	}
	page, err := s.APIKeys.FindAPIKeys(r.Context(), r.PathValue("id"), rng)
	if err != nil {
		return err
	}
	for _, k := range page.Items {
		linkAPIKey(k)
	}
	userID, _ := octoinvite.ParseID(octoinvite.KindUser, r.PathValue("id"))
	base := "/api/users/" + userID + "/apikeys"
	writeJSON(w, http.StatusOK, newCollection(r, "ApiKey", base, base+"{?skip,take}", rng, page))
	return nil
}

func (s *Server) handleGetAPIKey(w http.ResponseWriter, r *http.Request) error {
	if err := requireSelfOr(r, r.PathValue("id"), octoinvite.PermissionUserView); err != nil {
		return err
	}
	key, err := s.APIKeys.FindAPIKeyByID(r.Context(), r.PathValue("id"), r.PathValue("keyId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, linkAPIKey(key))
	return nil
}

// handleRevokeAPIKey revokes a key and answers 204; a key already revoked is 404.
func (s *Server) handleRevokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	if err := requireSelfOr(r, r.PathValue("id"), octoinvite.PermissionUserEdit); err != nil {
		return err
	}
	if err := s.APIKeys.RevokeAPIKey(r.Context(), r.PathValue("id"), r.PathValue("keyId")); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
