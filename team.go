package octoinvite

import "context"

// Team groups users within a space, or across the installation when SpaceID is nil (a system
// team). Invited users join the invitation's teams.
type Team struct {
	ID                     string   `json:"Id"`
	Name                   string   `json:"Name"`
	Description            string   `json:"Description"`
	MemberUserIDs          []string `json:"MemberUserIds"`
	ExternalSecurityGroups []any    `json:"ExternalSecurityGroups"`
	CanBeDeleted           bool     `json:"CanBeDeleted"`
	CanBeRenamed           bool     `json:"CanBeRenamed"`
	CanChangeRoles         bool     `json:"CanChangeRoles"`
	CanChangeMembers       bool     `json:"CanChangeMembers"`
	SpaceID                *string  `json:"SpaceId"`
	Links                  Links    `json:"Links"`
}

// IsSystem reports whether the team belongs to no space.
func (t *Team) IsSystem() bool { return t.SpaceID == nil }

// The text fields of a team.
var (
	TeamNameField        = TextField{Name: "Name", Noun: "team name", Wanted: "a name for the team", MaxLength: MaxNameLength, Required: true}
	TeamDescriptionField = TextField{Name: "Description", Noun: "team description", MaxLength: MaxDescriptionLength, Multiline: true}
)

// Validate checks the fields a client may set. It returns an EINVALID error listing every problem.
func (t *Team) Validate() error {
	var problems []Problem
	TeamNameField.checkInto(&t.Name, &problems)
	TeamDescriptionField.checkInto(&t.Description, &problems)
	if len(problems) > 0 {
		return InvalidFields(problems...)
	}
	return nil
}

// TeamFilter selects teams. Empty fields select everything; SpaceIDs selects the teams of those
// spaces, plus the system teams when IncludeSystem is set.
type TeamFilter struct {
	IDs []string
	// PartialName selects the teams whose name's folded form (FoldName) contains its folded
	// form.
	PartialName   string
	SpaceIDs      []string
	IncludeSystem bool
	// MemberUserID, when set, selects the teams that user belongs to.
	MemberUserID string
	Range
}

// TeamService reads, creates, changes and deletes teams.
type TeamService interface {
	// FindTeamByID returns the team, or ENOTFOUND.
	FindTeamByID(ctx context.Context, id string) (*Team, error)
	// FindTeams returns a page of teams, system teams first, then in ID order.
	FindTeams(ctx context.Context, filter TeamFilter) (Page[*Team], error)
	// CreateTeam validates the team, gives it an ID and stores it with its members. An unknown
	// space is ENOTFOUND; an unknown member is EINVALID; a name taken in the space is ECONFLICT.
	CreateTeam(ctx context.Context, team *Team) error
	// UpdateTeam validates the team and stores its name, description and members in place of
	// those of the team with its ID, and returns it as stored in team. An unknown team is
	// ENOTFOUND; a SpaceID other than the team's, an unknown member, renaming a team that
	// cannot be renamed or changing the members of one whose members cannot change are
	// EINVALID; a name taken in the space, ECONFLICT; leaving the administrators team without
	// an active member, ErrLastAdministrator.
	UpdateTeam(ctx context.Context, team *Team) error
	// DeleteTeam deletes the team and its memberships. Invitations that would add users to it
	// keep their other teams and remember the deleted one (see InvitationPreview). A built-in
	// team is ErrTeamBuiltIn; an unknown team, ENOTFOUND.
	DeleteTeam(ctx context.Context, id string) error
}

// Errors of teams.
var (
	// ErrTeamBuiltIn refuses to delete a built-in team (Everyone, Octopus Administrators), as
	// Octopus does.
	ErrTeamBuiltIn = Invalid("The team is a built-in team and cannot be deleted.")
	// ErrTeamMoved refuses to move a team to another space.
	ErrTeamMoved = Invalid("A team cannot move to another space (SpaceId); create a team in the other space instead.")
	// ErrLastAdministrator refuses a change that would leave no active member in the
	// administrators team: nobody could administer the installation any more.
	ErrLastAdministrator = Invalid("The change would leave the team Octopus Administrators (teams-administrators) without an active member: nobody could administer the installation. Make another user an administrator first.")
)
