package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
)

// resolver finds the spaces, teams and users a command line names, by ID or by name, as
// Octopus's CLI does: the argument is tried as an ID first, then as an exact name, compared
// as the server compares names (octoinvite.FoldName; a username as the server compares
// usernames). A name that matches
// several resources is a usage error listing them; one that matches none is an error matching
// client.ErrNotFound that says what was looked for.
type resolver struct {
	ctx context.Context
	c   *client.Client
}

// clientAnd returns a client configured from o's flags and the resource that arg names, as find
// reads it: the beginning of every command that works on one space, team or user.
func clientAnd[T any](cmd *cobra.Command, o *apiOptions, arg string, find func(resolver, string) (T, error)) (*client.Client, T, error) {
	var zero T
	c, err := o.client(cmd)
	if err != nil {
		return nil, zero, err
	}
	found, err := find(resolver{cmd.Context(), c}, arg)
	if err != nil {
		return nil, zero, err
	}
	return c, found, nil
}

// space returns the space with the ID or name arg.
func (r resolver) space(arg string) (*octoinvite.Space, error) {
	return resolve(arg, "space", "", func(id string) (*octoinvite.Space, error) {
		return r.c.FindSpaceByID(r.ctx, id)
	}, func(name string) ([]*octoinvite.Space, error) {
		return oneOrNone(r.c.FindSpaceByName(r.ctx, name))
	}, func(s *octoinvite.Space) string { return s.Name + " (" + s.ID + ")" })
}

// spaceID returns the ID of the space named by arg, or "" when arg is empty (no --space).
func (r resolver) spaceID(arg string) (string, error) {
	if arg == "" {
		return "", nil
	}
	s, err := r.space(arg)
	if err != nil {
		return "", err
	}
	return s.ID, nil
}

// team returns the team with the ID or name arg: with a space (spaceID not empty), one of its
// teams or a system team; otherwise a team of any space or a system team. The ID of a team of
// another space is refused saying which space it belongs to.
func (r resolver) team(spaceID, arg string) (*octoinvite.Team, error) {
	team, err := r.teamOf(spaceID, arg)
	if spaceID != "" && errors.Is(err, client.ErrNotFound) {
		if other, otherErr := r.c.FindTeamByID(r.ctx, arg); otherErr == nil {
			msg := fmt.Sprintf("the team '%s' (%s) belongs to the space %s, not to the space %s", other.ID, other.Name, spaceOf(other.SpaceID), spaceID)
			return nil, &cliError{msg: printable(msg), err: client.ErrInvalid}
		}
	}
	return team, err
}

func (r resolver) teamOf(spaceID, arg string) (*octoinvite.Team, error) {
	where := ""
	if spaceID != "" {
		where = " in the space " + spaceID + " or among the system teams"
	}
	return resolve(arg, "team", where, func(id string) (*octoinvite.Team, error) {
		if spaceID != "" {
			return r.c.FindTeamInSpace(r.ctx, spaceID, id)
		}
		return r.c.FindTeamByID(r.ctx, id)
	}, func(name string) ([]*octoinvite.Team, error) {
		return r.c.FindTeamsByName(r.ctx, spaceID, name)
	}, func(t *octoinvite.Team) string { return t.Name + " (" + t.ID + ", " + spaceOf(t.SpaceID) + ")" })
}

// teamIn returns a function that finds a team, as team does, in the space spaceArg names (by ID
// or name), or in every space when spaceArg is empty.
func teamIn(spaceArg string) func(resolver, string) (*octoinvite.Team, error) {
	return func(r resolver, arg string) (*octoinvite.Team, error) {
		spaceID, err := r.spaceID(spaceArg)
		if err != nil {
			return nil, err
		}
		return r.team(spaceID, arg)
	}
}

// teamIDs returns the IDs of the teams args name, as team does.
func (r resolver) teamIDs(spaceID string, args []string) ([]string, error) {
	ids := make([]string, 0, len(args))
	for _, arg := range args {
		t, err := r.team(spaceID, arg)
		if err != nil {
			return nil, err
		}
		ids = append(ids, t.ID)
	}
	return ids, nil
}

// user returns the user with the ID or username arg. Callers without the UserView permission
// may still name themselves.
func (r resolver) user(arg string) (*octoinvite.User, error) {
	user, err := r.anyUser(arg)
	if errors.Is(err, client.ErrForbidden) {
		me, meErr := r.c.Me(r.ctx)
		if meErr == nil && (strings.EqualFold(me.ID, arg) || octoinvite.FoldUsername(me.Username) == octoinvite.FoldUsername(arg)) {
			return me, nil
		}
	}
	return user, err
}

func (r resolver) anyUser(arg string) (*octoinvite.User, error) {
	return resolve(arg, "user", "", func(id string) (*octoinvite.User, error) {
		return r.c.FindUserByID(r.ctx, id)
	}, func(name string) ([]*octoinvite.User, error) {
		return oneOrNone(r.c.FindUserByUsername(r.ctx, name))
	}, func(u *octoinvite.User) string { return u.Username + " (" + u.ID + ")" })
}

// userIDs returns the IDs of the users args name, as user does.
func (r resolver) userIDs(args []string) ([]string, error) {
	ids := make([]string, 0, len(args))
	for _, arg := range args {
		u, err := r.user(arg)
		if err != nil {
			return nil, err
		}
		ids = append(ids, u.ID)
	}
	return ids, nil
}

// oneOrNone turns the answer of a lookup of a unique name into the list of its matches: none
// when it is not found.
func oneOrNone[T any](found T, err error) ([]T, error) {
	if errors.Is(err, client.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return []T{found}, nil
}

// resolve returns the resource of the kind ("team") whose ID (byID) or else exact name (byName)
// is arg; where ("in the space Spaces-1") says where it was looked for, and label describes a
// candidate when a name matches several.
func resolve[T any](arg, kind, where string, byID func(string) (T, error), byName func(string) ([]T, error), label func(T) string) (T, error) {
	var zero T
	if strings.TrimSpace(arg) == "" {
		return zero, usagef("no %s given: name one by its ID or name", kind)
	}
	found, err := byID(arg)
	if err == nil {
		return found, nil
	} else if !errors.Is(err, client.ErrNotFound) {
		return zero, apiError(err)
	}
	matches, err := byName(arg)
	if err != nil {
		return zero, apiError(err)
	}
	switch len(matches) {
	case 0:
		msg := fmt.Sprintf("no %s has the ID or name '%s'%s", kind, arg, where)
		return zero, &cliError{msg: printable(msg), err: client.ErrNotFound}
	case 1:
		return matches[0], nil
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = label(m)
	}
	return zero, &usageError{errors.New(printable(fmt.Sprintf("the name '%s' matches %d %ss: %s; give the ID of one",
		arg, len(matches), kind, strings.Join(names, ", "))))}
}
