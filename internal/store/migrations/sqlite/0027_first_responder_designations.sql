-- First Responder designations (issue 11): whether an organisation is a
-- First Responder (§8.2, annex) is no longer a flag set by hand but a
-- mapping to one of the designations the catalogue lists
-- (first-responders.json); Waymark derives the status from that mapping
-- against the catalogue it runs with, so an id the catalogue no longer
-- lists makes the organisation not a First Responder until an
-- administrator chooses again on the organisations page.
--
-- Existing data: an organisation that was a First Responder is mapped by
-- its kind where the list has exactly one designation of that kind
-- ('police' to Police forces, 'local-authority' to Local authorities).
-- Any other (a voluntary or national organisation: the list has several of
-- each) is given 'first-responder-before-designations', which the
-- catalogue does not list: it stops being a First Responder, and the
-- organisations page asks the administrator to choose its designation.
-- An organisation that was not a First Responder gets '' (none).
--
-- The identity seal (identity.go) of a row written before this migration
-- still matches while its designation is the one this mapping gave; the
-- row is sealed afresh whenever it is next written.
ALTER TABLE organisations ADD COLUMN first_responder_designation TEXT NOT NULL DEFAULT '';

UPDATE organisations SET first_responder_designation = CASE kind
    WHEN 'police' THEN 'police'
    WHEN 'local-authority' THEN 'local-authority'
    ELSE 'first-responder-before-designations'
END
WHERE first_responder;

ALTER TABLE organisations DROP COLUMN first_responder;
