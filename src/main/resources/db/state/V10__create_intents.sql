-- Create intents: before POST /Users (or /Groups) the object's row records the matching attribute and value the
-- create is sent with (intent_attribute, intent_value), the cycle (intent_cycle) and the time (intent_at). The save
-- of the link clears them in the same statement, as does a create that certainly made no account. A row that still
-- holds an intent was cut between the POST and the save (a crash): the next cycle matches the value, links what it
-- finds and provisions the object by the usual rules. The index finds the open intents without reading every row.
ALTER TABLE prov_object ADD COLUMN intent_attribute VARCHAR(1024);
ALTER TABLE prov_object ADD COLUMN intent_value VARCHAR(1024);
ALTER TABLE prov_object ADD COLUMN intent_cycle VARCHAR(64);
ALTER TABLE prov_object ADD COLUMN intent_at TIMESTAMP;
CREATE INDEX prov_object_intent ON prov_object (object_type, intent_cycle);
