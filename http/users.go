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
	return s.listUsers(w, r, false)
}

// handleListAllUsers answers every user the filters select as a plain JSON array, as Octopus's
// /all routes do.
func (s *Server) handleListAllUsers(w http.ResponseWriter, r *http.Request) error {
	return s.listUsers(w, r, true)
}

// listUsers answers the users the filters (ids, filter) select, to callers with UserView: a
// page of them, or every one as a plain array when all is set.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, all bool) error {
	if err := require(r, octoinvite.PermissionUserView); err != nil {
		return err
	}
	q := queryOf(r)
	rng, err := q.pageRange()
	if err != nil {
		return err
	} else if all {
		rng = octoinvite.Range{Take: octoinvite.MaxTake}
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
	if all {
		writeJSON(w, http.StatusOK, page.Items)
	} else {
		writeJSON(w, http.StatusOK, newCollection(r, "User", "/api/users", usersTemplate, rng, page))
	}
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

// userChange holds the fields of a user a client may change; a field left out of the body
// keeps its value. Password is Octopus's write-only field, with which an administrator sets
// another user's password.
type userChange struct {
	Username     *string `json:"Username"`
	DisplayName  *string `json:"DisplayName"`
	EmailAddress *string `json:"EmailAddress"`
	IsActive     *bool   `json:"IsActive"`
	Password     *string `json:"Password"`
}

// errOwnPasswordByPut refuses a change of one's own password through PUT /api/users/{id}, whose
// body has no field for the current password that such a change needs.
var errOwnPasswordByPut = octoinvite.InvalidFields(octoinvite.Problem{Field: "Password",
	Message: "To change your own password (Password), use PUT /api/users/{id}/password with your current password (CurrentPassword)."})

// handleUpdateUser changes a user (PUT /api/users/{id}) and answers 200 with it. Users change
// their own display name and email address; anything else needs what
// octoinvite.EditUserPermission says.
func (s *Server) handleUpdateUser(w http.ResponseWriter, r *http.Request) error {
	if err := requireSelfOr(r, r.PathValue("id"), octoinvite.PermissionUserEdit); err != nil {
		return err
	}
	var change userChange
	if err := s.decodeBody(w, r, &change); err != nil {
		return err
	}
	current, err := s.Users.FindUserByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	user := *current
	set(&user.Username, change.Username)
	set(&user.DisplayName, change.DisplayName)
	set(&user.EmailAddress, change.EmailAddress)
	set(&user.IsActive, change.IsActive)
	caller := octoinvite.UserFromContext(r.Context())
	if p := octoinvite.EditUserPermission(caller, current, &user); p != "" {
		if err := require(r, p); err != nil {
			return err
		}
	}
	var password *octoinvite.PasswordChange
	if change.Password != nil && *change.Password != "" {
		if current.ID == caller.ID {
			return errOwnPasswordByPut
		}
		if err := require(r, octoinvite.PermissionUserEdit); err != nil {
			return err
		}
		password = &octoinvite.PasswordChange{UserID: current.ID, Password: *change.Password, ServerNames: []string{s.Application}}
		if err := password.Validate(&user); err != nil {
			return err
		}
	}
	if err := s.Users.UpdateUser(r.Context(), &user); err != nil {
		return err
	}
	if password != nil {
		if err := s.Passwords.ChangePassword(r.Context(), password); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, linkUser(r, &user))
	return nil
}

// handleDeleteUser deletes a user (DELETE /api/users/{id}) and answers 200 with no body. It
// needs UserEdit.
func (s *Server) handleDeleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, octoinvite.PermissionUserEdit); err != nil {
		return err
	}
	if err := s.Users.DeleteUser(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	writeDeleted(w)
	return nil
}

// handleTeamMembership answers the teams a user belongs to (the caller when userId is absent),
// as a plain JSON array: those of the spaces named (every space without spaces), and the
// system teams unless includeSystem is false.
func (s *Server) handleTeamMembership(w http.ResponseWriter, r *http.Request) error {
	q := queryOf(r)
	includeSystem, err := q.boolean("includeSystem", true)
	if err != nil {
		return err
	}
	userID := q.text("userId")
	spaces := q.list("spaces")
	if err := q.err(); err != nil {
		return err
	}
	if userID == "" {
		userID = octoinvite.UserFromContext(r.Context()).ID
	}
	user, err := s.Users.FindUserByID(r.Context(), userID)
	if err != nil {
		return err
	}
	page, err := s.Teams.FindTeams(r.Context(), octoinvite.TeamFilter{MemberUserID: user.ID, SpaceIDs: spaces,
		IncludeSystem: includeSystem, Range: octoinvite.Range{Take: octoinvite.MaxTake}})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, linkTeams(page.Items))
	return nil
}

// UserPermissionSetResource is what a user may do, in the shape of Octopus's resource of that
// name: octoinvite's permissions are all system-wide, so SpacePermissions is empty.
type UserPermissionSetResource struct {
	ID                    string                `json:"Id"`
	SystemPermissions     []string              `json:"SystemPermissions"`
	SpacePermissions      map[string][]any      `json:"SpacePermissions"`
	Teams                 []ProjectedTeamMember `json:"Teams"`
	IsPermissionsComplete bool                  `json:"IsPermissionsComplete"`
	IsTeamsComplete       bool                  `json:"IsTeamsComplete"`
	Links                 octoinvite.Links      `json:"Links"`
}

// ProjectedTeamMember is a team of a user in a UserPermissionSetResource.
type ProjectedTeamMember struct {
	ID                     string  `json:"Id"`
	Name                   string  `json:"Name"`
	SpaceID                *string `json:"SpaceId"`
	ExternalSecurityGroups []any   `json:"ExternalSecurityGroups"`
	IsDirectlyAssigned     bool    `json:"IsDirectlyAssigned"`
}

// handleUserPermissions answers what the user may do (GET /api/users/{id}/permissions), to the
// user and to callers with UserView: the permissions User.Can grants, and the user's teams.
func (s *Server) handleUserPermissions(w http.ResponseWriter, r *http.Request) error {
	if err := requireSelfOr(r, r.PathValue("id"), octoinvite.PermissionUserView); err != nil {
		return err
	}
	user, err := s.Users.FindUserByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	page, err := s.Teams.FindTeams(r.Context(), octoinvite.TeamFilter{MemberUserID: user.ID, IncludeSystem: true,
		Range: octoinvite.Range{Take: octoinvite.MaxTake}})
	if err != nil {
		return err
	}
	set := UserPermissionSetResource{ID: user.ID, SystemPermissions: user.Permissions(), SpacePermissions: map[string][]any{},
		Teams: make([]ProjectedTeamMember, 0, len(page.Items)), IsPermissionsComplete: true, IsTeamsComplete: true,
		Links: octoinvite.Links{"Self": "/api/users/" + user.ID + "/permissions"}}
	if set.SystemPermissions == nil {
		set.SystemPermissions = []string{}
	}
	for _, t := range page.Items {
		set.Teams = append(set.Teams, ProjectedTeamMember{ID: t.ID, Name: t.Name, SpaceID: t.SpaceID, ExternalSecurityGroups: []any{}, IsDirectlyAssigned: true})
	}
	writeJSON(w, http.StatusOK, set)
	return nil
}
