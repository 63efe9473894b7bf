package client

import (
	"context"
	"iter"
	"slices"
	"strings"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.TeamService = (*Client)(nil)

// teamsLink returns the Teams link of the space's root document, or of the root document when
// spaceID is empty.
func (c *Client) teamsLink(ctx context.Context, spaceID string) (string, error) {
	if spaceID == "" {
		return c.rootLink(ctx, "Teams")
	}
	return c.spaceLink(ctx, spaceID, "Teams")
}

func (c *Client) teamsQuery(ctx context.Context, spaceID string, filter octoinvite.TeamFilter) (string, error) {
	link, err := c.teamsLink(ctx, spaceID)
	if err != nil {
		return "", err
	}
	vars := map[string]any{"ids": filter.IDs, "partialName": filter.PartialName, "includeSystem": filter.IncludeSystem}
	if spaceID == "" {
		vars["spaces"] = filter.SpaceIDs
	}
	return expand(link, rangeVars(filter.Range, vars))
}

// ListTeams returns the page of teams the filter selects, across spaces. IncludeSystem is always
// sent, so a zero filter selects the teams of every space but not the system teams. A zero Take
// asks for the server's default page size, 30.
func (c *Client) ListTeams(ctx context.Context, filter octoinvite.TeamFilter) (*Collection[*octoinvite.Team], error) {
	link, err := c.teamsQuery(ctx, "", filter)
	if err != nil {
		return nil, err
	}
	return list[*octoinvite.Team](ctx, c, link)
}

// ListTeamsInSpace returns the page of the space's teams the filter selects (filter.SpaceIDs is
// ignored), through the space's root document. An unknown space is an error matching ErrNotFound.
func (c *Client) ListTeamsInSpace(ctx context.Context, spaceID string, filter octoinvite.TeamFilter) (*Collection[*octoinvite.Team], error) {
	if err := requireID("space", spaceID); err != nil {
		return nil, err
	}
	link, err := c.teamsQuery(ctx, spaceID, filter)
	if err != nil {
		return nil, err
	}
	return list[*octoinvite.Team](ctx, c, link)
}

// FindTeams returns the page of teams the filter selects. It implements octoinvite.TeamService;
// ListTeams also returns the page's links.
func (c *Client) FindTeams(ctx context.Context, filter octoinvite.TeamFilter) (octoinvite.Page[*octoinvite.Team], error) {
	col, err := c.ListTeams(ctx, filter)
	if err != nil {
		return octoinvite.Page[*octoinvite.Team]{}, err
	}
	return col.Page(), nil
}

// AllTeams yields every team the filter selects, in the space if spaceID is not empty, page
// after page, and the first error, if any.
func (c *Client) AllTeams(ctx context.Context, spaceID string, filter octoinvite.TeamFilter) iter.Seq2[*octoinvite.Team, error] {
	link, err := c.teamsQuery(ctx, spaceID, filter)
	return all[*octoinvite.Team](ctx, c, link, err)
}

// FindTeamByID returns the team, or an error matching ErrNotFound.
func (c *Client) FindTeamByID(ctx context.Context, id string) (*octoinvite.Team, error) {
	return c.findTeam(ctx, "", id)
}

// FindTeamInSpace returns the team if it belongs to the space or is a system team; a team of
// another space, or an unknown space, is an error matching ErrNotFound.
func (c *Client) FindTeamInSpace(ctx context.Context, spaceID, id string) (*octoinvite.Team, error) {
	if err := requireID("space", spaceID); err != nil {
		return nil, err
	}
	return c.findTeam(ctx, spaceID, id)
}

func (c *Client) findTeam(ctx context.Context, spaceID, id string) (*octoinvite.Team, error) {
	if err := requireID("team", id); err != nil {
		return nil, err
	}
	link, err := c.teamsLink(ctx, spaceID)
	if err != nil {
		return nil, err
	}
	if link, err = itemLink(link, id); err != nil {
		return nil, err
	}
	return get[octoinvite.Team](ctx, c, link)
}

// CreateTeam creates the team and updates it with the server's answer. A team with a SpaceID is
// created through that space's root document, a system team (nil SpaceID) through the root
// document. An unknown space is an error matching ErrNotFound; a name taken in the space,
// ErrConflict; a missing name or an unknown member, ErrInvalid; a caller without the
// TeamCreate permission, ErrForbidden.
func (c *Client) CreateTeam(ctx context.Context, team *octoinvite.Team) error {
	spaceID := ""
	if team.SpaceID != nil {
		spaceID = *team.SpaceID
		if err := requireID("space", spaceID); err != nil {
			return err
		}
	}
	link, err := c.teamsLink(ctx, spaceID)
	if err != nil {
		return err
	}
	if link, err = expand(link, nil); err != nil {
		return err
	}
	return create(ctx, c, link, team)
}

// GetAllTeams returns every team, in one request to the /all route of the Teams link: across
// spaces, system teams included, when spaceID is empty; else the space's teams and the system
// teams, through the space's root document. An unknown space is an error matching ErrNotFound.
func (c *Client) GetAllTeams(ctx context.Context, spaceID string) ([]*octoinvite.Team, error) {
	link, err := c.teamsLink(ctx, spaceID)
	if err != nil {
		return nil, err
	}
	if link, err = itemLink(link, allID); err != nil {
		return nil, err
	}
	return getAll[*octoinvite.Team](ctx, c, link)
}

// FindTeamsByName returns the teams of that name, compared as the server compares names
// (octoinvite.FoldName: without regard to case, width or Unicode normal form), in the space
// (and the system teams) when spaceID is not empty, else in every space: the server filters by
// partialName and the client keeps exact matches. Names are unique within a space, so more than
// one team comes back only across spaces, or for a space team named like a system team.
func (c *Client) FindTeamsByName(ctx context.Context, spaceID, name string) ([]*octoinvite.Team, error) {
	var out []*octoinvite.Team
	key := octoinvite.FoldName(name)
	for team, err := range c.AllTeams(ctx, spaceID, octoinvite.TeamFilter{PartialName: name, IncludeSystem: true}) {
		if err != nil {
			return nil, err
		}
		if octoinvite.FoldName(team.Name) == key {
			out = append(out, team)
		}
	}
	return out, nil
}

// UpdateTeam puts the team at its Self link (or the Teams link's item of its ID) and updates it
// with the server's answer. The server changes the name, the description and the members
// (MemberUserIDs is the whole new list); the SpaceID must stay the team's. A caller without
// the TeamEdit permission gets an error matching ErrForbidden; an unknown team, ErrNotFound; a
// name taken in the space, ErrConflict; an unknown member, a built-in team renamed, or the
// last active administrator removed from the administrators team, ErrInvalid.
func (c *Client) UpdateTeam(ctx context.Context, team *octoinvite.Team) error {
	if err := requireID("team", team.ID); err != nil {
		return err
	}
	link, err := c.rootLink(ctx, "Teams")
	if err != nil {
		return err
	}
	if link, err = selfOr(team.Links, link, team.ID); err != nil {
		return err
	}
	return update(ctx, c, link, team)
}

// AddTeamMembers makes the users members of the team (reading it, then putting it with the
// users added, as Octopus's clients change teams) and returns the team as the server answered.
// Users already members stay; errors are those of UpdateTeam.
func (c *Client) AddTeamMembers(ctx context.Context, teamID string, userIDs ...string) (*octoinvite.Team, error) {
	return c.changeMembers(ctx, teamID, func(members []string) []string {
		for _, id := range userIDs {
			if !slices.ContainsFunc(members, func(m string) bool { return strings.EqualFold(m, id) }) {
				members = append(members, id)
			}
		}
		return members
	})
}

// RemoveTeamMembers takes the users out of the team and returns the team as the server
// answered. Users not members are ignored; errors are those of UpdateTeam.
func (c *Client) RemoveTeamMembers(ctx context.Context, teamID string, userIDs ...string) (*octoinvite.Team, error) {
	return c.changeMembers(ctx, teamID, func(members []string) []string {
		return slices.DeleteFunc(members, func(m string) bool {
			return slices.ContainsFunc(userIDs, func(id string) bool { return strings.EqualFold(m, id) })
		})
	})
}

func (c *Client) changeMembers(ctx context.Context, teamID string, change func([]string) []string) (*octoinvite.Team, error) {
	team, err := c.FindTeamByID(ctx, teamID)
	if err != nil {
		return nil, err
	}
	team.MemberUserIDs = change(slices.Clone(team.MemberUserIDs))
	if err := c.UpdateTeam(ctx, team); err != nil {
		return nil, err
	}
	return team, nil
}

// DeleteTeam deletes the team. Invitations that would add users to it keep their other teams.
// A built-in team is an error matching ErrInvalid; a caller without the TeamDelete permission,
// ErrForbidden; an unknown team, ErrNotFound.
func (c *Client) DeleteTeam(ctx context.Context, id string) error {
	if err := requireID("team", id); err != nil {
		return err
	}
	link, err := c.rootLink(ctx, "Teams")
	if err != nil {
		return err
	}
	if link, err = itemLink(link, id); err != nil {
		return err
	}
	return c.do(ctx, "DELETE", link, nil, nil)
}
