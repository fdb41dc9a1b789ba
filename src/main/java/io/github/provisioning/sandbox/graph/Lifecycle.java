package io.github.provisioning.sandbox.graph;

/** Where a directory object stands: Entra keeps soft-deleted objects restorable for 30 days. */
enum Lifecycle {
    LIVE, SOFT_DELETED, HARD_DELETED
}
