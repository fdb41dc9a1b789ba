-- The assignment scope by generation number instead of two named generations. A row per user or group in scope:
-- entered is the scope generation in which it entered the scope, seen the last one that read it among the
-- assignments. Each cycle reads the assignments into a new generation (prov_watermark 'scope-running'); the last
-- completed one is 'scope-completed'. An object is in the completed scope when entered <= completed <= seen, and in
-- the running one when seen = running. Completing a cycle deletes only the rows it did not see (they left the
-- scope) and moves 'scope-completed', instead of rewriting every row of the tenant: the work is proportional to
-- the changes, and no transaction holds the whole scope.
CREATE TABLE prov_scope_member (
  scope_type VARCHAR(8) NOT NULL,
  object_id VARCHAR(128) NOT NULL,
  entered INTEGER NOT NULL,
  seen INTEGER NOT NULL,
  PRIMARY KEY (scope_type, object_id));
CREATE INDEX prov_scope_member_seen ON prov_scope_member (scope_type, seen);
CREATE INDEX prov_scope_member_entered ON prov_scope_member (scope_type, entered);

-- The completed scopes become generation 0; a cycle that was running when this ran reads its scope again.
INSERT INTO prov_scope_member (scope_type, object_id, entered, seen)
  SELECT 'user', source_id, 0, 0 FROM prov_scope WHERE generation = 'current';
INSERT INTO prov_scope_member (scope_type, object_id, entered, seen)
  SELECT 'group', group_id, 0, 0 FROM prov_group_scope WHERE generation = 'current';
DROP TABLE prov_scope;
DROP TABLE prov_group_scope;
INSERT INTO prov_watermark (name, wm_value, updated_at) VALUES ('scope-completed', '0', CURRENT_TIMESTAMP);
INSERT INTO prov_watermark (name, wm_value, updated_at) VALUES ('scope-running', '0', CURRENT_TIMESTAMP);
