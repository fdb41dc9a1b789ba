package io.github.provisioning.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@link LinkStore#save}s: saves from concurrent threads go in one transaction ({@link GroupCommit}), on a
 * connection of the pool kept for them from the first save on ({@link #close} gives it back). A deferred save
 * ({@link #saveDeferred}) goes with the next save that waits, or before the next other statement on the database.
 */
final class LinkWriter implements AutoCloseable, StateDatabase.DryRunListener {

    private static final Logger LOG = LoggerFactory.getLogger(LinkWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One save: a link of an object type. */
    record Save(String objectType, Link link) {
    }

    /**
     * Saves links in one transaction, one MERGE each in a JDBC batch (one statement, where an update and then an
     * insert took two; the form {@link StagedDeletionStore#stageDeletion} uses, which H2 and PostgreSQL share). The
     * casts have no length: a sized cast would cut a value PostgreSQL must refuse for its column.
     */
    private static final String SAVE = """
            MERGE INTO prov_object t USING (VALUES (CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS BOOLEAN),
              CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR),
              CAST(? AS TIMESTAMP), CAST(? AS INTEGER), CAST(? AS TIMESTAMP), CAST(? AS BOOLEAN),
              CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS TIMESTAMP),
              CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR)))
              s(tid, mv, act, pv, cyc, ra, err, at, att, due, perm, ia, iv, ic, iat, job, ot, id)
            ON t.job_id = s.job AND t.object_type = s.ot AND t.source_id = s.id
            WHEN MATCHED THEN UPDATE SET target_id = s.tid, match_value = s.mv, active = s.act,
              provisioned_values = s.pv, last_cycle = s.cyc, retry_action = s.ra, last_error = s.err,
              updated_at = s.at, retry_attempts = s.att, retry_due = s.due, retry_permanent = s.perm,
              intent_attribute = s.ia, intent_value = s.iv, intent_cycle = s.ic, intent_at = s.iat
            WHEN NOT MATCHED THEN INSERT (target_id, match_value, active, provisioned_values, last_cycle,
              retry_action, last_error, updated_at, retry_attempts, retry_due, retry_permanent, intent_attribute,
              intent_value, intent_cycle, intent_at, job_id, object_type, source_id)
              VALUES (s.tid, s.mv, s.act, s.pv, s.cyc, s.ra, s.err, s.at, s.att, s.due, s.perm, s.ia, s.iv, s.ic,
                s.iat, s.job, s.ot, s.id)""";

    private final StateDatabase database;
    /** The job whose rows the saves write. */
    private final JobId job;
    /** Told of every batch once it is committed. */
    private final Consumer<List<Save>> committed;
    private final GroupCommit<Save> saves = new GroupCommit<>(this::upsert, true, LinkWriter::deferredSaveFailed);
    /**
     * The saves' own connection (autocommit off) and its prepared {@link #SAVE}, kept from one batch to the next:
     * H2 parses a statement prepared on a pooled connection again each time (its query cache does not keep it).
     * Only the group commit's leader uses them, one batch at a time, so they need no other guard than
     * {@link #writerLock}, which only {@link #close} and a dry run's switch ever wait for.
     */
    private final Object writerLock = new Object();
    private Connection writer;
    private PreparedStatement writerSave;
    private volatile boolean closed;

    LinkWriter(StateDatabase database, JobId job, Consumer<List<Save>> committed) {
        this.database = database;
        this.job = job;
        this.committed = committed;
        database.onDryRun(this);
        database.writeDeferredFirst(saves::flush);
    }

    /** Returns once the save is committed; a row that cannot be stored fails only its own caller. */
    void save(String objectType, Link link) {
        saves.submit(new Save(objectType, link));
    }

    /** Returns once the saves are committed, in one batch; throws the first that failed (the others may be stored). */
    void saveAll(String objectType, List<Link> links) {
        saves.submitAll(links.stream().map(link -> new Save(objectType, link)).toList());
    }

    /**
     * Returns at once; the save is committed with the next {@link #save}'s batch, or before the next other statement
     * on the database. A row whose values are longer than their columns allow is saved at once instead, so that its
     * failure reaches its caller, as is a save after {@link #close} (it fails).
     */
    void saveDeferred(String objectType, Link link) {
        Save save = new Save(objectType, link);
        if (fitsColumns(link) && !closed) {
            saves.defer(save);
        } else {
            saves.submit(save);
        }
    }

    /** Writes the deferred saves now; returns once they are committed (or, those that failed, logged). */
    void flush() {
        saves.flush();
    }

    /** The lengths V1__baseline.sql gives these columns. */
    private static boolean fitsColumns(Link link) {
        return fits(link.sourceId(), 128) && fits(link.targetId(), 512) && fits(link.matchValue(), 1024)
                && fits(link.lastCycle(), 64) && fits(link.retryAction(), 16) && link.intent() == null;
    }

    private static boolean fits(String value, int length) {
        return value == null || value.length() <= length;
    }

    /** No caller waits for a deferred save: its failure is logged, and the next cycle finds the row as it was. */
    private static void deferredSaveFailed(Save save, Throwable failure) {
        LOG.error("The outcome of {} {} could not be stored; the next cycle provisions it from the row as it was: {}",
                save.objectType(), save.link().sourceId(), failure.getMessage());
    }

    /**
     * Writes a batch of saves on the writer connection, all or nothing. A connection that broke under it (a server
     * restarted, an idle connection cut) is replaced and the batch written once more: the MERGE is an upsert, so
     * writing again a batch whose commit did reach the database only writes the same rows again. A batch that fails
     * on a sound connection (a row the table refuses) throws, and the group commit writes its rows one by one.
     */
    private void upsert(List<Save> batch) {
        synchronized (writerLock) {
            try {
                writeSaves(batch);
            } catch (SQLException e) {
                if (!discardBrokenWriter()) {
                    throw database.afterLeaseCheck(e);
                }
                try {
                    writeSaves(batch);
                } catch (SQLException again) {
                    discardBrokenWriter();
                    again.addSuppressed(e);
                    throw database.afterLeaseCheck(again);
                }
            }
        }
    }

    private void writeSaves(List<Save> batch) throws SQLException {
        if (closed) {
            throw new IllegalStateException("The state store is closed");
        }
        if (writer == null) {
            Connection c = database.connection();
            try {
                c.setAutoCommit(false);
                writerSave = c.prepareStatement(SAVE);
            } catch (SQLException | RuntimeException e) {
                closeQuietly(c);
                throw e;
            }
            writer = c;
        }
        try {
            for (Save save : batch) {
                bindSave(writerSave, job, save, toJson(save.link().values()));
                writerSave.addBatch();
            }
            writerSave.executeBatch();
            database.checkWriteFence();
            writer.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                writerSave.clearBatch();
                writer.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
        committed.accept(batch);
    }

    /** Closes the writer connection if it is broken (the next batch opens another); true when it was. */
    private boolean discardBrokenWriter() {
        boolean broken;
        try {
            broken = writer != null && (writer.isClosed() || !writer.isValid(5));
        } catch (SQLException e) {
            broken = true;
        }
        if (broken) {
            closeWriter();
        }
        return broken;
    }

    /** Gives the writer connection back to the pool (a broken one, the pool drops). */
    private void closeWriter() {
        if (writer != null) {
            closeQuietly(writerSave);
            closeQuietly(writer);
        }
        writer = null;
        writerSave = null;
    }

    /** Nothing to do about a statement or connection that cannot even be closed: it was broken already. */
    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // let go
        }
    }

    /** The deferred saves go to the database they were made on; the next save opens a connection on the other. */
    @Override
    public void dryRunBegins() {
        saves.flush();
        synchronized (writerLock) {
            closeWriter();
        }
    }

    @Override
    public void dryRunEnds() {
        dryRunBegins();
    }

    /**
     * Gives back the saves' connection: before the pool is closed, or the pool would hold it open (H2 keeps the
     * database file open for it; Hikari waits for it, then aborts it). Saves after this fail.
     */
    @Override
    public void close() {
        try {
            saves.flush();
        } catch (RuntimeException e) {
            LOG.error("The deferred saves could not be written as the state store closed: {}", e.getMessage());
        }
        synchronized (writerLock) {
            closed = true;
            closeWriter();
        }
    }

    int queued() {
        return saves.queued();
    }

    Connection connection() {
        synchronized (writerLock) {
            return writer;
        }
    }

    private static void bindSave(PreparedStatement ps, JobId job, Save save, String values) throws SQLException {
        Link link = save.link();
        ps.setString(1, link.targetId());
        ps.setString(2, link.matchValue());
        ps.setBoolean(3, link.active());
        ps.setString(4, values);
        ps.setString(5, link.lastCycle());
        ps.setString(6, link.retryAction());
        ps.setString(7, link.lastError() == null ? null
                : link.lastError().substring(0, Math.min(2000, link.lastError().length())));
        ps.setTimestamp(8, Timestamp.from(Instant.now()));
        Escrow escrow = link.escrow();
        ps.setInt(9, escrow == null ? 0 : escrow.attempts());
        ps.setTimestamp(10, escrow == null || escrow.nextRetry() == null ? null : Timestamp.from(escrow.nextRetry()));
        ps.setBoolean(11, escrow != null && escrow.permanent());
        CreateIntent intent = link.intent();
        ps.setString(12, intent == null ? null : intent.attribute());
        ps.setString(13, intent == null ? null : intent.value());
        ps.setString(14, intent == null ? null : intent.cycleId());
        ps.setTimestamp(15, intent == null ? null : Timestamp.from(intent.at()));
        ps.setString(16, job.value());
        ps.setString(17, save.objectType());
        ps.setString(18, link.sourceId());
    }

    private static String toJson(Map<String, JsonNode> values) {
        ObjectNode node = JSON.createObjectNode();
        values.forEach(node::set);
        return node.toString();
    }
}
