-- The accidental-deletion guard: disables and deletes a cycle planned but did not send. A row is staged by the
-- cycle (an upsert: a cycle replayed after a crash stages the same row again), released at the end of the cycle
-- when the cycle's count stays within provisioning.deletion-threshold, or else held until an admin approves
-- (approved: sent by the next cycle whatever the threshold) or rejects it (the row goes). It is removed when its
-- user has been provisioned. cycle_id is the cycle that staged it: when the user's link names another cycle, the
-- user was handled again since, and the row is dropped unsent. Version 5 is another feature's.
CREATE TABLE prov_staged_deletion (
  object_type VARCHAR(16) NOT NULL,
  source_id VARCHAR(128) NOT NULL,
  action VARCHAR(16) NOT NULL,
  change_kind VARCHAR(16) NOT NULL,
  reason VARCHAR(1024),
  source_identity VARCHAR(1024),
  target_id VARCHAR(512),
  cycle_id VARCHAR(64) NOT NULL,
  staged_at TIMESTAMP NOT NULL,
  held BOOLEAN NOT NULL,
  approved BOOLEAN NOT NULL,
  PRIMARY KEY (object_type, source_id));
CREATE INDEX prov_staged_deletion_held ON prov_staged_deletion (object_type, held, approved, source_id);
