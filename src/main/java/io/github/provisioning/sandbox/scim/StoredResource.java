package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Set;

/**
 * One resource as stored, with the keys it is indexed under. The JSON is never changed after it is published:
 * writers build a new copy, so readers need no lock.
 *
 * @param id         the server-assigned id
 * @param sequence   creation order, which is the stable order of list responses
 * @param version    the counter behind {@code meta.version}, {@code W/"<version>"}
 * @param uniqueKey  the lower-cased userName (users) or displayName (groups)
 * @param externalId the externalId, or {@code null}
 * @param memberIds  the ids in {@code members[].value} (groups), empty for users
 * @param json       the full resource including {@code id} and {@code meta}
 */
record StoredResource(String id, long sequence, long version, String uniqueKey, String externalId,
                      Set<String> memberIds, ObjectNode json) {

    String etag() {
        return etag(version);
    }

    static String etag(long version) {
        return "W/\"" + version + "\"";
    }
}
