-- Running deadlines by their own indexes (issue 10). Three readers look only
-- at deadlines still running (not stopped, not risk windows): /metrics
-- counts them, the reminder scanner reads those due in its window, and the
-- partnership lead's home counts the overdue ones by owning organisation.
-- With indexes over every clock ever started, each of them read all of a
-- case's history of deadlines: at 100,000 cases 398,294 clocks were walked
-- to find 2,762 running. Partial indexes hold only the running ones, so
-- each read costs what it returns.
CREATE INDEX clocks_running ON clocks(due_at) WHERE stopped_at IS NULL AND NOT risk_window;
DROP INDEX clocks_due;
CREATE INDEX clocks_running_by_org ON clocks(owner_org_id, due_at) WHERE stopped_at IS NULL AND NOT risk_window;
-- No query reads clocks by their owner alone (My work reads queue_items,
-- migration 0017), so the index is only a cost on every clock written.
DROP INDEX clocks_owner_user;
