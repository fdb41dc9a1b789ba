package io.github.provisioning.mapping;

/** An expression that cannot be parsed (position is the 0-based character offset) or evaluated (position -1). */
public class ExpressionException extends RuntimeException {
    private final int position;

    public ExpressionException(String message, int position) {
        super(position >= 0 ? message + " at position " + position : message);
        this.position = position;
    }

    public ExpressionException(String message, int position, Throwable cause) {
        super(position >= 0 ? message + " at position " + position : message, cause);
        this.position = position;
    }

    public int position() {
        return position;
    }
}
