package io.github.provisioning.mapping;

import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A .NET DateTime as Entra's date functions pass it around: what {@code CDate}, {@code Now}, {@code DateAdd} and
 * {@code DateFromNum} return. Entra: "DateTime isn't a native attribute type"; when it flows to a target or into a
 * string function it is written "M/d/yyyy h:mm:ss tt", as the page's CDate, DateAdd and Now examples show.
 *
 * <p>The provisioning service runs in UTC, so local time is UTC: {@code value} is always the UTC wall time and
 * {@code kind} only matters to the {@code K} format specifier.
 *
 * @param value the UTC date and time, at .NET's precision of 100 ns, between years 1 and 9999
 * @param kind  .NET's DateTimeKind
 */
public record DateTimeValue(LocalDateTime value, Kind kind) implements Comparable<DateTimeValue> {

    public enum Kind { UTC, LOCAL, UNSPECIFIED }

    public DateTimeValue {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(kind, "kind");
        if (value.getYear() < 1 || value.getYear() > 9999) {
            throw new ExpressionException("The date " + value + " is outside .NET's range (years 1 to 9999)", -1);
        }
        value = value.truncatedTo(ChronoUnit.MICROS).plusNanos(value.getNano() % 1000 / 100 * 100);
    }

    public static DateTimeValue utc(LocalDateTime value) {
        return new DateTimeValue(value, Kind.UTC);
    }

    @Override
    public int compareTo(DateTimeValue other) {
        return value.compareTo(other.value);
    }

    /** Entra's rendering of a DateTime: "M/d/yyyy h:mm:ss tt". */
    @Override
    public String toString() {
        return DotNetDateFormat.format(this, DotNetDateFormat.GENERAL);
    }
}
