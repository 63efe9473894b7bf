package sqldb

import (
	"slices"
	"strings"

	"github.com/octoinvite/octoinvite"
)

// The rule of an invitation's state is octoinvite.Invitation.StateAt: used up first, then
// revoked, then expired, else pending. The store needs the rule in SQL too, in the forms below,
// kept side by side here and nowhere else; TestStoreInvitationStateRule checks each against
// StateAt on every database, for every state and at every boundary. Their columns are those of
// the invitations table, unqualified, but in stateConditions (aliased i).

// sqlState is the state at the time of its one parameter (Unix milliseconds): the filter of
// listings by state and the gauge of invitations by state.
const sqlState = `(CASE WHEN uses >= max_uses THEN 'Redeemed' WHEN revoked_on IS NOT NULL THEN 'Revoked'
	WHEN expires <= ? THEN 'Expired' ELSE 'Pending' END)`

// sqlRedeemable holds of an invitation Pending at the time of its one parameter: the guard of
// the conditional update that counts a use.
const sqlRedeemable = `(uses < max_uses AND revoked_on IS NULL AND expires > ?)`

// sqlOpen holds of an invitation neither used up nor revoked, so Pending or Expired whatever
// the time: the guard of the conditional update of a revocation or a regeneration.
const sqlOpen = `(uses < max_uses AND revoked_on IS NULL)`

// sqlClosedBefore holds of an invitation that was no longer Pending at the time of its three
// parameters (the same time, three times), its state decided by what had happened by then:
// used up by a redemption made by then, revoked by then, or expired by then. The purge deletes
// the invitations closed before its cutoff.
const sqlClosedBefore = `((uses >= max_uses AND redeemed_on <= ?) OR revoked_on <= ? OR expires <= ?)`

// stateConditions are, by state, the conditions that an invitation (aliased i) is in it at the
// time of their parameters (now, as many times as they hold a ?). They are sqlState's cases
// written so that the partial indexes of the states (migration 11) serve them: an index serves
// a query whose conditions include its own, as these do, term for term.
var stateConditions = map[string]string{
	octoinvite.StateRedeemed: `i.uses >= i.max_uses`,
	octoinvite.StateRevoked:  `i.uses < i.max_uses AND i.revoked_on IS NOT NULL`,
	octoinvite.StatePending:  `i.uses < i.max_uses AND i.revoked_on IS NULL AND i.expires > ?`,
	octoinvite.StateExpired:  `i.uses < i.max_uses AND i.revoked_on IS NULL AND i.expires <= ?`,
}

// sqlOpenState holds of an invitation neither used up nor revoked, so Pending or Expired: both
// of these states at once.
const sqlOpenState = `i.uses < i.max_uses AND i.revoked_on IS NULL`

// stateGroups returns, for states (valid state names), conditions that an invitation (aliased
// i) is in one of them at the time now, with their arguments: one condition per state, but one
// for Pending and Expired together (sqlOpenState), so that no two hold of one invitation and
// the count of the states is the sum of the counts of the conditions.
func stateGroups(states []string, now int64) []conditions {
	var groups []conditions
	pendingAndExpired := slices.Contains(states, octoinvite.StatePending) && slices.Contains(states, octoinvite.StateExpired)
	if pendingAndExpired {
		groups = append(groups, conditions{conds: []string{sqlOpenState}})
	}
	for _, state := range octoinvite.InvitationStates {
		if !slices.Contains(states, state) || (pendingAndExpired && (state == octoinvite.StatePending || state == octoinvite.StateExpired)) {
			continue
		}
		g := conditions{conds: []string{stateConditions[state]}}
		if strings.Contains(stateConditions[state], "?") {
			g.args = []any{now}
		}
		groups = append(groups, g)
	}
	return groups
}

// stateCondition returns the condition that an invitation (aliased i) is in one of states (valid
// state names) at the time now, and its arguments.
func stateCondition(states []string, now int64) (string, []any) {
	groups := stateGroups(states, now)
	var conds []string
	var args []any
	for _, g := range groups {
		conds = append(conds, g.conds[0])
		args = append(args, g.args...)
	}
	if len(conds) == 1 {
		return conds[0], args
	}
	return "((" + strings.Join(conds, ") OR (") + "))", args
}
