package web

import (
	"net/http"
	"slices"

	"github.com/octoinvite/octoinvite"
)

// profilePage is the data of /app/users/me: who the user is, their teams, their password and
// their sessions.
type profilePage struct {
	base
	Teams    []teamInSpace
	Sessions []*octoinvite.Session
	// Current is the ID of the session of this request.
	Current  string
	Problems []string
	Fields   struct{ CurrentPassword, Password *field }
	// DetailsProblems and Details are the form of the user's display name and email address.
	DetailsProblems []string
	Details         struct{ DisplayName, EmailAddress *field }
}

// teamInSpace is a team with the name of its space ("" for a system team).
type teamInSpace struct {
	Team  *octoinvite.Team
	Space string
}

func (h *Handler) newProfile(p *page) (*profilePage, error) {
	data := &profilePage{base: p.base("Your profile"), Current: p.session.ID}
	data.Fields.CurrentPassword = &field{ID: "current-password", Name: "current_password", Label: "Current password", Type: "password",
		Autocomplete: "current-password", Required: true}
	data.Fields.Password = &field{ID: "new-password", Name: "password", Label: "New password", Type: "password", Autocomplete: "new-password",
		Required: true, Hint: "At least 12 characters; a few unrelated words make a good one. Your other sessions end when you change it."}
	data.Details.DisplayName = &field{ID: "display-name", Name: "display_name", Label: "Display name", Type: "text", Autocomplete: "name",
		Required: true, Value: p.user.DisplayName, Hint: "How others see you, such as your full name."}
	data.Details.EmailAddress = &field{ID: "email", Name: "email", Label: "Email address", Type: "email", Autocomplete: "email",
		Value: p.user.EmailAddress}
	ctx := p.r.Context()
	sessions, err := h.cfg.Sessions.FindSessions(ctx, p.user.ID)
	if err != nil {
		return nil, err
	}
	data.Sessions = sessions
	teams, err := h.memberTeams(p, p.user.ID)
	if err != nil {
		return nil, err
	}
	data.Teams = teams
	return data, nil
}

// memberTeams returns the teams the user is a member of, with their spaces' names.
func (h *Handler) memberTeams(p *page, userID string) ([]teamInSpace, error) {
	ctx := p.r.Context()
	teams, err := h.cfg.Teams.FindTeams(ctx, octoinvite.TeamFilter{MemberUserID: userID, IncludeSystem: true, Range: octoinvite.Range{Take: octoinvite.MaxTake}})
	if err != nil {
		return nil, err
	}
	names, err := h.spaceNames(p)
	if err != nil {
		return nil, err
	}
	out := make([]teamInSpace, 0, len(teams.Items))
	for _, t := range teams.Items {
		out = append(out, teamInSpace{Team: t, Space: spaceName(names, t.SpaceID)})
	}
	return out, nil
}

// spaceNames returns the name of every space by ID.
func (h *Handler) spaceNames(p *page) (map[string]string, error) {
	spaces, err := h.cfg.Spaces.FindSpaces(p.r.Context(), octoinvite.SpaceFilter{Range: octoinvite.Range{Take: octoinvite.MaxTake}})
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(spaces.Items))
	for _, s := range spaces.Items {
		names[s.ID] = s.Name
	}
	return names, nil
}

// spaceName returns the name of the space of id, "" for none.
func spaceName(names map[string]string, id *string) string {
	if id == nil {
		return ""
	}
	return names[*id]
}

// profile shows the signed-in user's profile.
func (h *Handler) profile(p *page) error {
	data, err := h.newProfile(p)
	if err != nil {
		return err
	}
	p.render(http.StatusOK, "profile", data)
	return nil
}

// changeDetails stores the user's display name and email address, which users change freely.
func (h *Handler) changeDetails(p *page) error {
	user := *p.user
	user.DisplayName, user.EmailAddress = p.r.PostForm.Get("display_name"), p.r.PostForm.Get("email")
	if perm := octoinvite.EditUserPermission(p.user, p.user, &user); perm != "" && !p.user.Can(perm) {
		return octoinvite.Errorf(octoinvite.EFORBIDDEN, "You may not change this.")
	}
	err := h.cfg.Users.UpdateUser(p.r.Context(), &user)
	if octoinvite.ErrorCode(err) == octoinvite.EINVALID {
		data, ferr := h.newProfile(p)
		if ferr != nil {
			return ferr
		}
		data.Details.DisplayName.Value, data.Details.EmailAddress.Value = user.DisplayName, user.EmailAddress
		data.DetailsProblems = formProblems(err, map[string]*field{"DisplayName": data.Details.DisplayName, "EmailAddress": data.Details.EmailAddress})
		p.render(http.StatusBadRequest, "profile", data)
		return nil
	} else if err != nil {
		return err
	}
	p.setNotice(notice{Kind: "success", Text: "Your details were saved."})
	p.redirect(profilePath)
	return nil
}

// changePassword sets the user's password, given their current one; their other sessions end.
// A wrong current password counts as a failed sign-in of the address.
func (h *Handler) changePassword(p *page) error {
	change := &octoinvite.PasswordChange{UserID: p.user.ID, Password: p.r.PostForm.Get("password"),
		CurrentPassword: p.r.PostForm.Get("current_password"), RequireCurrent: true,
		ServerNames: []string{h.cfg.Application, h.cfg.InstanceName}, KeepSessionID: p.session.ID}
	end, err := h.cfg.Accounts.PageAttempt(p.w, p.r)
	if err != nil {
		return err
	}
	err = h.cfg.Passwords.ChangePassword(p.r.Context(), change)
	end(isCurrentPasswordProblem(err))
	if octoinvite.ErrorCode(err) == octoinvite.EINVALID {
		data, ferr := h.newProfile(p)
		if ferr != nil {
			return ferr
		}
		data.Problems = formProblems(err, map[string]*field{"CurrentPassword": data.Fields.CurrentPassword, "Password": data.Fields.Password})
		p.render(http.StatusBadRequest, "profile", data)
		return nil
	} else if err != nil {
		return err
	}
	p.setNotice(notice{Kind: "success", Text: "Your password was changed. Every other session of yours has ended."})
	p.redirect(profilePath)
	return nil
}

// isCurrentPasswordProblem reports whether err refuses the current password of a change.
func isCurrentPasswordProblem(err error) bool {
	for _, problem := range octoinvite.ErrorProblems(err) {
		if problem.Field == "CurrentPassword" {
			return true
		}
	}
	return false
}

// confirmPage is the data of a page that asks to confirm an action that cannot be undone.
type confirmPage struct {
	base
	// Question, Details and Action say what the form will do; Cancel is where to go instead.
	Question, Details, Action, Button, Cancel string
	// Fields are hidden fields the form sends, by name; Lifetimes, when set, are the choices
	// of a lifetime the form asks for.
	Fields    map[string]string
	Lifetimes []option
	// Danger marks the action as one that removes or withdraws something.
	Danger bool
}

// userSession returns the signed-in user's live session of the path's ID, or ENOTFOUND.
func (h *Handler) userSession(p *page) (*octoinvite.Session, error) {
	sessions, err := h.cfg.Sessions.FindSessions(p.r.Context(), p.user.ID)
	if err != nil {
		return nil, err
	}
	id := p.r.PathValue("id")
	for _, s := range sessions {
		if s.ID == id {
			return s, nil
		}
	}
	return nil, octoinvite.Errorf(octoinvite.ENOTFOUND, "This session has ended already, or is not one of yours.")
}

// endSessionForm asks to confirm ending one of the user's sessions.
func (h *Handler) endSessionForm(p *page) error {
	s, err := h.userSession(p)
	if err != nil {
		return err
	}
	data := confirmPage{base: p.base("End a session"), Action: p.r.URL.Path, Button: "End this session", Cancel: profilePath, Danger: true,
		Question: "End the session of " + browserName(s.UserAgent) + ", from " + orUnknown(s.IPAddress) + "?",
		Details:  "Whoever uses it will have to sign in again."}
	if s.ID == p.session.ID {
		data.Question, data.Button = "End this session, which you are using now?", "End it and sign out"
		data.Details = "You will have to sign in again."
	}
	p.render(http.StatusOK, "confirm", data)
	return nil
}

// orUnknown returns s, or words for an unknown address.
func orUnknown(s string) string {
	if s == "" {
		return "an unknown address"
	}
	return s
}

// endSession ends one of the user's sessions; ending the current one signs out.
func (h *Handler) endSession(p *page) error {
	id := p.r.PathValue("id")
	if id == p.session.ID {
		if err := h.cfg.Accounts.EndSession(p.w, p.r); err != nil {
			return err
		}
		p.redirect(signInPath + "?signedOut=1")
		return nil
	}
	if err := h.cfg.Sessions.DeleteUserSession(p.r.Context(), p.user.ID, id); err != nil {
		return err
	}
	p.setNotice(notice{Kind: "success", Text: "The session has ended."})
	p.redirect(profilePath)
	return nil
}

// apiKeysPage is the data of /app/users/me/apikeys: the user's keys, the form of a new one, and
// a key just created, shown this once.
type apiKeysPage struct {
	base
	Keys     []*octoinvite.APIKey
	Created  *octoinvite.APIKey
	Problems []string
	Fields   struct{ Purpose *field }
	// APIURL is the server's address, for the example of using a key.
	APIURL string
}

func (h *Handler) newAPIKeys(p *page) (*apiKeysPage, error) {
	data := &apiKeysPage{base: p.base("Your API keys"), APIURL: h.cfg.Accounts.BaseURL(p.r)}
	data.Fields.Purpose = &field{ID: "purpose", Name: "purpose", Label: "Purpose", Type: "text", Required: true,
		Hint: "What the key is for, such as the tool or machine that will use it."}
	keys, err := h.cfg.APIKeys.FindAPIKeys(p.r.Context(), p.user.ID, octoinvite.Range{Take: octoinvite.MaxTake})
	if err != nil {
		return nil, err
	}
	data.Keys = keys.Items
	slices.Reverse(data.Keys) // newest first
	return data, nil
}

// apiKeys lists the user's API keys.
func (h *Handler) apiKeys(p *page) error {
	data, err := h.newAPIKeys(p)
	if err != nil {
		return err
	}
	p.render(http.StatusOK, "apikeys", data)
	return nil
}

// createAPIKey creates a key and shows it, this once: it is not stored, so the page that shows
// it is the answer to the form itself, never a page the browser could open again.
func (h *Handler) createAPIKey(p *page) error {
	key, err := h.cfg.APIKeys.CreateAPIKey(p.r.Context(), p.user.ID, p.r.PostForm.Get("purpose"))
	data, ferr := h.newAPIKeys(p)
	if ferr != nil {
		return ferr
	}
	if octoinvite.ErrorCode(err) == octoinvite.EINVALID {
		data.Fields.Purpose.Value = p.r.PostForm.Get("purpose")
		data.Problems = formProblems(err, map[string]*field{"Purpose": data.Fields.Purpose})
		p.render(http.StatusBadRequest, "apikeys", data)
		return nil
	} else if err != nil {
		return err
	}
	data.Created = key
	p.render(http.StatusCreated, "apikeys", data)
	return nil
}

// userKey returns the signed-in user's unrevoked key of the path's ID, or ENOTFOUND.
func (h *Handler) userKey(p *page) (*octoinvite.APIKey, error) {
	key, err := h.cfg.APIKeys.FindAPIKeyByID(p.r.Context(), p.user.ID, p.r.PathValue("id"))
	if octoinvite.ErrorCode(err) == octoinvite.ENOTFOUND {
		return nil, octoinvite.Errorf(octoinvite.ENOTFOUND, "This API key has been revoked already, or is not one of yours.")
	}
	return key, err
}

// revokeAPIKeyForm asks to confirm revoking one of the user's keys.
func (h *Handler) revokeAPIKeyForm(p *page) error {
	key, err := h.userKey(p)
	if err != nil {
		return err
	}
	p.render(http.StatusOK, "confirm", confirmPage{base: p.base("Revoke an API key"), Action: p.r.URL.Path,
		Button: "Revoke the key", Cancel: apiKeysPath, Danger: true,
		Question: "Revoke the API key “" + key.Purpose + "” (" + key.ID + ")?",
		Details:  "It stops working at once: every tool that uses it will be refused. This cannot be undone."})
	return nil
}

// apiKeysPath is the page of the user's API keys.
const apiKeysPath = "/app/users/me/apikeys"

// revokeAPIKey revokes one of the user's keys.
func (h *Handler) revokeAPIKey(p *page) error {
	key, err := h.userKey(p)
	if err != nil {
		return err
	}
	// A key revoked meanwhile, in another tab, is revoked all the same.
	if err := h.cfg.APIKeys.RevokeAPIKey(p.r.Context(), p.user.ID, key.ID); err != nil && octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
		return err
	}
	p.setNotice(notice{Kind: "success", Text: "The API key “" + key.Purpose + "” was revoked: it no longer works."})
	p.redirect(apiKeysPath)
	return nil
}
