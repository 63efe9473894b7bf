package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/octoinvite/octoinvite"
)

// registerPage is the data of the page an invitation link opens: what the invitation offers,
// and the forms to take it up: a new account, or an existing one.
type registerPage struct {
	base
	Preview *octoinvite.InvitationPreview
	Code    string
	// UsesLeft is how many more times the invitation can be used.
	UsesLeft int
	// Problems summarise what a refused registration got wrong; JoinProblems what a refused
	// sign-in to join did.
	Problems     []string
	JoinProblems []string
	Fields       struct{ Username, DisplayName, EmailAddress, Password *field }
	JoinFields   struct{ Username, Password *field }
	// ToJoin and Joined split the invitation's teams, for a signed-in user, into those they
	// would join and those they are a member of already.
	ToJoin, Joined []string
}

func (h *Handler) newRegisterPage(p *page, preview *octoinvite.InvitationPreview, code string) *registerPage {
	title := "Create your account"
	if p.user != nil {
		title = "Join with your account"
	}
	data := &registerPage{base: p.base(title), Preview: preview, Code: code,
		UsesLeft: preview.Invitation.MaxUses - preview.Invitation.Uses}
	data.Fields.Username = &field{ID: "username", Name: "username", Label: "Username", Type: "text", Autocomplete: "username", Required: true,
		Hint: "You sign in with it. At most 64 characters."}
	data.Fields.DisplayName = &field{ID: "display-name", Name: "display_name", Label: "Display name", Type: "text", Autocomplete: "name", Required: true,
		Hint: "How others see you, such as your full name."}
	data.Fields.EmailAddress = &field{ID: "email", Name: "email", Label: "Email address", Type: "email", Autocomplete: "email"}
	if address := preview.Invitation.EmailAddress; address != "" {
		// An invitation sent to an address registers that address.
		data.Fields.EmailAddress.Value, data.Fields.EmailAddress.Required, data.Fields.EmailAddress.ReadOnly = address, true, true
		data.Fields.EmailAddress.Hint = "The invitation was sent to this address: your account uses it."
	}
	data.Fields.Password = &field{ID: "password", Name: "password", Label: "Password", Type: "password", Autocomplete: "new-password", Required: true,
		Hint: "At least 12 characters; a few unrelated words make a good one."}
	data.JoinFields.Username = &field{ID: "join-username", Name: "username", Label: "Username", Type: "text", Autocomplete: "username", Required: true}
	data.JoinFields.Password = &field{ID: "join-password", Name: "password", Label: "Password", Type: "password", Autocomplete: "current-password", Required: true}
	return data
}

// previewCode shows what the invitation of code offers, within the budget of the client's
// address: a code that cannot be used counts as a failed attempt. It writes the page of a code
// that cannot be used itself, and then returns nil and false.
func (h *Handler) previewCode(p *page, code string) (*octoinvite.InvitationPreview, bool, error) {
	end, err := h.cfg.Accounts.PageAttempt(p.w, p.r)
	if err != nil {
		return nil, false, err
	}
	preview, err := h.cfg.Registrations.PreviewInvitation(p.r.Context(), code)
	end(octoinvite.IsInvitationCodeError(err))
	if err != nil {
		return nil, false, p.codeProblem(err)
	}
	return preview, true, nil
}

// registerForm shows what the invitation offers: to someone signed out, the form of a new
// account and the way to join with an existing one; to someone signed in, the teams they would
// join with their account.
func (h *Handler) registerForm(p *page) error {
	code := p.r.URL.Query().Get("invitation")
	preview, ok, err := h.previewCode(p, code)
	if !ok {
		return err
	}
	data := h.newRegisterPage(p, preview, code)
	if err := h.splitTeams(p, data); err != nil {
		return err
	}
	p.render(http.StatusOK, "register", data)
	return nil
}

// splitTeams fills in, for a signed-in user, which of the invitation's teams they would join.
func (h *Handler) splitTeams(p *page, data *registerPage) error {
	if p.user == nil {
		return nil
	}
	teams, err := h.cfg.Teams.FindTeams(p.r.Context(), octoinvite.TeamFilter{IDs: data.Preview.TeamIDs, IncludeSystem: true,
		Range: octoinvite.Range{Take: octoinvite.MaxInvitationTeams}})
	if err != nil {
		return err
	}
	member := map[string]bool{}
	for _, t := range teams.Items {
		member[t.ID] = slices.Contains(t.MemberUserIDs, p.user.ID)
	}
	for i, id := range data.Preview.TeamIDs {
		if member[id] {
			data.Joined = append(data.Joined, data.Preview.TeamNames[i])
		} else {
			data.ToJoin = append(data.ToJoin, data.Preview.TeamNames[i])
		}
	}
	return nil
}

// register creates the account with the invitation's code, signs the new user in, and leads
// them to their profile, which says once what they joined.
func (h *Handler) register(p *page) error {
	code := p.r.PostForm.Get("invitation")
	preview, ok, err := h.previewCode(p, code)
	if !ok {
		return err
	}
	reg := &octoinvite.Registration{
		Username:       p.r.PostForm.Get("username"),
		DisplayName:    p.r.PostForm.Get("display_name"),
		EmailAddress:   p.r.PostForm.Get("email"),
		Password:       p.r.PostForm.Get("password"),
		InvitationCode: code,
		ServerNames:    []string{h.cfg.Application, h.cfg.InstanceName},
	}
	end, err := h.cfg.Accounts.PageAttempt(p.w, p.r)
	if err != nil {
		return err
	}
	ctx := octoinvite.NewContextWithIdentity(p.r.Context(), octoinvite.IdentityInvitation)
	user, err := h.cfg.Registrations.Register(ctx, reg)
	errCode := octoinvite.ErrorCode(err)
	end(errCode == octoinvite.EINVALID || errCode == octoinvite.ECONFLICT)
	if octoinvite.IsInvitationCodeError(err) {
		return p.codeProblem(err)
	} else if errCode == octoinvite.EINVALID && len(octoinvite.ErrorProblems(err)) > 0 {
		data := h.newRegisterPage(p, preview, code)
		data.Fields.Username.Value = reg.Username
		data.Fields.DisplayName.Value = reg.DisplayName
		if !data.Fields.EmailAddress.ReadOnly {
			data.Fields.EmailAddress.Value = reg.EmailAddress
		}
		data.Problems = formProblems(err, map[string]*field{"Username": data.Fields.Username, "DisplayName": data.Fields.DisplayName,
			"EmailAddress": data.Fields.EmailAddress, "Password": data.Fields.Password})
		p.render(http.StatusBadRequest, "register", data)
		return nil
	} else if err != nil {
		return err
	}
	if err := h.cfg.Accounts.StartSession(p.w, p.r, user.ID); err != nil {
		return err
	}
	n := notice{Kind: "success", Text: "Welcome, " + user.DisplayName + ". Your account " + user.Username + " is ready."}
	if len(preview.TeamNames) > 0 {
		n.Text += " You are now a member of " + plural(len(preview.TeamNames), "team", "teams") + inSpace(preview) + ":"
		n.List = preview.TeamNames
	}
	p.setNotice(n)
	p.redirect(profilePath)
	return nil
}

// inSpace returns " in the space Name" for an invitation of a space, "" otherwise.
func inSpace(preview *octoinvite.InvitationPreview) string {
	if preview.SpaceName == "" {
		return ""
	}
	return " in the space " + preview.SpaceName
}

// join accepts the invitation with an existing account: the signed-in user's, or the one whose
// username and password the form gives, which it signs in with first. The code is used exactly
// as a registration uses it.
func (h *Handler) join(p *page) error {
	code := p.r.PostForm.Get("invitation")
	preview, ok, err := h.previewCode(p, code)
	if !ok {
		return err
	}
	if p.user == nil {
		username := p.r.PostForm.Get("username")
		user, r, err := h.cfg.Accounts.SignIn(p.w, p.r, username, p.r.PostForm.Get("password"))
		if errCode := octoinvite.ErrorCode(err); errCode == octoinvite.EUNAUTHORIZED || errCode == octoinvite.ETOOMANYREQUESTS {
			data := h.newRegisterPage(p, preview, code)
			data.JoinFields.Username.Value = username
			data.JoinProblems = []string{"The username or password is not correct."}
			if errCode == octoinvite.ETOOMANYREQUESTS {
				data.JoinProblems = []string{octoinvite.ErrorMessage(err)}
			}
			p.render(statusOf(err), "register", data)
			return nil
		} else if err != nil {
			return err
		}
		p.r, p.user = r, user
	}
	end, err := h.cfg.Accounts.PageAttempt(p.w, p.r)
	if err != nil {
		return err
	}
	acceptance, err := h.cfg.Registrations.AcceptInvitation(p.r.Context(), p.user.ID, code)
	end(octoinvite.IsInvitationCodeError(err))
	switch {
	case errors.Is(err, octoinvite.ErrNothingToJoin):
		p.setNotice(notice{Kind: "problem", Text: "You are already a member of every team this invitation adds, so it was not used: someone else can use it."})
		p.redirect(profilePath)
		return nil
	case octoinvite.IsInvitationCodeError(err):
		return p.codeProblem(err)
	case octoinvite.ErrorCode(err) == octoinvite.EINVALID:
		// Such as an invitation sent to another address than the account's.
		p.setNotice(notice{Kind: "problem", Text: strings.Join(formProblems(err, nil), " ")})
		p.redirect(profilePath)
		return nil
	case err != nil:
		return err
	}
	var names []string
	for _, id := range acceptance.AddedToTeamIDs {
		if i := slices.Index(preview.TeamIDs, id); i >= 0 {
			names = append(names, preview.TeamNames[i])
		}
	}
	p.setNotice(notice{Kind: "success", Text: "You joined " + plural(len(names), "team", "teams") + inSpace(preview) + ":", List: names})
	p.redirect(profilePath)
	return nil
}

// codeProblem shows the page for an invitation code that cannot be used: 404 for an unknown
// code, 410 for an expired, withdrawn or used one; any other error is returned.
func (p *page) codeProblem(err error) error {
	const ask = "Ask the person who invited you to send you a new invitation."
	const title = "This invitation cannot be used"
	lower := strings.ToLower(ask[:1]) + ask[1:]
	switch {
	case errors.Is(err, octoinvite.ErrInvitationUnknown):
		p.problem(http.StatusNotFound, title, "This invitation link is not valid.", "Check that you opened the whole link from your invitation. "+ask)
	case errors.Is(err, octoinvite.ErrInvitationExpired):
		p.problem(http.StatusGone, title, "This invitation has expired.", "Invitations can only be used for a limited time. "+ask)
	case errors.Is(err, octoinvite.ErrInvitationRevoked):
		p.problem(http.StatusGone, title, "This invitation has been withdrawn.", "The person who invited you, or another administrator, cancelled it, so it can no longer be used to create an account. If you still need an account, "+lower)
	case errors.Is(err, octoinvite.ErrInvitationUsed):
		p.problem(http.StatusGone, title, "This invitation has already been used.", "It has been used as many times as it allows. If you created your account already, sign in with it; otherwise, "+lower)
	default:
		return err
	}
	return nil
}
