-- Groups: each group as the last groups delta left it, its direct members (in the source, and as written to the
-- target), and the assigned groups per scope generation. Group links live in prov_object with type 'group'.
CREATE TABLE prov_group_source (
  group_id VARCHAR(128) PRIMARY KEY,
  source_state VARCHAR(16) NOT NULL,
  properties TEXT,
  dirty BOOLEAN NOT NULL,
  seen_cycle VARCHAR(64),
  updated_at TIMESTAMP NOT NULL);

CREATE TABLE prov_member (
  group_id VARCHAR(128) NOT NULL,
  member_id VARCHAR(128) NOT NULL,
  member_type VARCHAR(16) NOT NULL,
  in_source BOOLEAN NOT NULL,
  in_target BOOLEAN NOT NULL,
  target_member_id VARCHAR(512),
  seen_cycle VARCHAR(64),
  PRIMARY KEY (group_id, member_id));
CREATE INDEX prov_member_pending ON prov_member (group_id, in_source, in_target);
CREATE INDEX prov_member_member ON prov_member (member_id);

CREATE TABLE prov_group_scope (
  generation VARCHAR(8) NOT NULL,
  group_id VARCHAR(128) NOT NULL,
  PRIMARY KEY (generation, group_id));
