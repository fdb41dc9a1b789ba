package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * One user slot of the tenant. A sample user stays virtual (its values are derived from the sample seed on
 * each read) until it is first changed; that keeps a million-user tenant at a few dozen bytes per user.
 * Guarded by the tenant's lock.
 */
final class UserEntry extends DirectoryObject {

    private final String id;
    private final SampleDirectory sample;
    private final int sampleIndex;
    private Object[] values;

    private UserEntry(String id, SampleDirectory sample, int sampleIndex, Object[] values, long version) {
        super(version);
        this.id = id;
        this.sample = sample;
        this.sampleIndex = sampleIndex;
        this.values = values;
    }

    static UserEntry explicit(String id, Object[] values, long version) {
        return new UserEntry(id, null, -1, values, version);
    }

    static UserEntry sample(SampleDirectory sample, int index, long version) {
        return new UserEntry(null, sample, index, null, version);
    }

    @Override
    String id() {
        return id != null ? id : sample.userId(sampleIndex);
    }

    /** The index of a sample user, -1 for a user added explicitly. */
    int sampleIndex() {
        return sampleIndex;
    }

    @Override
    String odataType() {
        return "#microsoft.graph.user";
    }

    @Override
    String principalType() {
        return "User";
    }

    @Override
    String displayName() {
        return (String) value(UserProperty.DISPLAY_NAME);
    }

    Object value(UserProperty property) {
        if (values != null) {
            return values[property.ordinal()];
        }
        return sample.userValue(sampleIndex, property);
    }

    /** Read-only view of all values, in {@link UserProperty} order. */
    Object[] values() {
        return values != null ? values : sample.userValues(sampleIndex);
    }

    /** Makes the values concrete so they can change. */
    Object[] valuesForUpdate() {
        if (values == null) {
            values = sample.userValues(sampleIndex);
        }
        return values;
    }

    /** Tombstones keep only their id. */
    void forgetValues() {
        values = null;
    }

    ObjectNode toJson(List<UserProperty> select) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", id());
        Object[] all = values();
        for (UserProperty property : select) {
            node.set(property.graphName(), property.kind().toJson(all[property.ordinal()]));
        }
        return node;
    }
}
