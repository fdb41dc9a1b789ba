package io.github.provisioning.sandbox.graph;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/** An app role assignment of the default role to a user or group. Guarded by the tenant's lock. */
final class Assignment {

    final DirectoryObject principal;
    private final int serial;
    final long createdAtMillis;
    /** The app role assigned; all zeros for the default access. */
    final String appRoleId;
    boolean removed;

    Assignment(DirectoryObject principal, int serial, long createdAtMillis) {
        this(principal, serial, createdAtMillis, Tenant.DEFAULT_ACCESS);
    }

    Assignment(DirectoryObject principal, int serial, long createdAtMillis, String appRoleId) {
        this.principal = principal;
        this.serial = serial;
        this.createdAtMillis = createdAtMillis;
        this.appRoleId = appRoleId;
    }

    /**
     * Graph's assignment ids are not GUIDs but 43 base64url characters (32 bytes), e.g.
     * "41W1zT6z1U-kJxf62svfp1HFE8pMZhxDun-ThPczmJE". Derived, so it costs no memory.
     */
    String id() {
        String principalId = principal.id();
        ByteBuffer bytes = ByteBuffer.allocate(32);
        try {
            UUID uuid = UUID.fromString(principalId);
            bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        } catch (IllegalArgumentException notAGuid) {
            long hash = SampleDirectory.mix64(principalId.hashCode());
            bytes.putLong(hash).putLong(SampleDirectory.mix64(hash));
        }
        long salt = SampleDirectory.mix64(serial * 0x9E3779B97F4A7C15L
                ^ Long.hashCode(principalId.getBytes(StandardCharsets.UTF_8).length));
        bytes.putLong(salt).putLong(SampleDirectory.mix64(salt ^ principalId.hashCode()));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }
}
