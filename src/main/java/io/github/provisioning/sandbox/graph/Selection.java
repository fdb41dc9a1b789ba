package io.github.provisioning.sandbox.graph;

/** A parsed $select of users or groups, as delta tokens carry it and @odata.context shows it. */
sealed interface Selection permits UserSelection, GroupSelection {

    /** "users" or "groups". */
    String entitySet();

    /** The selected names as Graph spells them, comma separated; "" when the request had no $select. */
    String canonical();

    default String context(String graphUrl) {
        return graphUrl + "/$metadata#" + entitySet() + (canonical().isEmpty() ? "" : "(" + canonical() + ")");
    }
}
