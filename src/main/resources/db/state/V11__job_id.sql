-- Many provisioning jobs on one state store: every table gains job_id, the job a row belongs to, and every primary
-- key and index that finds a job's object starts with it (each statement of a store names its job). The rows stored
-- before jobs existed belong to the job 'default', which today's single-job settings run as.
-- A primary key cannot be changed in a way H2 and PostgreSQL share (each names an unnamed key its own way), so each
-- table is built anew: the old one renamed, the new one created with the key, the rows copied, the old one dropped,
-- and its indexes created again under their names. The columns are those of versions 1 to 10. The keys are named
-- <table>_pk now, so that a later script can drop one by name on both databases.

ALTER TABLE prov_object RENAME TO prov_object_v10;
CREATE TABLE prov_object (
  job_id VARCHAR(64) NOT NULL,
  object_type VARCHAR(16) NOT NULL,
  source_id VARCHAR(128) NOT NULL,
  target_id VARCHAR(512),
  match_value VARCHAR(1024),
  active BOOLEAN NOT NULL,
  provisioned_values TEXT,
  last_cycle VARCHAR(64),
  retry_action VARCHAR(16),
  last_error VARCHAR(2000),
  updated_at TIMESTAMP NOT NULL,
  retry_attempts INTEGER DEFAULT 0 NOT NULL,
  retry_due TIMESTAMP,
  retry_permanent BOOLEAN DEFAULT FALSE NOT NULL,
  listed_round VARCHAR(64),
  intent_attribute VARCHAR(1024),
  intent_value VARCHAR(1024),
  intent_cycle VARCHAR(64),
  intent_at TIMESTAMP,
  CONSTRAINT prov_object_pk PRIMARY KEY (job_id, object_type, source_id));
INSERT INTO prov_object (job_id, object_type, source_id, target_id, match_value, active, provisioned_values,
    last_cycle, retry_action, last_error, updated_at, retry_attempts, retry_due, retry_permanent, listed_round,
    intent_attribute, intent_value, intent_cycle, intent_at)
  SELECT 'default', object_type, source_id, target_id, match_value, active, provisioned_values, last_cycle,
    retry_action, last_error, updated_at, retry_attempts, retry_due, retry_permanent, listed_round,
    intent_attribute, intent_value, intent_cycle, intent_at FROM prov_object_v10;
DROP TABLE prov_object_v10;
CREATE INDEX prov_object_retry ON prov_object (job_id, object_type, retry_action);
CREATE INDEX prov_object_intent ON prov_object (job_id, object_type, intent_cycle);

ALTER TABLE prov_watermark RENAME TO prov_watermark_v10;
CREATE TABLE prov_watermark (
  job_id VARCHAR(64) NOT NULL,
  name VARCHAR(64) NOT NULL,
  wm_value TEXT,
  updated_at TIMESTAMP NOT NULL,
  CONSTRAINT prov_watermark_pk PRIMARY KEY (job_id, name));
INSERT INTO prov_watermark (job_id, name, wm_value, updated_at)
  SELECT 'default', name, wm_value, updated_at FROM prov_watermark_v10;
DROP TABLE prov_watermark_v10;

ALTER TABLE prov_cycle RENAME TO prov_cycle_v10;
CREATE TABLE prov_cycle (
  job_id VARCHAR(64) NOT NULL,
  cycle_id VARCHAR(64) NOT NULL,
  cycle_type VARCHAR(16) NOT NULL,
  started_at TIMESTAMP NOT NULL,
  ended_at TIMESTAMP,
  state VARCHAR(16) NOT NULL,
  report TEXT,
  CONSTRAINT prov_cycle_pk PRIMARY KEY (job_id, cycle_id));
INSERT INTO prov_cycle (job_id, cycle_id, cycle_type, started_at, ended_at, state, report)
  SELECT 'default', cycle_id, cycle_type, started_at, ended_at, state, report FROM prov_cycle_v10;
DROP TABLE prov_cycle_v10;

ALTER TABLE prov_app_role RENAME TO prov_app_role_v10;
CREATE TABLE prov_app_role (
  job_id VARCHAR(64) NOT NULL,
  generation VARCHAR(8) NOT NULL,
  source_id VARCHAR(128) NOT NULL,
  app_role_id VARCHAR(64) NOT NULL,
  display_name VARCHAR(1024),
  role_value VARCHAR(1024),
  CONSTRAINT prov_app_role_pk PRIMARY KEY (job_id, generation, source_id, app_role_id));
INSERT INTO prov_app_role (job_id, generation, source_id, app_role_id, display_name, role_value)
  SELECT 'default', generation, source_id, app_role_id, display_name, role_value FROM prov_app_role_v10;
DROP TABLE prov_app_role_v10;

ALTER TABLE prov_group_source RENAME TO prov_group_source_v10;
CREATE TABLE prov_group_source (
  job_id VARCHAR(64) NOT NULL,
  group_id VARCHAR(128) NOT NULL,
  source_state VARCHAR(16) NOT NULL,
  properties TEXT,
  dirty BOOLEAN NOT NULL,
  seen_cycle VARCHAR(64),
  updated_at TIMESTAMP NOT NULL,
  CONSTRAINT prov_group_source_pk PRIMARY KEY (job_id, group_id));
INSERT INTO prov_group_source (job_id, group_id, source_state, properties, dirty, seen_cycle, updated_at)
  SELECT 'default', group_id, source_state, properties, dirty, seen_cycle, updated_at FROM prov_group_source_v10;
DROP TABLE prov_group_source_v10;

ALTER TABLE prov_member RENAME TO prov_member_v10;
CREATE TABLE prov_member (
  job_id VARCHAR(64) NOT NULL,
  group_id VARCHAR(128) NOT NULL,
  member_id VARCHAR(128) NOT NULL,
  member_type VARCHAR(16) NOT NULL,
  in_source BOOLEAN NOT NULL,
  in_target BOOLEAN NOT NULL,
  target_member_id VARCHAR(512),
  seen_cycle VARCHAR(64),
  CONSTRAINT prov_member_pk PRIMARY KEY (job_id, group_id, member_id));
INSERT INTO prov_member (job_id, group_id, member_id, member_type, in_source, in_target, target_member_id,
    seen_cycle)
  SELECT 'default', group_id, member_id, member_type, in_source, in_target, target_member_id, seen_cycle
  FROM prov_member_v10;
DROP TABLE prov_member_v10;
CREATE INDEX prov_member_pending ON prov_member (job_id, group_id, in_source, in_target);
CREATE INDEX prov_member_member ON prov_member (job_id, member_id);

ALTER TABLE prov_quarantine RENAME TO prov_quarantine_v10;
CREATE TABLE prov_quarantine (
  job_id VARCHAR(64) NOT NULL,
  job_key VARCHAR(20) NOT NULL,
  reason VARCHAR(40) NOT NULL,
  detail VARCHAR(2000),
  since TIMESTAMP NOT NULL,
  retries INTEGER NOT NULL,
  next_attempt TIMESTAMP NOT NULL,
  stopped BOOLEAN NOT NULL,
  CONSTRAINT prov_quarantine_pk PRIMARY KEY (job_id, job_key));
INSERT INTO prov_quarantine (job_id, job_key, reason, detail, since, retries, next_attempt, stopped)
  SELECT 'default', job_key, reason, detail, since, retries, next_attempt, stopped FROM prov_quarantine_v10;
DROP TABLE prov_quarantine_v10;

ALTER TABLE prov_staged_deletion RENAME TO prov_staged_deletion_v10;
CREATE TABLE prov_staged_deletion (
  job_id VARCHAR(64) NOT NULL,
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
  CONSTRAINT prov_staged_deletion_pk PRIMARY KEY (job_id, object_type, source_id));
INSERT INTO prov_staged_deletion (job_id, object_type, source_id, action, change_kind, reason, source_identity,
    target_id, cycle_id, staged_at, held, approved)
  SELECT 'default', object_type, source_id, action, change_kind, reason, source_identity, target_id, cycle_id,
    staged_at, held, approved FROM prov_staged_deletion_v10;
DROP TABLE prov_staged_deletion_v10;
CREATE INDEX prov_staged_deletion_held ON prov_staged_deletion (job_id, object_type, held, approved, source_id);

ALTER TABLE prov_scope_member RENAME TO prov_scope_member_v10;
CREATE TABLE prov_scope_member (
  job_id VARCHAR(64) NOT NULL,
  scope_type VARCHAR(8) NOT NULL,
  object_id VARCHAR(128) NOT NULL,
  entered INTEGER NOT NULL,
  left_in INTEGER,
  CONSTRAINT prov_scope_member_pk PRIMARY KEY (job_id, scope_type, object_id));
INSERT INTO prov_scope_member (job_id, scope_type, object_id, entered, left_in)
  SELECT 'default', scope_type, object_id, entered, left_in FROM prov_scope_member_v10;
DROP TABLE prov_scope_member_v10;
CREATE INDEX prov_scope_member_entered ON prov_scope_member (job_id, scope_type, entered);
CREATE INDEX prov_scope_member_left ON prov_scope_member (job_id, scope_type, left_in);
