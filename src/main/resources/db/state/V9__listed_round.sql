-- A full users-delta round reconciles every linked account, whatever earlier cycles were interrupted. listed_round
-- is the id of the last full round whose pages listed the user (a round may span several runs of the engine; the
-- id is the round's, not a cycle's). The end of a completed full round reads again, by id, every linked and active
-- user whose row does not name that round, or that is outside the final assignment scope. Written a page at a time.
ALTER TABLE prov_object ADD COLUMN listed_round VARCHAR(64);
