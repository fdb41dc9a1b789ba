-- Escrow: a failed object's retries back off. retry_attempts counts its failed attempts since its last success;
-- retry_due is when its next retry is due (null: in the next cycle); retry_permanent is true when it is no longer
-- retried until it changes in the source (too many attempts, or a failure the target declares permanent).
ALTER TABLE prov_object ADD COLUMN retry_attempts INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE prov_object ADD COLUMN retry_due TIMESTAMP;
ALTER TABLE prov_object ADD COLUMN retry_permanent BOOLEAN DEFAULT FALSE NOT NULL;
