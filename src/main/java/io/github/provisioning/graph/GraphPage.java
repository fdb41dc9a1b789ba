package io.github.provisioning.graph;

import java.util.List;

/**
 * One page of a Graph collection.
 *
 * @param changes   the users on the page, one per id
 * @param nextLink  the whole URL of the next page, or null on the last page
 * @param deltaLink on the last page of a delta round: the watermark for the next round
 */
public record GraphPage(List<SourceChange> changes, String nextLink, String deltaLink) implements Paged {
    public GraphPage {
        changes = List.copyOf(changes);
    }
}
