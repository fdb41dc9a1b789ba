package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** One page of a delta round: either a next page or the watermark that ends the round. */
record DeltaPage(List<ObjectNode> value, DeltaToken next, DeltaToken watermark) {

    static DeltaPage more(List<ObjectNode> value, DeltaToken next) {
        return new DeltaPage(value, next, null);
    }

    static DeltaPage last(List<ObjectNode> value, DeltaToken watermark) {
        return new DeltaPage(value, null, watermark);
    }
}
