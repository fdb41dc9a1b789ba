package io.github.provisioning.admin;

/**
 * The {@code limit} parameter of the admin API's lists (provisioning log, held deletions, cycles): 1 to 1000,
 * default 100 (20 for cycles).
 */
final class ListLimit {

    static final int DEFAULT = 100;
    static final int MAX = 1000;

    private ListLimit() {
    }

    /** The limit asked for, {@link #DEFAULT} when none is given, or -1 when it is not a whole number from 1 to MAX. */
    static int parse(String value) {
        return parse(value, DEFAULT);
    }

    /** As {@link #parse(String)}, with another default. */
    static int parse(String value, int defaultLimit) {
        if (value == null || value.isEmpty()) {
            return defaultLimit;
        }
        try {
            int limit = Integer.parseInt(value);
            return limit >= 1 && limit <= MAX ? limit : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static ApiReply invalid() {
        return ApiErrors.error(400, "limit must be a whole number from 1 to " + MAX);
    }
}
