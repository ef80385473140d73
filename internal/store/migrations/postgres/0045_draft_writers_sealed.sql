-- A concern draft holds a child's details, and only its writer may open,
-- save or send it. Which person that is (user_id) was the one thing about
-- a draft not bound to anything: someone able to write to the database
-- could give another person's draft to their own account and read it, or
-- move it onto another partnership's retention review. Each draft now
-- carries a seal over its id and its writer (an HMAC under the identity
-- key, as organisations and users carry), written with the draft; a draft
-- whose seal does not match is treated as if it did not exist. Drafts
-- already written are sealed as found at the first start with a master
-- key, once, recorded in the audit log (store.SealIdentityAsFound).
ALTER TABLE concern_drafts ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
ALTER TABLE concern_drafts ADD COLUMN mac TEXT NOT NULL DEFAULT '';
