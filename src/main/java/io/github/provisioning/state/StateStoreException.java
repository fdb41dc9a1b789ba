package io.github.provisioning.state;

import java.sql.SQLException;

/** A statement of the state store failed: the database refused it or could not be reached. */
public class StateStoreException extends RuntimeException {

    StateStoreException(SQLException cause) {
        super("State store: " + cause.getMessage(), cause);
    }
}
