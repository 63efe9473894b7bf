package prometheus

import (
	"context"
	"time"

	"github.com/octoinvite/octoinvite"
)

// countingInvitations counts the invitation events of the service it wraps.
type countingInvitations struct {
	octoinvite.InvitationService
	m *Metrics
}

// Invitations returns svc, counting the invitations it creates, revokes and regenerates.
func (m *Metrics) Invitations(svc octoinvite.InvitationService) octoinvite.InvitationService {
	return &countingInvitations{InvitationService: svc, m: m}
}

func (c *countingInvitations) CreateInvitation(ctx context.Context, inv *octoinvite.Invitation) error {
	err := c.InvitationService.CreateInvitation(ctx, inv)
	if err == nil {
		c.m.Count(InvitationsCreated, 1)
	}
	return err
}

// RevokeInvitation counts a revocation only when the store withdrew the invitation: revoking
// twice is harmless and counts once.
func (c *countingInvitations) RevokeInvitation(ctx context.Context, id, by string) (*octoinvite.Invitation, bool, error) {
	inv, revoked, err := c.InvitationService.RevokeInvitation(ctx, id, by)
	if err == nil && revoked {
		c.m.Count(InvitationsRevoked, 1)
	}
	return inv, revoked, err
}

func (c *countingInvitations) RegenerateInvitation(ctx context.Context, id, by string, expires time.Time) (*octoinvite.Invitation, error) {
	inv, err := c.InvitationService.RegenerateInvitation(ctx, id, by, expires)
	if err == nil {
		c.m.Count(InvitationsRegenerated, 1)
	}
	return inv, err
}

// countingRegistrations counts the redemptions of the service it wraps.
type countingRegistrations struct {
	octoinvite.RegistrationService
	m *Metrics
}

// Registrations returns svc, counting each redemption of an invitation code, by a registration
// or by an existing user's acceptance, whether through the API or the pages.
func (m *Metrics) Registrations(svc octoinvite.RegistrationService) octoinvite.RegistrationService {
	return &countingRegistrations{RegistrationService: svc, m: m}
}

func (c *countingRegistrations) Register(ctx context.Context, reg *octoinvite.Registration) (*octoinvite.User, error) {
	user, err := c.RegistrationService.Register(ctx, reg)
	if err == nil {
		c.m.Count(InvitationsRedeemed, 1)
	}
	return user, err
}

func (c *countingRegistrations) AcceptInvitation(ctx context.Context, userID, code string) (*octoinvite.InvitationAcceptance, error) {
	acceptance, err := c.RegistrationService.AcceptInvitation(ctx, userID, code)
	if err == nil {
		c.m.Count(InvitationsRedeemed, 1)
	}
	return acceptance, err
}
