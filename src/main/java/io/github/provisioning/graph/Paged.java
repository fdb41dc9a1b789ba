package io.github.provisioning.graph;

/** A page of a Graph collection, which the read loops follow to its last page. */
public interface Paged {

    /** The whole URL of the next page, or null on the last page. */
    String nextLink();
}
