-- The users' app role assignments, per scope generation: one row per user and app role (direct, or through an
-- assigned group the user is a direct member of). Only kept while a mapping reads [appRoleAssignments].
CREATE TABLE prov_app_role (
  generation VARCHAR(8) NOT NULL,
  source_id VARCHAR(128) NOT NULL,
  app_role_id VARCHAR(64) NOT NULL,
  display_name VARCHAR(1024),
  role_value VARCHAR(1024),
  PRIMARY KEY (generation, source_id, app_role_id));
