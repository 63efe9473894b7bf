-- +goose Up
-- Portable SQL only: this file is applied to SQLite and PostgreSQL alike.
-- Lists at scale (a million invitations, millions of events).
--
-- An event's documents carry the event's seq, so that the events regarding a document are read
-- newest first from one index, and counted from it alone, instead of gathering every event of
-- the document and sorting them.
ALTER TABLE event_documents ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;
UPDATE event_documents SET event_seq = (SELECT e.seq FROM events e WHERE e.id = event_documents.event_id);
CREATE INDEX event_documents_regarding ON event_documents (document_id, event_seq);
DROP INDEX event_documents_document;

-- The invitations of a team, read from the index alone: the team filter's count needs no row.
CREATE INDEX invitation_teams_team_invitation ON invitation_teams (team_id, invitation_id);
DROP INDEX invitation_teams_team;

-- The state filters of the invitation list, by the columns that decide the state: an invitation
-- is Redeemed when used up; else Revoked when revoked; else ("open") Pending or Expired by its
-- expiry. Each index holds only its state's invitations, so that a page of a state and its count
-- read that state's entries alone: by seq for pages, newest first, and by expiry for the counts
-- of Pending and Expired. Each also holds the columns of its condition, so that SQLite, which
-- checks them again, reads them from the index rather than from the row.
CREATE INDEX invitations_open ON invitations (seq, expires, uses, max_uses, revoked_on) WHERE uses < max_uses AND revoked_on IS NULL;
CREATE INDEX invitations_open_expires ON invitations (expires, uses, max_uses, revoked_on) WHERE uses < max_uses AND revoked_on IS NULL;
CREATE INDEX invitations_revoked ON invitations (seq, uses, max_uses, revoked_on) WHERE uses < max_uses AND revoked_on IS NOT NULL;
CREATE INDEX invitations_redeemed ON invitations (seq, uses, max_uses) WHERE uses >= max_uses;

-- +goose Down
DROP INDEX invitations_redeemed;
DROP INDEX invitations_revoked;
DROP INDEX invitations_open_expires;
DROP INDEX invitations_open;
CREATE INDEX invitation_teams_team ON invitation_teams (team_id);
DROP INDEX invitation_teams_team_invitation;
CREATE INDEX event_documents_document ON event_documents (document_id);
DROP INDEX event_documents_regarding;
ALTER TABLE event_documents DROP COLUMN event_seq;
