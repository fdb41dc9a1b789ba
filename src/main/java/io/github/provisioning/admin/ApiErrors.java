package io.github.provisioning.admin;

/** The admin API's error answer: {@code {"error": {"message": "..."}}} with a status, never a stack trace. */
final class ApiErrors {

    private ApiErrors() {
    }

    /** An error answer's body. */
    public record ApiError(Message error) {
    }

    public record Message(String message) {
    }

    static ApiReply error(int status, String message) {
        return new ApiReply(status, body(message));
    }

    static ApiError body(String message) {
        return new ApiError(new Message(message));
    }
}
