-- Quarantine: one row (job_key 'job') while the job is quarantined, none otherwise. reason is why (credentials,
-- failure-rate, failure-count) and detail the cause in one line; since is when the job entered quarantine,
-- retries how many cycles ran in quarantine since, next_attempt the earliest time the schedule runs the next one,
-- and stopped whether the job was stopped for having been quarantined for provisioning.quarantine-max-days.
CREATE TABLE prov_quarantine (
  job_key VARCHAR(20) NOT NULL PRIMARY KEY,
  reason VARCHAR(40) NOT NULL,
  detail VARCHAR(2000),
  since TIMESTAMP NOT NULL,
  retries INTEGER NOT NULL,
  next_attempt TIMESTAMP NOT NULL,
  stopped BOOLEAN NOT NULL
);
