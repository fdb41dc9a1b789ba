-- The scope is written only where it changed. A cycle holds the ids it reads in memory and compares them with the
-- stored scope once; a row is written when its object entered the scope (a new row, entered = the running
-- generation), when the running generation did not read it (left_in = that generation), or when it is read again
-- after that. A cycle in which nothing changed writes no row, instead of one per object in scope. Completing a
-- cycle deletes the rows its generation found gone. An object is in the completed scope when its row has
-- entered <= completed; the column seen (the last generation that read each row) is no longer kept.
ALTER TABLE prov_scope_member ADD COLUMN left_in INTEGER;
DROP INDEX prov_scope_member_seen;
ALTER TABLE prov_scope_member DROP COLUMN seen;
CREATE INDEX prov_scope_member_left ON prov_scope_member (scope_type, left_in);
