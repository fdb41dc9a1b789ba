package io.github.provisioning.notify;

/** Values from source data or settings made safe for where they go in an e-mail. */
public final class MailText {

    private MailText() {
    }

    /**
     * A header value on one line: CR, LF and every other control character become a space, so a value such as
     * {@code "x\r\nBcc: evil@x"} cannot start a header of its own.
     */
    public static String headerValue(String value) {
        return oneLine(value).strip();
    }

    /** A value on one line of the text body (a source value cannot add lines that look like ours). */
    public static String oneLine(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(value.length());
        value.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return out.toString();
    }

    /** A value for HTML text or a quoted attribute. */
    public static String html(String value) {
        String line = oneLine(value);
        StringBuilder out = new StringBuilder(line.length() + 16);
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
