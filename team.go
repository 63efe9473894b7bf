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
	IDs           []string
	PartialName   string
	SpaceIDs      []string
	IncludeSystem bool
	Range
}

// TeamService reads and creates teams.
type TeamService interface {
	// FindTeamByID returns the team, or ENOTFOUND.
	FindTeamByID(ctx context.Context, id string) (*Team, error)
	// FindTeams returns a page of teams, system teams first, then in ID order.
	FindTeams(ctx context.Context, filter TeamFilter) (Page[*Team], error)
	// CreateTeam validates the team, gives it an ID and stores it with its members. An unknown
	// space is ENOTFOUND; an unknown member is EINVALID; a name taken in the space is ECONFLICT.
	CreateTeam(ctx context.Context, team *Team) error
}
