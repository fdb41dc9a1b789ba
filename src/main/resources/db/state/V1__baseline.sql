-- The state store's schema, version 1. Every script here runs unchanged on H2 and PostgreSQL: standard types
-- only (TEXT for JSON and reports), no vendor syntax. Never edit a released script; add V<n+1>__<what>.sql.

-- One row per source object the engine knows: its link to the target and the values last provisioned.
CREATE TABLE prov_object (
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
  PRIMARY KEY (object_type, source_id));
CREATE INDEX prov_object_retry ON prov_object (object_type, retry_action);

-- The assignment scope: 'current' as of the last completed cycle, 'next' as the running cycle reads it.
CREATE TABLE prov_scope (
  generation VARCHAR(8) NOT NULL,
  source_id VARCHAR(128) NOT NULL,
  PRIMARY KEY (generation, source_id));

-- Delta links and the configuration fingerprint; moved only when the changes they cover are durable.
CREATE TABLE prov_watermark (
  name VARCHAR(64) PRIMARY KEY,
  wm_value TEXT,
  updated_at TIMESTAMP NOT NULL);

CREATE TABLE prov_cycle (
  cycle_id VARCHAR(64) PRIMARY KEY,
  cycle_type VARCHAR(16) NOT NULL,
  started_at TIMESTAMP NOT NULL,
  ended_at TIMESTAMP,
  state VARCHAR(16) NOT NULL,
  report TEXT);
