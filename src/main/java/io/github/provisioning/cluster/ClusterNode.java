package io.github.provisioning.cluster;

import java.util.HashMap;
import java.util.Map;

/**
 * This engine among the nodes of its cluster: its id and how many jobs it runs, which every node of the cluster runs
 * too (they share their settings). The leases of its jobs share it: each asks the cluster how many jobs each node
 * holds ({@link Spread}) and, one lease at a time ({@code synchronized} on this node), takes a job while this node
 * holds fewer than its share or gives one up while it holds more.
 */
public final class ClusterNode {

    private final String id;
    private final int jobs;

    public ClusterNode(String id, int jobs) {
        if (jobs < 1) {
            throw new IllegalArgumentException("A node of a cluster runs at least one job, not " + jobs);
        }
        this.id = id;
        this.jobs = jobs;
    }

    public String id() {
        return id;
    }

    /** How many jobs this node, and so the cluster, runs. */
    public int jobs() {
        return jobs;
    }

    /**
     * The jobs' spread now, from what each live node holds (every node with a lease session counts, also one that
     * holds no job).
     *
     * @param heldByNode how many of the cluster's leases each live node holds, by node
     * @param self       this node's key in {@code heldByNode}
     */
    Spread spread(Map<String, Integer> heldByNode, String self) {
        Map<String, Integer> nodes = new HashMap<>(heldByNode);
        nodes.putIfAbsent(self, 0);
        return new Spread(jobs, nodes.size(), nodes.get(self),
                nodes.values().stream().mapToInt(Integer::intValue).min().orElseThrow(),
                nodes.values().stream().mapToInt(Integer::intValue).sum());
    }

    /**
     * How the cluster's jobs are spread: each node's share is {@code jobs / nodes} jobs (the floor), and at most one
     * more (the ceiling). A node takes a free job while it holds fewer than the floor, or fewer than the ceiling when
     * no node is below the floor. It gives one up while it holds more than the ceiling, or more than the floor when
     * another node is below the floor and no job is free for it. A node that gave a job up has no reason to take it
     * back, so the jobs do not flap between nodes: two nodes with four jobs end with two each.
     *
     * @param mine   the jobs this node holds
     * @param fewest the jobs the node holding fewest holds
     * @param held   the jobs held by any node
     */
    record Spread(int jobs, int nodes, int mine, int fewest, int held) {

        int floor() {
            return jobs / nodes;
        }

        int ceiling() {
            return (jobs + nodes - 1) / nodes;
        }

        boolean mayTake() {
            return mine < floor() || mine < ceiling() && fewest >= floor();
        }

        boolean givesUp() {
            return mine > ceiling() || mine > floor() && fewest < floor() && held >= jobs;
        }

        @Override
        public String toString() {
            return "this node holds " + mine + " of " + jobs + " jobs; " + nodes + " nodes: a share of "
                    + (floor() == ceiling() ? String.valueOf(floor()) : floor() + " or " + ceiling());
        }
    }
}
