package io.github.provisioning.mapping;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * .NET date and time format strings as Entra's FormatDateTime, CDate and the other date functions use them: the
 * provisioning service formats with the en-US culture ("M/d/yyyy h:mm:ss tt") and runs in UTC.
 *
 * <p>Supported custom specifiers: {@code d dd ddd dddd}, {@code f}..{@code fffffff}, {@code F}..{@code FFFFFFF},
 * {@code g}, {@code h hh H HH m mm s ss}, {@code M MM MMM MMMM}, {@code t tt}, {@code y yy yyy yyyy} (and longer),
 * {@code z zz zzz}, {@code K}, {@code :} and {@code /}, quoted literals, {@code \} escapes, {@code %}, and an unquoted
 * {@code Z} (read as the UTC designator, as .NET's parser does). Standard formats: {@code d D f F g G M m O o R r s t
 * T u U Y y}. Not supported, with an ExpressionException rather than a wrong value: other cultures' month and day
 * names, non-Gregorian calendars, and more than 7 fraction digits.
 */
final class DotNetDateFormat {

    /** en-US "G": how Entra writes a DateTime. */
    static final String GENERAL = "M/d/yyyy h:mm:ss tt";

    private static final String SPECIFIERS = "dfFghHKmMstyz";
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July",
            "August", "September", "October", "November", "December"};
    /** In .NET's DayOfWeek order: Sunday is 0. */
    private static final String[] DAYS = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
            "Saturday"};
    private static final String ROUNDTRIP = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK";
    private static final String RFC1123 = "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'";
    private static final Map<Character, String> STANDARD = Map.ofEntries(
            Map.entry('d', "M/d/yyyy"), Map.entry('D', "dddd, MMMM d, yyyy"),
            Map.entry('f', "dddd, MMMM d, yyyy h:mm tt"), Map.entry('F', "dddd, MMMM d, yyyy h:mm:ss tt"),
            Map.entry('g', "M/d/yyyy h:mm tt"), Map.entry('G', GENERAL), Map.entry('M', "MMMM d"),
            Map.entry('m', "MMMM d"), Map.entry('O', ROUNDTRIP), Map.entry('o', ROUNDTRIP), Map.entry('R', RFC1123),
            Map.entry('r', RFC1123), Map.entry('s', "yyyy'-'MM'-'dd'T'HH':'mm':'ss"), Map.entry('t', "h:mm tt"),
            Map.entry('T', "h:mm:ss tt"), Map.entry('u', "yyyy'-'MM'-'dd HH':'mm':'ss'Z'"),
            Map.entry('U', "dddd, MMMM d, yyyy h:mm:ss tt"), Map.entry('Y', "MMMM yyyy"),
            Map.entry('y', "MMMM yyyy"));

    /** .NET's DateTimeStyles. */
    enum Style {
        ALLOW_LEADING_WHITE("AllowLeadingWhite", 1), ALLOW_TRAILING_WHITE("AllowTrailingWhite", 2),
        ALLOW_INNER_WHITE("AllowInnerWhite", 4), NO_CURRENT_DATE_DEFAULT("NoCurrentDateDefault", 8),
        ADJUST_TO_UNIVERSAL("AdjustToUniversal", 16), ASSUME_LOCAL("AssumeLocal", 32),
        ASSUME_UNIVERSAL("AssumeUniversal", 64), ROUNDTRIP_KIND("RoundtripKind", 128);

        final String dotNetName;
        final int flag;

        Style(String dotNetName, int flag) {
            this.dotNetName = dotNetName;
            this.flag = flag;
        }
    }

    /** Entra: "If left empty, the default value used is DateTimeStyles.RoundtripKind, AllowLeadingWhite, AllowTrailingWhite". */
    static final Set<Style> DEFAULT_STYLES = EnumSet.of(Style.ROUNDTRIP_KIND, Style.ALLOW_LEADING_WHITE,
            Style.ALLOW_TRAILING_WHITE);

    private DotNetDateFormat() {
    }

    private sealed interface Token permits Field, Literal, UtcDesignator {
    }

    private record Field(char letter, int count) implements Token {
    }

    private record Literal(String text) implements Token {
    }

    /** An unquoted Z: written as "Z", read as "this time is UTC". */
    private record UtcDesignator() implements Token {
    }

    private static ExpressionException error(String message) {
        return new ExpressionException(message, -1);
    }

    /**
     * Reads DateTimeStyles as .NET's Enum.Parse does: names (with or without "DateTimeStyles.") or numbers,
     * separated by commas; "None", AllowWhiteSpaces and the documented default included.
     */
    static Set<Style> styles(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_STYLES;
        }
        Set<Style> styles = EnumSet.noneOf(Style.class);
        for (String part : text.split("[,|]")) {
            String name = part.trim();
            if (name.startsWith("DateTimeStyles.")) {
                name = name.substring("DateTimeStyles.".length());
            }
            if (name.equalsIgnoreCase("None")) {
                continue;
            }
            if (name.equalsIgnoreCase("AllowWhiteSpaces")) {
                styles.addAll(EnumSet.of(Style.ALLOW_LEADING_WHITE, Style.ALLOW_TRAILING_WHITE, Style.ALLOW_INNER_WHITE));
                continue;
            }
            if (name.matches("\\d{1,3}")) {
                int flags = Integer.parseInt(name);
                for (Style style : Style.values()) {
                    if ((flags & style.flag) != 0) {
                        styles.add(style);
                        flags &= ~style.flag;
                    }
                }
                if (flags != 0) {
                    throw error("'" + name + "' is not a DateTimeStyles value");
                }
                continue;
            }
            Style style = null;
            for (Style candidate : Style.values()) {
                if (candidate.dotNetName.equalsIgnoreCase(name)) {
                    style = candidate;
                }
            }
            if (style == null) {
                throw error("'" + part.trim() + "' is not a DateTimeStyles value");
            }
            styles.add(style);
        }
        // .NET rejects these combinations with an ArgumentException.
        if (styles.contains(Style.ROUNDTRIP_KIND) && (styles.contains(Style.ADJUST_TO_UNIVERSAL)
                || styles.contains(Style.ASSUME_LOCAL) || styles.contains(Style.ASSUME_UNIVERSAL))) {
            throw error("DateTimeStyles RoundtripKind cannot be combined with AdjustToUniversal, AssumeLocal or AssumeUniversal");
        }
        if (styles.contains(Style.ASSUME_LOCAL) && styles.contains(Style.ASSUME_UNIVERSAL)) {
            throw error("DateTimeStyles AssumeLocal and AssumeUniversal cannot be combined");
        }
        return styles;
    }

    private static List<Token> tokens(String format) {
        if (format == null || format.isEmpty()) {
            throw error("The date format is empty");
        }
        if (format.length() == 1) {
            String standard = STANDARD.get(format.charAt(0));
            if (standard == null) {
                throw error("'" + format + "' is not a .NET standard date and time format");
            }
            format = standard;
        }
        List<Token> tokens = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (SPECIFIERS.indexOf(c) >= 0) {
                int count = 1;
                while (i + count < format.length() && format.charAt(i + count) == c) {
                    count++;
                }
                flush(literal, tokens);
                tokens.add(new Field(c, count));
                i += count;
            } else if (c == '\'' || c == '"') {
                int j = i + 1;
                while (j < format.length() && format.charAt(j) != c) {
                    if (format.charAt(j) == '\\' && j + 1 < format.length()) {
                        j++;
                    }
                    literal.append(format.charAt(j++));
                }
                if (j >= format.length()) {
                    throw error("A quote is not closed in the date format '" + format + "'");
                }
                i = j + 1;
            } else if (c == '%') {
                if (i + 1 >= format.length() || SPECIFIERS.indexOf(format.charAt(i + 1)) < 0) {
                    throw error("'%' must come before a format specifier in '" + format + "'");
                }
                flush(literal, tokens);
                tokens.add(new Field(format.charAt(i + 1), 1));
                i += 2;
            } else if (c == '\\') {
                if (i + 1 >= format.length()) {
                    throw error("The date format '" + format + "' ends with '\\'");
                }
                literal.append(format.charAt(i + 1));
                i += 2;
            } else if (c == 'Z') {
                flush(literal, tokens);
                tokens.add(new UtcDesignator());
                i++;
            } else {
                literal.append(c);
                i++;
            }
        }
        flush(literal, tokens);
        return tokens;
    }

    private static void flush(StringBuilder literal, List<Token> tokens) {
        if (!literal.isEmpty()) {
            tokens.add(new Literal(literal.toString()));
            literal.setLength(0);
        }
    }

    // ---- formatting

    static String format(DateTimeValue date, String format) {
        LocalDateTime t = date.value();
        StringBuilder out = new StringBuilder();
        for (Token token : tokens(format)) {
            if (token instanceof Literal literal) {
                out.append(literal.text());
            } else if (token instanceof UtcDesignator) {
                out.append('Z');
            } else if (token instanceof Field field) {
                formatField(out, field.letter(), field.count(), t, date.kind());
            }
        }
        return out.toString();
    }

    private static void formatField(StringBuilder out, char letter, int n, LocalDateTime t, DateTimeValue.Kind kind) {
        switch (letter) {
            case 'd' -> out.append(n == 1 ? String.valueOf(t.getDayOfMonth()) : n == 2 ? pad(t.getDayOfMonth(), 2)
                    : n == 3 ? day(t).substring(0, 3) : day(t));
            case 'M' -> out.append(n == 1 ? String.valueOf(t.getMonthValue()) : n == 2 ? pad(t.getMonthValue(), 2)
                    : n == 3 ? MONTHS[t.getMonthValue() - 1].substring(0, 3) : MONTHS[t.getMonthValue() - 1]);
            case 'y' -> out.append(n == 1 ? String.valueOf(t.getYear() % 100) : n == 2 ? pad(t.getYear() % 100, 2)
                    : pad(t.getYear(), n));
            case 'h' -> out.append(pad(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, Math.min(n, 2)));
            case 'H' -> out.append(pad(t.getHour(), Math.min(n, 2)));
            case 'm' -> out.append(pad(t.getMinute(), Math.min(n, 2)));
            case 's' -> out.append(pad(t.getSecond(), Math.min(n, 2)));
            case 't' -> out.append(n == 1 ? (t.getHour() < 12 ? "A" : "P") : (t.getHour() < 12 ? "AM" : "PM"));
            case 'f', 'F' -> {
                if (n > 7) {
                    throw error("More than 7 fraction digits ('" + String.valueOf(letter).repeat(n) + "') in a date format");
                }
                String digits = pad(t.getNano() / 100, 7).substring(0, n);
                if (letter == 'F') {
                    digits = digits.replaceFirst("0+$", "");
                    if (digits.isEmpty() && !out.isEmpty() && out.charAt(out.length() - 1) == '.') {
                        // .NET drops the decimal point in front of an all-zero F fraction.
                        out.setLength(out.length() - 1);
                    }
                }
                out.append(digits);
            }
            case 'g' -> out.append("A.D.");
            // The service runs in UTC: the local offset is zero.
            case 'z' -> out.append(n == 1 ? "+0" : n == 2 ? "+00" : "+00:00");
            case 'K' -> out.append((kind == DateTimeValue.Kind.UTC ? "Z"
                    : kind == DateTimeValue.Kind.LOCAL ? "+00:00" : "").repeat(n));
            default -> throw new IllegalStateException("not a specifier: " + letter);
        }
    }

    private static String day(LocalDateTime t) {
        return DAYS[t.getDayOfWeek().getValue() % 7];
    }

    private static String pad(long value, int width) {
        String digits = String.valueOf(value);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    // ---- parsing with a format (DateTime.ParseExact)

    /** The parts read from the input. */
    private static final class Parts {
        Integer year;
        Integer month;
        Integer day;
        int hour;
        int minute;
        int second;
        long ticks;
        Boolean pm;
        Integer dayOfWeek;
        Integer offsetMinutes;
        boolean utc;
        boolean twoDigitYear;
        boolean time;
    }

    /** A position in the text being parsed. */
    private static final class Cursor {
        final String text;
        int pos;

        Cursor(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        char peek() {
            return text.charAt(pos);
        }

        void skipWhite() {
            while (!atEnd() && Character.isWhitespace(peek())) {
                pos++;
            }
        }

        int digits(int min, int max) {
            int start = pos;
            long value = 0;
            while (!atEnd() && pos - start < max && peek() >= '0' && peek() <= '9') {
                value = value * 10 + (text.charAt(pos++) - '0');
            }
            if (pos - start < min) {
                return -1;
            }
            return (int) value;
        }

        /** Index in names of the name at the cursor, case-insensitively, longest first; -1 if none. */
        int name(String[] names, boolean abbreviated) {
            int found = -1;
            int length = 0;
            for (int i = 0; i < names.length; i++) {
                String name = abbreviated ? names[i].substring(0, 3) : names[i];
                if (text.regionMatches(true, pos, name, 0, name.length()) && name.length() > length) {
                    found = i;
                    length = name.length();
                }
            }
            pos += length;
            return found;
        }
    }

    /**
     * DateTime.ParseExact(input, format, en-US, styles) on a UTC host.
     *
     * @param today the date .NET fills in when the format has no date part
     */
    static DateTimeValue parseExact(String input, String format, Set<Style> styles, LocalDate today) {
        List<Token> tokens = tokens(format);
        Cursor in = new Cursor(input);
        Parts parts = new Parts();
        if (styles.contains(Style.ALLOW_LEADING_WHITE)) {
            in.skipWhite();
        }
        for (int i = 0; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            boolean ok;
            if (token instanceof Literal literal) {
                // .NET: a '.' before an F fraction may be missing when the fraction is.
                boolean optional = literal.text().equals(".") && i + 1 < tokens.size()
                        && tokens.get(i + 1) instanceof Field f && f.letter() == 'F';
                ok = matchLiteral(in, literal.text(), styles) || optional;
            } else if (token instanceof UtcDesignator) {
                ok = !in.atEnd() && (in.peek() == 'Z' || in.peek() == 'z');
                if (ok) {
                    in.pos++;
                    parts.utc = true;
                }
            } else {
                Field field = (Field) token;
                ok = parseField(in, field.letter(), field.count(), parts);
            }
            if (!ok) {
                throw mismatch(input, format);
            }
        }
        if (styles.contains(Style.ALLOW_TRAILING_WHITE)) {
            in.skipWhite();
        }
        if (!in.atEnd()) {
            throw mismatch(input, format);
        }
        return build(parts, styles, today, input, format);
    }

    private static ExpressionException mismatch(String input, String format) {
        return error("'" + input + "' does not match the date format '" + format + "'");
    }

    private static boolean matchLiteral(Cursor in, String literal, Set<Style> styles) {
        for (int i = 0; i < literal.length(); i++) {
            char c = literal.charAt(i);
            if (Character.isWhitespace(c)) {
                if (styles.contains(Style.ALLOW_INNER_WHITE)) {
                    in.skipWhite();
                    continue;
                }
                if (in.atEnd() || !Character.isWhitespace(in.peek())) {
                    return false;
                }
                in.pos++;
            } else {
                if (styles.contains(Style.ALLOW_INNER_WHITE)) {
                    in.skipWhite();
                }
                if (in.atEnd() || in.peek() != c) {
                    return false;
                }
                in.pos++;
            }
        }
        return true;
    }

    private static boolean parseField(Cursor in, char letter, int n, Parts parts) {
        switch (letter) {
            case 'd' -> {
                if (n >= 3) {
                    int day = in.name(DAYS, n == 3);
                    parts.dayOfWeek = day;
                    return day >= 0;
                }
                parts.day = in.digits(n == 1 ? 1 : 2, 2);
                return parts.day >= 0;
            }
            case 'M' -> {
                int month = n >= 3 ? in.name(MONTHS, n == 3) + 1 : in.digits(n == 1 ? 1 : 2, 2);
                parts.month = month;
                return month > 0 || (n < 3 && month == 0);
            }
            case 'y' -> {
                int year = n == 1 ? in.digits(1, 2) : in.digits(n, n);
                parts.year = year;
                parts.twoDigitYear = n <= 2;
                return year >= 0;
            }
            case 'h', 'H', 'm', 's' -> {
                int value = in.digits(n == 1 ? 1 : 2, 2);
                parts.time = true;
                switch (letter) {
                    case 'm' -> parts.minute = value;
                    case 's' -> parts.second = value;
                    default -> parts.hour = value;
                }
                return value >= 0;
            }
            case 'f', 'F' -> {
                if (n > 7) {
                    throw error("More than 7 fraction digits in a date format");
                }
                int start = in.pos;
                int value = in.digits(letter == 'f' ? n : 0, n);
                int read = in.pos - start;
                parts.ticks = read == 0 ? 0 : value * (long) Math.pow(10, 7 - read);
                return value >= 0;
            }
            case 't' -> {
                if (in.atEnd()) {
                    return false;
                }
                char c = Character.toUpperCase(in.peek());
                if (c != 'A' && c != 'P') {
                    return false;
                }
                in.pos++;
                if (n >= 2) {
                    if (in.atEnd() || Character.toUpperCase(in.peek()) != 'M') {
                        return false;
                    }
                    in.pos++;
                }
                parts.pm = c == 'P';
                return true;
            }
            case 'z' -> {
                return offset(in, parts, n >= 3);
            }
            case 'K' -> {
                if (!in.atEnd() && (in.peek() == 'Z' || in.peek() == 'z')) {
                    in.pos++;
                    parts.utc = true;
                    return true;
                }
                return in.atEnd() || (in.peek() != '+' && in.peek() != '-') || offset(in, parts, true);
            }
            case 'g' -> {
                String rest = in.text.substring(in.pos).toUpperCase(Locale.ROOT);
                in.pos += rest.startsWith("A.D.") ? 4 : rest.startsWith("AD") ? 2 : 0;
                return true;
            }
            default -> throw new IllegalStateException("not a specifier: " + letter);
        }
    }

    private static boolean offset(Cursor in, Parts parts, boolean minutes) {
        if (in.atEnd() || (in.peek() != '+' && in.peek() != '-')) {
            return false;
        }
        int sign = in.peek() == '-' ? -1 : 1;
        in.pos++;
        int hours = in.digits(1, 2);
        if (hours < 0 || hours > 14) {
            return false;
        }
        int mins = 0;
        if (minutes) {
            if (!in.atEnd() && in.peek() == ':') {
                in.pos++;
            }
            mins = in.digits(2, 2);
            if (mins < 0 || mins > 59) {
                return false;
            }
        }
        parts.offsetMinutes = sign * (hours * 60 + mins);
        return true;
    }

    private static DateTimeValue build(Parts parts, Set<Style> styles, LocalDate today, String input, String format) {
        int hour = parts.hour;
        if (parts.pm != null) {
            if (hour > 12) {
                throw error("'" + input + "' has an hour above 12 with AM/PM (format '" + format + "')");
            }
            hour = hour % 12 + (parts.pm ? 12 : 0);
        }
        boolean noDate = parts.year == null && parts.month == null && parts.day == null;
        LocalDate base = noDate && styles.contains(Style.NO_CURRENT_DATE_DEFAULT) ? LocalDate.of(1, 1, 1) : today;
        int year = parts.year == null ? base.getYear() : parts.year;
        if (parts.year != null && parts.twoDigitYear) {
            // .NET's Gregorian calendar: TwoDigitYearMax 2049.
            year = year > 49 ? 1900 + year : 2000 + year;
        }
        int month = parts.month == null ? (noDate ? base.getMonthValue() : 1) : parts.month;
        int day = parts.day == null ? (noDate ? base.getDayOfMonth() : 1) : parts.day;
        LocalDateTime wall;
        try {
            wall = LocalDateTime.of(year, month, day, hour, parts.minute, parts.second).plusNanos(parts.ticks * 100);
        } catch (DateTimeException e) {
            throw error("'" + input + "' is not a valid date for the format '" + format + "': " + e.getMessage());
        }
        if (parts.dayOfWeek != null && wall.getDayOfWeek().getValue() % 7 != parts.dayOfWeek) {
            throw error("'" + input + "' names the wrong day of the week");
        }
        boolean adjust = styles.contains(Style.ADJUST_TO_UNIVERSAL);
        if (parts.utc || parts.offsetMinutes != null) {
            LocalDateTime utc = parts.utc ? wall : wall.minusMinutes(parts.offsetMinutes);
            boolean keepUtc = parts.utc && styles.contains(Style.ROUNDTRIP_KIND);
            // .NET converts a time with an offset to local time, which is UTC on the provisioning service.
            return new DateTimeValue(utc, keepUtc || adjust ? DateTimeValue.Kind.UTC : DateTimeValue.Kind.LOCAL);
        }
        if (styles.contains(Style.ASSUME_LOCAL) || styles.contains(Style.ASSUME_UNIVERSAL)) {
            return new DateTimeValue(wall, adjust ? DateTimeValue.Kind.UTC : DateTimeValue.Kind.LOCAL);
        }
        return new DateTimeValue(wall, DateTimeValue.Kind.UNSPECIFIED);
    }

    // ---- parsing without a format (DateTime.Parse, as CDate does)

    private static final String TIME = "(?:[T ]\\s*(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,7}))?)?\\s*([AP]M)?)?";
    private static final String ZONE = "\\s*(Z|GMT|UTC|[+-]\\d{1,2}(?::?\\d{2})?)?";
    private static final Pattern ISO = Pattern.compile(
            "(\\d{4})[-/.](\\d{1,2})[-/.](\\d{1,2})" + TIME + ZONE, Pattern.CASE_INSENSITIVE);
    private static final Pattern US = Pattern.compile(
            "(\\d{1,2})[/-](\\d{1,2})[/-](\\d{4}|\\d{2})" + TIME.replace("[T ]\\s*", "\\s+") + ZONE,
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NAMED = Pattern.compile(
            "(?:[A-Za-z]+,\\s*)?(?:(\\d{1,2})\\s+([A-Za-z]+)|([A-Za-z]+)\\s+(\\d{1,2}),?)\\s+(\\d{4})"
                    + TIME.replace("[T ]\\s*", "\\s+") + ZONE, Pattern.CASE_INSENSITIVE);

    /**
     * DateTime.Parse with the en-US culture, enough for what Entra's examples and HR systems send: ISO 8601
     * ("2009-06-15T01:45:30-07:00", "2020-03-16-07:00", "2021-08-24"), en-US ("8/25/2021 5:41:18 PM") and
     * month names ("Mon, 15 Jun 2009 08:45:30 GMT", "June 15, 2009"). A time with an offset becomes UTC.
     */
    static DateTimeValue parse(String input) {
        String text = input.trim();
        Matcher m = ISO.matcher(text);
        if (m.matches()) {
            return assemble(input, num(m.group(1)), num(m.group(2)), num(m.group(3)), m, 4);
        }
        m = US.matcher(text);
        if (m.matches()) {
            int year = num(m.group(3));
            if (m.group(3).length() == 2) {
                year = year > 49 ? 1900 + year : 2000 + year;
            }
            return assemble(input, year, num(m.group(1)), num(m.group(2)), m, 4);
        }
        m = NAMED.matcher(text);
        if (m.matches()) {
            String monthName = m.group(2) != null ? m.group(2) : m.group(3);
            int month = monthNumber(monthName);
            if (month < 1) {
                throw error("'" + input + "' is not a date and time .NET can read");
            }
            int day = num(m.group(1) != null ? m.group(1) : m.group(4));
            return assemble(input, num(m.group(5)), month, day, m, 6);
        }
        throw error("'" + input + "' is not a date and time .NET can read");
    }

    private static int monthNumber(String name) {
        for (int i = 0; i < MONTHS.length; i++) {
            if (MONTHS[i].equalsIgnoreCase(name) || (name.length() >= 3
                    && MONTHS[i].regionMatches(true, 0, name, 0, name.length()))) {
                return i + 1;
            }
        }
        return -1;
    }

    private static int num(String digits) {
        return Integer.parseInt(digits);
    }

    private static DateTimeValue assemble(String input, int year, int month, int day, Matcher m, int g) {
        int hour = m.group(g) == null ? 0 : num(m.group(g));
        int minute = m.group(g + 1) == null ? 0 : num(m.group(g + 1));
        int second = m.group(g + 2) == null ? 0 : num(m.group(g + 2));
        String fraction = m.group(g + 3);
        String ampm = m.group(g + 4);
        String zone = m.group(g + 5);
        if (ampm != null) {
            if (hour > 12) {
                throw error("'" + input + "' has an hour that does not go with " + ampm);
            }
            hour = hour % 12 + (ampm.equalsIgnoreCase("PM") ? 12 : 0);
        }
        LocalDateTime wall;
        try {
            wall = LocalDateTime.of(year, month, day, hour, minute, second);
        } catch (DateTimeException e) {
            throw error("'" + input + "' is not a valid date: " + e.getMessage());
        }
        if (fraction != null) {
            wall = wall.plusNanos(Long.parseLong((fraction + "000000").substring(0, 7)) * 100);
        }
        if (zone == null) {
            return new DateTimeValue(wall, DateTimeValue.Kind.UNSPECIFIED);
        }
        int offset = 0;
        if (zone.charAt(0) == '+' || zone.charAt(0) == '-') {
            String digits = zone.substring(1).replace(":", "");
            int hours = num(digits.length() <= 2 ? digits : digits.substring(0, digits.length() - 2));
            int minutes = digits.length() <= 2 ? 0 : num(digits.substring(digits.length() - 2));
            if (hours > 14 || minutes > 59) {
                throw error("'" + input + "' has an offset out of range");
            }
            offset = (zone.charAt(0) == '-' ? -1 : 1) * (hours * 60 + minutes);
        }
        // .NET turns a time with an offset into local time, which is UTC on the provisioning service.
        return new DateTimeValue(wall.minusMinutes(offset), DateTimeValue.Kind.LOCAL);
    }
}
