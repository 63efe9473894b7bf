package http

import (
	"net/http"

	"github.com/octoinvite/octoinvite"
)

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	user, err := s.Users.FindUserByID(r.Context(), octoinvite.UserFromContext(r.Context()).ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, linkUser(r, user))
	return nil
}

// requireSelfOr allows the caller to act on their own user, and needs the permission for others.
func requireSelfOr(r *http.Request, userID, permission string) error {
	if id, ok := octoinvite.ParseID(octoinvite.KindUser, userID); ok && id == octoinvite.UserFromContext(r.Context()).ID {
		return nil
	}
	return require(r, permission)
}

func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request) error {
	if err := requireSelfOr(r, r.PathValue("id"), octoinvite.PermissionUserView); err != nil {
		return err
	}
	user, err := s.Users.FindUserByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, linkUser(r, user))
	return nil
}

func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, octoinvite.PermissionUserView); err != nil {
		return err
	}
	q := queryOf(r)
	rng, err := q.pageRange()
	if err != nil {
		return err
	}
	filter := octoinvite.UserFilter{IDs: q.list("ids"), Filter: q.text("filter"), Range: rng}
	if err := q.err(); err != nil {
		return err
	}
	page, err := s.Users.FindUsers(r.Context(), filter)
	if err != nil {
		return err
	}
	for _, u := range page.Items {
		linkUser(r, u)
	}
	writeJSON(w, http.StatusOK, newCollection(r, "User", "/api/users", usersTemplate, rng, page))
	return nil
}

// handleUserSpaces answers a plain JSON array, as Octopus.Client expects of this route.
func (s *Server) handleUserSpaces(w http.ResponseWriter, r *http.Request) error {
	if err := requireSelfOr(r, r.PathValue("id"), octoinvite.PermissionUserView); err != nil {
		return err
	}
	spaces, err := s.Users.FindUserSpaces(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	for _, sp := range spaces {
		linkSpace(sp)
	}
	writeJSON(w, http.StatusOK, spaces)
	return nil
}
