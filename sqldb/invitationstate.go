package sqldb

// The rule of an invitation's state is octoinvite.Invitation.StateAt: used up first, then
// revoked, then expired, else pending. The store needs the rule in SQL too, in the four forms
// below, kept side by side here and nowhere else; TestStoreInvitationStateRule checks each
// against StateAt on every database, for every state and at every boundary. Their columns are
// those of the invitations table, unqualified.

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
