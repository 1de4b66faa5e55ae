-- One notion of team. The document library kept its own memberships
-- (teams_members: a lower-cased team name and a user) and granted documents
-- to team names; the service desk has teams and team_members. Up moves the
-- library onto the service desk's teams: every name met in teams_members or
-- in a team grant becomes a team (unless a team of that name exists, matched
-- case-insensitively: an exact match wins, then the oldest), memberships move
-- to team_members, and team grants refer to the team by id.
--
-- A team grant keeps who = the team's id as text (so the primary key and the
-- (kind, who) shape of grants stay as they are) and gets team_id, a foreign
-- key that removes the grant with its team; a check keeps the two equal. The
-- access check reads g.team_id IN (the reader's team_ids from team_members),
-- served by team_members_user_id and the grants' primary key.

-- +goose Up
CREATE TEMPORARY TABLE doc_team_names ON COMMIT DROP AS
SELECT n.name FROM (
    SELECT team AS name FROM teams_members
    UNION SELECT who FROM document_grants WHERE kind = 'team'
) n
WHERE n.name <> ''; -- an empty name matched nobody: its grants go

INSERT INTO teams (name)
SELECT DISTINCT ON (lower(n.name)) n.name FROM doc_team_names n
WHERE NOT EXISTS (SELECT 1 FROM teams t WHERE lower(t.name) = lower(n.name))
ORDER BY lower(n.name), n.name;

ALTER TABLE doc_team_names ADD COLUMN team_id bigint;
UPDATE doc_team_names n SET team_id = (SELECT t.id FROM teams t WHERE lower(t.name) = lower(n.name)
    ORDER BY t.name = n.name DESC, t.id LIMIT 1);

INSERT INTO team_members (team_id, user_id)
SELECT n.team_id, m.user_id FROM teams_members m JOIN doc_team_names n ON n.name = m.team
ON CONFLICT DO NOTHING;

-- Names that differ only in case now name one team: their grants merge,
-- writing if any of them allowed it.
CREATE TEMPORARY TABLE doc_team_grants ON COMMIT DROP AS
SELECT g.document_id, n.team_id, bool_or(g.can_write) AS can_write
FROM document_grants g JOIN doc_team_names n ON n.name = g.who
WHERE g.kind = 'team'
GROUP BY g.document_id, n.team_id;

DELETE FROM document_grants WHERE kind = 'team';
ALTER TABLE document_grants ADD COLUMN team_id bigint REFERENCES teams (id) ON DELETE CASCADE;
INSERT INTO document_grants (document_id, kind, who, team_id, can_write)
SELECT document_id, 'team', team_id::text, team_id, can_write FROM doc_team_grants;
ALTER TABLE document_grants ADD CONSTRAINT document_grants_team_check
    CHECK ((kind = 'team') = (team_id IS NOT NULL) AND (team_id IS NULL OR who = team_id::text));
-- Deleting a team finds its grants by this index (the cascade).
CREATE INDEX document_grants_team ON document_grants (team_id) WHERE team_id IS NOT NULL;

DROP TABLE teams_members;

-- +goose Down
-- Every team's members become name memberships again (the old library
-- matched lower-cased names); teams made by Up stay, as ticket routing may
-- use them by now.
CREATE TABLE teams_members (
    team    text NOT NULL CHECK (team <> ''),
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team, user_id)
);
CREATE INDEX teams_members_user ON teams_members (user_id);

INSERT INTO teams_members (team, user_id)
SELECT lower(t.name), m.user_id FROM team_members m JOIN teams t ON t.id = m.team_id
ON CONFLICT DO NOTHING;

CREATE TEMPORARY TABLE doc_team_grants ON COMMIT DROP AS
SELECT g.document_id, lower(t.name) AS who, bool_or(g.can_write) AS can_write
FROM document_grants g JOIN teams t ON t.id = g.team_id
GROUP BY g.document_id, lower(t.name);

DELETE FROM document_grants WHERE kind = 'team';
DROP INDEX document_grants_team;
ALTER TABLE document_grants DROP CONSTRAINT document_grants_team_check;
ALTER TABLE document_grants DROP COLUMN team_id;
INSERT INTO document_grants (document_id, kind, who, can_write)
SELECT document_id, 'team', who, can_write FROM doc_team_grants;
