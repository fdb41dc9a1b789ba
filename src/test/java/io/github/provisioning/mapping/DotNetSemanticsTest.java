package io.github.provisioning.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** FormatDateTime's .NET format strings and Replace's .NET regular expressions. */
class DotNetSemanticsTest {

    private static Object eval(String expression, Map<String, Object> attributes) {
        Evaluation evaluation = new Evaluation(attributes::get, UniquenessCheck.EVERY_VALUE_IS_UNIQUE,
                Clock.fixed(Instant.parse("2021-08-25T17:41:18Z"), ZoneOffset.UTC), new SplittableRandom(1));
        return Expression.parse(expression).evaluate(evaluation);
    }

    private static Object format(String date, String inputFormat, String outputFormat) {
        return eval("FormatDateTime([d], \"" + inputFormat + "\", \"" + outputFormat + "\")", Map.of("d", date));
    }

    @ParameterizedTest(name = "{0} read as {1} and written as {2} is {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "20150123105347.1Z|yyyyMMddHHmmss.fZ|yyyy-MM-dd|2015-01-23",
            "20150123105347.1Z|yyyyMMddHHmmss.fZ|o|2015-01-23T10:53:47.1000000Z",
            "20150123105347.1Z|yyyyMMddHHmmss.fZ|yyyy-MM-ddTHH:mm:ss.FFFK|2015-01-23T10:53:47.1Z",
            // a time with an offset becomes local time, which is UTC on the provisioning service
            "2020-12-31-08:00|yyyy-MM-ddzzz|yyyy-MM-dd HH:mm K|2020-12-31 08:00 +00:00",
            "2021-06-30+08:00|yyyy-MM-ddzzz|yyyy-MM-dd|2021-06-29",
            "12/31/2020 05:00:00 PM|M/d/yyyy hh:mm:ss tt|yyyy-MM-dd HH:mm|2020-12-31 17:00",
            "12/31/2020 12:00:00 AM|M/d/yyyy hh:mm:ss tt|HH:mm|00:00",
            "2021-08-25|yyyy-MM-dd|dddd, MMMM d, yyyy|Wednesday, August 25, 2021",
            "2021-08-25|yyyy-MM-dd|ddd dd MMM yy|Wed 25 Aug 21",
            "2021-08-05 07:04:09|yyyy-MM-dd HH:mm:ss|M/d/yyyy h:mm:ss tt|8/5/2021 7:04:09 AM",
            "2021-08-05 07:04:09|yyyy-MM-dd HH:mm:ss|%h t|7 A",
            "2021-08-05 07:04:09|yyyy-MM-dd HH:mm:ss|'Day' d 'of' MMMM|Day 5 of August",
            "2021-08-05 07:04:09|yyyy-MM-dd HH:mm:ss|\\\\d\\\\a\\\\y d|day 5",
            "2021-08-05 07:04:09|yyyy-MM-dd HH:mm:ss|yyyyMMddHHmmss.0Z|20210805070409.0Z",
            "2021-08-05 07:04:09|yyyy-MM-dd HH:mm:ss|s|2021-08-05T07:04:09",
            "2021-08-05 07:04:09|yyyy-MM-dd HH:mm:ss|u|2021-08-05 07:04:09Z",
            "2021-08-05 07:04:09|yyyy-MM-dd HH:mm:ss|r|Thu, 05 Aug 2021 07:04:09 GMT",
            "2021-08-05 07:04:09|yyyy-MM-dd HH:mm:ss|d|8/5/2021",
            "2021-08-05 07:04:09|yyyy-MM-dd HH:mm:ss|HH:mm:ss.FFF|07:04:09",
            "2021-08-05 07:04:09|yyyy-MM-dd HH:mm:ss|%K|``",
            "Thursday, 5 August 2021|dddd, d MMMM yyyy|yyyy-MM-dd|2021-08-05",
            "05-aug-21|dd-MMM-yy|yyyy-MM-dd|2021-08-05",
            "05-aug-50|dd-MMM-yy|yyyy-MM-dd|1950-08-05",
            "10:30|HH:mm|yyyy-MM-dd HH:mm|2021-08-25 10:30",
            "  2021-08-05  |yyyy-MM-dd|yyyy|2021"})
    void formatDateTimeReadsAndWritesDotNetFormats(String source, String input, String output, String expected) {
        assertThat(format(source, input, output)).isEqualTo(expected);
    }

    @Test
    void theDateTimeStylesArgumentChangesHowTheSourceIsRead() {
        Map<String, Object> user = Map.of("d", "  2021-08-05", "z", "2021-08-05T10:00:00Z");
        assertThat(eval("FormatDateTime([d], , \"yyyy-MM-dd\", \"yyyy\")", user)).isEqualTo("2021");
        assertThatThrownBy(() -> eval("FormatDateTime([d], \"None\", \"yyyy-MM-dd\", \"yyyy\")", user))
                .hasMessage("FormatDateTime: '  2021-08-05' does not match the date format 'yyyy-MM-dd'");
        assertThat(eval("FormatDateTime([d], \"AllowWhiteSpaces\", \"yyyy-MM-dd\", \"yyyy\")", user)).isEqualTo("2021");
        assertThat(eval("FormatDateTime([z], , \"yyyy-MM-ddTHH:mm:ssK\", \"HH:mm K\")", user)).isEqualTo("10:00 Z");
        assertThat(eval("FormatDateTime([z], \"AdjustToUniversal\", \"yyyy-MM-ddTHH:mm:ssK\", \"HH:mm K\")", user))
                .isEqualTo("10:00 Z");
        assertThat(eval("FormatDateTime([z], \"DateTimeStyles.None\", \"yyyy-MM-ddTHH:mm:ssK\", \"HH:mm K\")", user))
                .isEqualTo("10:00 +00:00");
        assertThatThrownBy(() -> eval("FormatDateTime([z], \"RoundtripKind, AssumeLocal\", \"yyyy\", \"yyyy\")", user))
                .hasMessageContaining("RoundtripKind cannot be combined");
    }

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "2021-02-30|yyyy-MM-dd|is not a valid date",
            "2021-8-5|yyyy-MM-dd|does not match the date format",
            "13:00 PM|hh:mm tt|has an hour above 12 with AM/PM",
            "Monday, 5 August 2021|dddd, d MMMM yyyy|names the wrong day of the week",
            "2021-08-05|x|is not a .NET standard date and time format",
            "2021-08-05|K|is not a .NET standard date and time format",
            "2021-08-05|'yyyy|A quote is not closed"})
    void aSourceThatDoesNotFitTheFormatIsAnErrorNamingFormatDateTime(String source, String input, String message) {
        assertThatThrownBy(() -> format(source, input, "yyyy")).isInstanceOf(ExpressionException.class)
                .hasMessageStartingWith("FormatDateTime: ").hasMessageContaining(message);
    }

    @ParameterizedTest(name = "Replace({0}, {1}, {2}) is {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            // .NET numbers named groups after the unnamed ones
            "ab|(?<x>a)(b)|$1$2|ba",
            "ab|(?<x>a)(b)|${x}-$2|a-a",
            "ab|(?<first_letter>a)|<${first_letter}>|<a>b",
            "ab|b|$$|a$",
            "ab|b|[$&]|a[b]",
            "abc|b|[$`$']|a[ac]c",
            "ab|b|[$_]|a[ab]",
            "ab|(a)(b)|[$+]|[b]",
            "ab|(a)|$10|a0b",
            "ab|(a)|${9}|${9}b",
            "ab|a|$x|$xb",
            "ab|a|\\|\\b",
            // \\d and \\w match Unicode digits and letters, as in .NET
            "x٣y|\\\\d|#|x#y",
            "é-1|\\\\w+|w|w-w",
            // '[' inside a character class is a literal in .NET
            "a[b|[[]|_|a_b"})
    void replaceUsesDotNetRegularExpressionsAndSubstitutions(String source, String pattern, String replacement,
                                                             String expected) {
        Object value = eval("Replace([s], , \"" + pattern + "\", , \"" + replacement.replace("\\", "\\\\") + "\", , )",
                Map.of("s", source));
        assertThat(value).isEqualTo(expected);
    }

    @Test
    void replaceWithAGroupNameReplacesOnlyThatGroupInEveryMatch() {
        assertThat(eval("Replace([s], , \"(?<n>\\\\d+)(?<unit>[a-z]+)\", \"n\", \"#\", , )", Map.of("s", "10kg 5m x")))
                .isEqualTo("#kg #m x");
        assertThat(eval("Replace([s], , \"(?<n>\\\\d+)?(?<unit>[a-z]+)\", \"n\", \"#\", , )", Map.of("s", "kg")))
                .isEqualTo("kg");
        assertThatThrownBy(() -> eval("Replace([s], , \"(?<n>a)\", \"m\", \"#\", , )", Map.of("s", "a")))
                .hasMessage("Replace: The regular expression has no group named 'm'");
    }

    @Test
    void replaceWithAReplacementAttributeUsesItOnlyWhenTheSourceHasNoValue() {
        String expression = "Replace([phone], , \"\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})\", \"phoneNumber\", , [mobile], )";
        assertThat(eval(expression, Map.of("mobile", "+91 8887779999"))).isEqualTo("8887779999");
        assertThat(eval(expression, Map.of("phone", "", "mobile", "no digits"))).isNull();
        assertThat(eval(expression, Map.of("phone", ""))).isNull();
    }

    @Test
    void replaceWithOldValueIsLiteralAndCaseSensitive() {
        assertThat(eval("Replace([s], \"a.b\", , , \"-\", , )", Map.of("s", "a.b axb A.B"))).isEqualTo("- axb A.B");
        assertThat(eval("Replace([s], \"<u>\", , , , , \"<u>@<u>\")", Map.of("s", "js"))).isEqualTo("js@js");
        assertThatThrownBy(() -> eval("Replace([s], \"a\", , , , , )", Map.of("s", "a")))
                .hasMessage("Replace: oldValue needs replacementValue or template");
        assertThatThrownBy(() -> eval("Replace([s], , , , \"b\", , )", Map.of("s", "a")))
                .hasMessage("Replace: oldValue or regexPattern is required");
        assertThatThrownBy(() -> eval("Replace([s], \"\", , , \"b\", , )", Map.of("s", "a")))
                .hasMessage("Replace: oldValue cannot be an empty string");
    }
}
