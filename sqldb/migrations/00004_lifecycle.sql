-- +goose Up
-- Portable SQL only: this file is applied to SQLite and PostgreSQL alike.
-- The invitation lifecycle: how many registrations a code allows (max_uses) and has served
-- (uses), and its withdrawal (revoked_on, revoked_by: a username). An invitation redeemed
-- before this migration has served its one use.
ALTER TABLE invitations ADD COLUMN max_uses BIGINT NOT NULL DEFAULT 1;
ALTER TABLE invitations ADD COLUMN uses BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invitations ADD COLUMN revoked_on BIGINT;
ALTER TABLE invitations ADD COLUMN revoked_by TEXT;
UPDATE invitations SET uses = 1 WHERE redeemed_on IS NOT NULL;

-- Listing walks invitations newest first, within a space or across all of them; the purge and
-- the state filters look for invitations by expiry.
CREATE INDEX invitations_seq ON invitations (seq);
CREATE INDEX invitations_space ON invitations (space_id, seq);
CREATE INDEX invitations_expires ON invitations (expires);
CREATE INDEX invitation_teams_team ON invitation_teams (team_id);

-- +goose Down
DROP INDEX invitation_teams_team;
DROP INDEX invitations_expires;
DROP INDEX invitations_space;
DROP INDEX invitations_seq;
ALTER TABLE invitations DROP COLUMN revoked_by;
ALTER TABLE invitations DROP COLUMN revoked_on;
ALTER TABLE invitations DROP COLUMN uses;
ALTER TABLE invitations DROP COLUMN max_uses;
