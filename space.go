package octoinvite

import (
	"context"
	"strings"
	"unicode"
)

// Space is a partition of an installation with its own teams and invitations.
type Space struct {
	ID                       string   `json:"Id"`
	Name                     string   `json:"Name"`
	Slug                     string   `json:"Slug"`
	Description              string   `json:"Description"`
	IsDefault                bool     `json:"IsDefault"`
	TaskQueueStopped         bool     `json:"TaskQueueStopped"`
	SpaceManagersTeams       []string `json:"SpaceManagersTeams"`
	SpaceManagersTeamMembers []string `json:"SpaceManagersTeamMembers"`
	Links                    Links    `json:"Links"`
}

// Limits on a space's text fields.
const (
	MaxNameLength        = 200
	MaxDescriptionLength = 2000
)

// The text fields of a space.
var (
	SpaceNameField        = TextField{Name: "Name", Noun: "space name", Wanted: "a name for the space", MaxLength: MaxNameLength, Required: true}
	SpaceDescriptionField = TextField{Name: "Description", Noun: "space description", MaxLength: MaxDescriptionLength, Multiline: true}
)

// Validate checks the fields a client may set and fills in the slug from the name when it is
// empty. It returns an EINVALID error listing every problem.
func (s *Space) Validate() error {
	var problems []Problem
	SpaceNameField.checkInto(&s.Name, &problems)
	SpaceDescriptionField.checkInto(&s.Description, &problems)
	if s.Slug == "" {
		s.Slug = Slugify(s.Name)
	} else if s.Slug != Slugify(s.Slug) {
		problems = append(problems, Problem{"Slug", "The slug (Slug) may hold only lower-case letters, digits and single hyphens."})
	}
	if len(problems) > 0 {
		return InvalidFields(problems...)
	}
	return nil
}

// Slugify turns a name into the lower-case, hyphenated form Octopus uses in URLs.
func Slugify(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			hyphen = false
		} else {
			hyphen = true
		}
	}
	return b.String()
}

// SpaceFilter selects spaces. Empty fields select everything.
type SpaceFilter struct {
	IDs []string
	// Name selects the spaces of that name, compared by FoldName (without regard to case,
	// width or Unicode normal form): one, or several that were stored before names were
	// compared so (see docs/api.md).
	Name string
	// PartialName selects the spaces whose name's folded form (FoldName) contains its folded
	// form.
	PartialName string
	Range
}

// SpaceService reads, creates, changes and deletes spaces.
type SpaceService interface {
	// FindSpaceByID returns the space, or ENOTFOUND.
	FindSpaceByID(ctx context.Context, id string) (*Space, error)
	// FindSpaces returns a page of spaces in ID order.
	FindSpaces(ctx context.Context, filter SpaceFilter) (Page[*Space], error)
	// FindDefaultSpace returns the installation's default space, or ErrNoDefaultSpace when
	// no space is the default.
	FindDefaultSpace(ctx context.Context) (*Space, error)
	// CreateSpace validates the space, gives it an ID and stores it. A taken name or slug is
	// ECONFLICT; unknown space managers are EINVALID. A space created as the default takes
	// that role from the previous default.
	CreateSpace(ctx context.Context, space *Space) error
	// UpdateSpace validates the space and stores its name, slug, description, default role,
	// task queue state and managers in place of those of the space with its ID. An unknown
	// space is ENOTFOUND; a name or slug another space holds, ECONFLICT; unknown managers,
	// EINVALID. A space made the default takes that role from the previous default; the
	// default space made not the default leaves the installation without one.
	UpdateSpace(ctx context.Context, space *Space) error
	// DeleteSpace deletes the space with its teams and every invitation of the space, whatever
	// its state, so that no code of the space can be redeemed any more. A space whose task
	// queue runs is ErrSpaceTaskQueueRunning; an unknown space, ENOTFOUND.
	DeleteSpace(ctx context.Context, id string) error
}

// Errors of spaces.
var (
	// ErrNoDefaultSpace answers a request that needs the default space when no space is the
	// default.
	ErrNoDefaultSpace = Errorf(ENOTFOUND, "There is no default space: name the space in the address, such as /api/Spaces-1/..., or make a space the default.")
	// ErrSpaceTaskQueueRunning refuses to delete a space whose task queue has not been stopped,
	// as Octopus does.
	ErrSpaceTaskQueueRunning = Invalid("The task queue of the space must be stopped (TaskQueueStopped) before the space can be deleted.")
)
