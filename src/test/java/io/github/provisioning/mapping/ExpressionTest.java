package io.github.provisioning.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ExpressionTest {

    private static Object eval(String expression, Map<String, Object> attributes) {
        return Expression.parse(expression).evaluate(attributes::get);
    }

    @Test
    void notFlipsIsSoftDeleted() {
        assertThat(eval("Not([IsSoftDeleted])", Map.of("IsSoftDeleted", false))).isEqualTo(true);
        assertThat(eval("Not([IsSoftDeleted])", Map.of("IsSoftDeleted", true))).isEqualTo(false);
    }

    @Test
    void joinLeavesAbsentValuesOut() {
        assertThat(eval("Join(\" \", [givenName], [surname])", Map.of("givenName", "Adele", "surname", "Vance")))
                .isEqualTo("Adele Vance");
        assertThat(eval("Join(\" \", [givenName], [surname])", Map.of("givenName", "Adele"))).isEqualTo("Adele");
        assertThat(eval("Join(\" \", [givenName], [surname])", Map.of())).isNull();
    }

    @Test
    void joinJoinsEveryValueOfAMultiValuedAttribute() {
        assertThat(eval("Join(\",\", [proxyAddresses], [mail])",
                Map.of("proxyAddresses", List.of("a", "b"), "mail", "c"))).isEqualTo("a,b,c");
    }

    @Test
    void switchWithAnEmptyArgumentIsEntrasDefaultActiveMapping() {
        String expression = "Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")";
        // Entra's default for active: "True" when not soft-deleted, "False" when soft-deleted.
        assertThat(eval(expression, Map.of("IsSoftDeleted", true))).isEqualTo("False");
        assertThat(eval(expression, Map.of("IsSoftDeleted", false))).isEqualTo("True");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Switch([country], \"Unknown\", \"FR\", \"France\", \"DE\", \"Germany\")|FR|France",
            "Switch([country], \"Unknown\", \"FR\", \"France\", \"DE\", \"Germany\")|fr|Unknown",
            "Switch([country], \"Unknown\", \"FR\", \"France\", \"DE\", \"Germany\")|IT|Unknown",
            "ToLower([country])|FR|fr",
            "ToUpper([country])|fr|FR",
            "Coalesce([missing], [country])|NL|NL",
            "CStr([country])|NL|NL"})
    void functionsFollowEntraSemantics(String expression, String country, String expected) {
        assertThat(eval(expression, Map.of("country", country))).isEqualTo(expected);
    }

    @Test
    void stringsKeepEscapedQuotesAndBackslashes() {
        assertThat(eval("Join(\"\\\"\", \"a\\\\b\", \"c\")", Map.of())).isEqualTo("a\\b\"c");
    }

    @Test
    void nullAndEmptyAreDifferent() {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("mail", "");
        assertThat(eval("IsNull([mail])", attributes)).isEqualTo(false);
        assertThat(eval("IsNullOrEmpty([mail])", attributes)).isEqualTo(true);
        assertThat(eval("IsPresent([mail])", attributes)).isEqualTo(false);
        assertThat(eval("IsNull([other])", attributes)).isEqualTo(true);
    }

    @Test
    void collectsTheAttributesItReads() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        Expression.parse("Join(\" \", [givenName], ToUpper([surname]))").collectAttributes(names);
        assertThat(names).containsExactly("givenName", "surname");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Nope([a])|Unknown function 'Nope'|0",
            "not([a])|Unknown function 'not'|0",
            "Join(\" \", [a]|')' expected to close Join|13",
            "[a|not closed with ']'|0",
            "\"abc|not closed with '\"'|0",
            "Not([a], [b])|Not takes 1 arguments, not 2|0",
            "Switch([a], \"d\", \"k\")|Switch takes at least 4 arguments, not 3|0",
            "Not([a]) x|Unexpected 'x'|9"})
    void parseErrorsNameThePosition(String expression, String message, int position) {
        assertThatThrownBy(() -> Expression.parse(expression))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((ExpressionException) e).position()).isEqualTo(position));
    }

    @Test
    void anExpressionLongerThanTenThousandCharactersIsRejected() {
        String tooLong = "\"" + "x".repeat(10_000) + "\"";
        assertThatThrownBy(() -> Expression.parse(tooLong)).hasMessageContaining("longer than 10000");
    }

    private static Object eval(String expression) {
        return eval(expression, Map.of());
    }

    private static String text(String expression, Map<String, Object> attributes) {
        return ExpressionFunction.text(eval(expression, attributes));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "\"a\\\"b\"|a\"b",
            "\"\\\\\"|\\",
            "\"\\\\\\\"\"|\\\"",
            "\"x\\y\"|xy",
            "\"\"|``",
            "\"(,)\"|(,)"})
    void aBackslashEscapesTheNextCharacterOfAString(String expression, String expected) {
        assertThat(eval(expression)).isEqualTo(expected);
    }

    @Test
    void aStringEndingInABackslashIsNotClosed() {
        assertThatThrownBy(() -> Expression.parse("Join(\"\", \"abc\\\")"))
                .isInstanceOf(ExpressionException.class).hasMessageContaining("String is not closed");
    }

    @ParameterizedTest(name = "{0} with country {1} gives {2}")
    @CsvSource(delimiter = '|', value = {
            "Switch([country], \"Unknown\", \"FR\", \"France\")|FR|France",
            // "Switch function performs a case-sensitive string comparison of the source and key values."
            "Switch([country], \"Unknown\", \"FR\", \"France\")|Fr|Unknown",
            "Switch([country], \"Unknown\", \"FR\", \"France\", \"FR\", \"Second\")|FR|France",
            "Switch([country], , \"FR\", \"France\")|DE|<null>",
            "Switch([country], \"\", \"FR\", \"France\")|DE|<empty>"})
    void switchReturnsTheFirstMatchingValueOrTheDefault(String expression, String country, String expected) {
        Object value = eval(expression, Map.of("country", country));
        assertThat(value == null ? "<null>" : value.equals("") ? "<empty>" : value).isEqualTo(expected);
    }

    @ParameterizedTest(name = "Item([proxyAddresses], {0}) gives {1}")
    @CsvSource(delimiter = '|', value = {"1|a", "2|b", "3|c", "0|<null>", "4|<null>", "-1|<null>"})
    void itemCountsFromOneAndHasNoValueOutOfRange(String index, String expected) {
        Object value = eval("Item([proxyAddresses], " + index + ")", Map.of("proxyAddresses", List.of("a", "b", "c")));
        assertThat(value == null ? "<null>" : value).isEqualTo(expected);
    }

    @Test
    void itemOfASingleValueIsThatValueAtIndexOne() {
        assertThat(eval("Item([mail], 1)", Map.of("mail", "m@x"))).isEqualTo("m@x");
        assertThat(eval("Item([mail], 2)", Map.of("mail", "m@x"))).isNull();
        assertThat(eval("Item([proxyAddresses], [n])", Map.of("proxyAddresses", List.of("a", "b"), "n", "2")))
                .isEqualTo("b");
    }

    @ParameterizedTest(name = "IIF({0}) gives {1}")
    @CsvSource(delimiter = '|', value = {
            "[n] = \"5\"|yes", "[n] = \"6\"|no",
            "[n] <> \"6\"|yes", "[n] <> \"5\"|no",
            "[n] > 4|yes", "[n] > 5|no",
            "[n] >= 5|yes", "[n] >= 6|no",
            "[n] < 6|yes", "[n] < 5|no",
            "[n] <= 5|yes", "[n] <= 4|no",
            // numbers compare as numbers, strings as case-sensitive strings
            "[n] < 10|yes", "[n] < \"10\"|no", "[name] = \"adele\"|no", "[name] = \"Adele\"|yes",
            "[name] > \"Ada\"|yes",
            "CDate([hired]) < CDate(\"2021-01-01\")|yes", "CDate([hired]) > Now()|no",
            "DateDiff(\"d\", CDate([hired]), Now()) >= 365|yes",
            "IsPresent([name]) = \"True\"|yes",
            "[name]|<error>"})
    void iifComparesWithEachDocumentedOperator(String condition, String expected) {
        Map<String, Object> user = Map.of("n", "5", "name", "Adele", "hired", "2020-03-16-07:00");
        String expression = "IIF(" + condition + ", \"yes\", \"no\")";
        if (expected.equals("<error>")) {
            assertThatThrownBy(() -> eval(expression, user)).isInstanceOf(ExpressionException.class)
                    .hasMessageContaining("IIF");
        } else {
            assertThat(eval(expression, user)).isEqualTo(expected);
        }
    }

    @Test
    void iifAcceptsABooleanOrANumberAsItsCondition() {
        assertThat(eval("IIF(IsNull([missing]), \"yes\", \"no\")", Map.of("missing", "x"))).isEqualTo("no");
        assertThat(eval("IIF(InStr(\"abc\", \"c\"), \"yes\", \"no\")")).isEqualTo("yes");
        assertThat(eval("IIF(InStr(\"abc\", \"z\"), \"yes\", \"no\")")).isEqualTo("no");
    }

    @Test
    void iifOnlyEvaluatesTheBranchItReturns() {
        assertThat(eval("IIF(\"True\", \"yes\", DateFromNum(\"bad\"))")).isEqualTo("yes");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "Join(\" \", [a] = [b])|Comparison operators are only allowed in IIF's condition and CBool's argument|14",
            "[a] = [b]|Comparison operators are only allowed|4",
            "IIF(\"x\", [a] = [b], \"y\")|Comparison operators are only allowed|13",
            "IIF([a] = [b] = [c], \"x\", \"y\")|Only one comparison is allowed|14",
            "IIF([a] == [b], \"x\", \"y\")|Unexpected '='|9",
            "IIF([a] != [b], \"x\", \"y\")|',' or ')' expected in IIF|8",
            "IIF([a] AND [b], \"x\", \"y\")|',' or ')' expected in IIF|8",
            "Not(True)|Unknown function 'True' (write booleans as strings|4",
            "toLower([a])|Unknown function 'toLower' (function names are case-sensitive: ToLower)|0",
            "SWITCH([a], \"d\", \"k\", \"v\")|function names are case-sensitive: Switch|0",
            "Left([a], 1.5)|Only whole numbers can be written without quotes|10",
            "Left([a], 99999999999999999999)|Number is too large|10",
            "BitAnd(&H, 1)|&H must be followed by 1 to 16 hexadecimal digits|7",
            "Join(\",\", SelectUniqueValue([a], [b]))|SelectUniqueValue must be at the top level|10",
            "Guid(1)|Guid takes 0 arguments, not 1|0",
            "Replace([a], \"x\", , , \"y\")|Replace takes 7 arguments, not 5|0",
            "Replace([a], , \"(unclosed\", , \"y\", , )|Replace: '(unclosed' is not a valid regular expression|15",
            "Replace([a], , \"(?(x)a)\", , \"y\", , )|uses conditional groups, which is not supported|15",
            "FormatDateTime([a], , \"yyyy\", \"ffffffff\")|More than 7 fraction digits|30",
            "FormatDateTime([a], \"Sometimes\", \"yyyy\", \"yyyy\")|'Sometimes' is not a DateTimeStyles value|20",
            "DateAdd(\"week\", 1, Now())|'week' is not an interval|8",
            "ToUpper([a], \"not a culture\")|'not a culture' is not a culture name|13",
            "Now|'(' expected after Now|3",
            "vbTextCompare(1)|Unknown function 'vbTextCompare'|0",
            "[a[b]]|Attribute name contains '['|0",
            "Join(\",\" [a])|',' or ')' expected in Join|9",
            "Replace([a], , \"(?<x>a)(b)\\\\1\", , \"y\", , )|numbered back-references with both named and unnamed groups|15"})
    void mistakesAreParseErrorsThatNameThePosition(String expression, String message, int position) {
        assertThatThrownBy(() -> Expression.parse(expression))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((ExpressionException) e).position()).isEqualTo(position));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ExpressionFunction.class)
    void anArityErrorNamesTheFunction(ExpressionFunction function) {
        String tooMany = function.name() + "(" + "\"x\", ".repeat(8) + "\"x\")";
        if (function != ExpressionFunction.Coalesce && function != ExpressionFunction.Join
                && function != ExpressionFunction.SelectUniqueValue) {
            assertThatThrownBy(() -> Expression.parse(tooMany)).isInstanceOf(ExpressionException.class)
                    .hasMessageStartingWith(function.name() + " takes ");
        }
        if (function != ExpressionFunction.Guid && function != ExpressionFunction.Now) {
            assertThatThrownBy(() -> Expression.parse(function.name() + "()"))
                    .isInstanceOf(ExpressionException.class).hasMessageStartingWith(function.name() + " takes ");
        }
    }

    @Test
    void switchNeedsAnEvenNumberOfArguments() {
        assertThatThrownBy(() -> Expression.parse("Switch([a], \"d\", \"k\", \"v\", \"k2\")"))
                .hasMessageContaining("Switch takes a source, a default and key/value pairs");
    }

    @Test
    void callsNestWithinEachOther() {
        Map<String, Object> user = Map.of("givenName", "Zoë", "surname", "de la Cruz");
        assertThat(eval("ToLower(Join(\".\", NormalizeDiacritics(Left([givenName], 3)), "
                + "StripSpaces(Replace([surname], \"de la \", , , \"\", , ))))", user)).isEqualTo("zoe.cruz");
    }

    @Test
    void callsNestAHundredDeepButNotDeeper() {
        String hundred = "Not(".repeat(100) + "[a]" + ")".repeat(100);
        assertThat(eval(hundred, Map.of("a", "True"))).isEqualTo(true);
        String deeper = "Not(".repeat(101) + "[a]" + ")".repeat(101);
        assertThatThrownBy(() -> Expression.parse(deeper))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("nests more than 100 function calls")
                .satisfies(e -> assertThat(((ExpressionException) e).position()).isEqualTo(400));
    }

    @Test
    void wholeNumbersAreWrittenWithoutQuotes() {
        assertThat(eval("DateAdd(\"d\", -10, CDate(\"2012-03-16\"))")).hasToString("3/6/2012 12:00:00 AM");
        assertThat(eval("BitAnd(&HFF, 12)")).isEqualTo(12L);
        assertThat(eval("BitAnd(\"12\", \"10\")")).isEqualTo(8L);
        assertThat(eval("Join(\"\", 1000, \"x\")")).isEqualTo("1000x");
        assertThat(eval("InStr(\"repEated\", \"e\", 3, vbTextCompare)")).isEqualTo(4L);
        assertThat(eval("InStr(\"repEated\", \"e\", 3, \"vbBinaryCompare\")")).isEqualTo(7L);
    }

    @Test
    void inStrFollowsVisualBasic() {
        assertThat(eval("InStr(\"abc\", \"z\")")).isEqualTo(0L);
        assertThat(eval("InStr(\"abc\", \"\")")).isEqualTo(1L);
        assertThat(eval("InStr(\"abc\", \"c\", 9)")).isEqualTo(0L);
        assertThatThrownBy(() -> eval("InStr(\"abc\", \"c\", 0)")).hasMessage("InStr: start must be 1 or more, not 0");
        assertThatThrownBy(() -> eval("InStr(\"abc\", \"c\", 1, \"sometimes\")")).hasMessageContaining("compareType");
    }

    @Test
    void leftMidWordAndLenFollowThePage() {
        assertThat(eval("Left(\"John\", 0)")).isEqualTo("");
        assertThat(eval("Left(\"John\", -1)")).isEqualTo("John");
        assertThat(eval("Left(\"John\", 10)")).isEqualTo("John");
        assertThat(eval("Mid(\"John\", 3, 10)")).isEqualTo("hn");
        assertThat(eval("Mid(\"John\", 5, 1)")).isEqualTo("");
        assertThatThrownBy(() -> eval("Mid(\"John\", 0, 1)")).hasMessageStartingWith("Mid: start must be 1 or more");
        assertThat(eval("Word(\"a  b\", 2, \" \")")).isEqualTo("b");
        assertThat(eval("Word(\"a b\", 0, \" \")")).isEqualTo("");
        assertThat(eval("Word(\"a b\", 3, \" \")")).isEqualTo("");
        assertThat(eval("Word(\"a b\", 1, \"\")")).isEqualTo("a b");
        assertThat(eval("Len(\"Zoë\")")).isEqualTo(3L);
    }

    @Test
    void cboolIsTrueForANonZeroNumber() {
        assertThat(eval("CBool(\"0\")")).isEqualTo(false);
        assertThat(eval("CBool(\"-2\")")).isEqualTo(true);
        assertThat(eval("CBool(\"true\")")).isEqualTo(true);
        assertThat(eval("CBool(Count([p]))", Map.of("p", List.of("a")))).isEqualTo(true);
        assertThatThrownBy(() -> eval("CBool(\"maybe\")")).hasMessage("CBool: 'maybe' is neither True, False nor a number");
    }

    @Test
    void notIsTrueForAnythingButTrue() {
        assertThat(eval("Not(\"TRUE\")")).isEqualTo(false);
        assertThat(eval("Not(\"yes\")")).isEqualTo(true);
        assertThat(eval("Not(IsNull([missing]))")).isEqualTo(false);
    }

    @Test
    void multiValuedAttributesAreCountedSplitAndDeduplicated() {
        Map<String, Object> user = Map.of("proxyAddresses", List.of("b", "a", "b", "c", "a"), "csv", "x;y;;z");
        assertThat(eval("Count([proxyAddresses])", user)).isEqualTo(5L);
        assertThat(eval("RemoveDuplicates([proxyAddresses])", user)).isEqualTo(List.of("b", "a", "c"));
        assertThat(eval("Count(RemoveDuplicates([proxyAddresses]))", user)).isEqualTo(3L);
        assertThat(eval("Split([csv], \";\")", user)).isEqualTo(List.of("x", "y", "", "z"));
        assertThat(eval("Join(\"-\", Split([csv], \";\"))", user)).isEqualTo("x-y-z");
        assertThat(eval("Item(Split([csv], \";\"), 4)", user)).isEqualTo("z");
        assertThat(eval("Split(\"a, b\", \"\")")).isEqualTo(List.of("a, b"));
    }

    @Test
    void caseFollowsTheCultureGiven() {
        assertThat(eval("ToUpper(\"istanbul\", \"tr-TR\")")).isEqualTo("İSTANBUL");
        assertThat(eval("ToLower(\"ISTANBUL\", \"tr-TR\")")).isEqualTo("ıstanbul");
        assertThat(eval("ToUpper(\"istanbul\")")).isEqualTo("ISTANBUL");
        // .NET maps one character at a time: ß has no single upper-case letter.
        assertThat(eval("ToUpper(\"straße\", \"de-DE\")")).isEqualTo("STRAßE");
    }

    @Test
    void pcaseWithoutSeparatorsFollowsToTitleCase() {
        assertThat(eval("PCase(\"o'NEIL mcdonald-SMITH 3rd\")")).isEqualTo("O'neil Mcdonald-Smith 3Rd");
        assertThat(eval("PCase(\"o'NEIL mcdonald-SMITH\", \" \")")).isEqualTo("O'neil Mcdonald-smith");
        assertThat(eval("PCase(\"jean_luc\")")).isEqualTo("Jean_Luc");
    }

    @Test
    void normalizeDiacriticsLeavesOtherScriptsAlone() {
        assertThat(eval("NormalizeDiacritics(\"Łódź, 日本語, 한국어, Ærøskøbing, Straße\")"))
                .isEqualTo("Lodz, 日本語, 한국어, AEroeskoebing, Strasse");
    }

    @Test
    void encodingsUseDotNetsUnicodeAndUpperCaseHex() {
        assertThat(eval("ConvertToBase64(\"é\")")).isEqualTo("6QA=");
        assertThat(eval("ConvertToUTF8Hex(\"é\")")).isEqualTo("C3A9");
    }

    @Test
    void dateArithmeticFollowsVisualBasic() {
        assertThat(eval("DateAdd(\"m\", 1, CDate(\"2021-01-31\"))")).hasToString("2/28/2021 12:00:00 AM");
        assertThat(eval("DateAdd(\"D\", \"1.9\", CDate(\"2021-01-31\"))")).hasToString("2/1/2021 12:00:00 AM");
        assertThat(eval("DateAdd(\"q\", 1, CDate(\"2021-01-31\"))")).hasToString("4/30/2021 12:00:00 AM");
        assertThat(eval("DateAdd(\"s\", 90, CDate(\"2021-01-31T23:59:00Z\"))")).hasToString("2/1/2021 12:00:30 AM");
        assertThat(eval("DateDiff(\"yyyy\", CDate(\"2021-12-31\"), CDate(\"2022-01-01\"))")).isEqualTo(1L);
        assertThat(eval("DateDiff(\"d\", CDate(\"2021-08-24 23:00\"), CDate(\"2021-08-25 01:00\"))")).isEqualTo(0L);
        assertThat(eval("DateDiff(\"d\", CDate(\"2021-08-25 01:00\"), CDate(\"2021-08-24 23:00\"))")).isEqualTo(0L);
        assertThat(eval("DateDiff(\"ww\", CDate(\"2021-08-28\"), CDate(\"2021-08-29\"))")).isEqualTo(1L);
        assertThat(eval("DateDiff(\"w\", CDate(\"2021-08-28\"), CDate(\"2021-08-29\"))")).isEqualTo(0L);
        assertThat(eval("DateDiff(\"d\", \"8/25/2021 5:41:18 PM\", \"2021-08-26T17:41:18Z\")")).isEqualTo(1L);
        assertThatThrownBy(() -> eval("DateAdd(\"yyyy\", 9000, CDate(\"2021-01-31\"))"))
                .hasMessageStartingWith("DateAdd: ").hasMessageContaining("outside .NET's range");
        assertThatThrownBy(() -> eval("DateAdd(\"d\", \"soon\", Now())")).hasMessage("DateAdd: value must be a number, not 'soon'");
        assertThatThrownBy(() -> eval("CDate(\"the day after tomorrow\")"))
                .hasMessage("CDate: 'the day after tomorrow' is not a date and time .NET can read");
    }

    @Test
    void adDatesAreFileTimes() {
        assertThat(eval("NumFromDate(\"1601-01-01T00:00:00Z\")")).isEqualTo(0L);
        assertThat(eval("NumFromDate(DateFromNum(\"132539615990000001\"))")).isEqualTo(132539615990000001L);
        assertThat(eval("DateFromNum(0)")).hasToString("1/1/1601 12:00:00 AM");
        assertThatThrownBy(() -> eval("DateFromNum(9223372036854775807)")).hasMessageContaining("is not an AD date");
        assertThatThrownBy(() -> eval("NumFromDate(\"1600-12-31\")")).hasMessageContaining("before 1601");
    }

    @Test
    void nowGuidAndRandomStringHaveTheirShapes() {
        assertThat(text("Now()", Map.of())).matches("\\d{1,2}/\\d{1,2}/\\d{4} \\d{1,2}:\\d{2}:\\d{2} (AM|PM)");
        assertThat(eval("DateDiff(\"s\", Now(), CDate(\"" + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"))")).isIn(-2L, -1L, 0L, 1L, 2L);
        Set<Object> guids = new HashSet<>();
        IntStream.range(0, 1000).forEach(i -> guids.add(eval("Guid()")));
        assertThat(guids).hasSize(1000).allSatisfy(g -> assertThat((String) g)
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
        for (int i = 0; i < 200; i++) {
            String password = text("RandomString(12, 2, 3, 2, 1, \"0Oo1lI!\")", Map.of());
            assertThat(password).hasSize(12).doesNotContainPattern("[0Oo1lI!]")
                    .containsPattern("(\\D*\\d){2}").containsPattern("([^A-Z]*[A-Z]){2}");
            assertThat(password.chars().filter(c -> ExpressionFunction.SPECIAL_CHARACTERS.indexOf(c) >= 0)).hasSizeGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void theClockAndRandomnessCanBeFixed() {
        Evaluation fixed = new Evaluation(Map.<String, Object>of()::get, UniquenessCheck.EVERY_VALUE_IS_UNIQUE,
                Clock.fixed(Instant.parse("2021-07-02T15:33:38Z"), ZoneOffset.UTC), new SplittableRandom(7));
        assertThat(Expression.parse("Now()").evaluate(fixed)).hasToString("7/2/2021 3:33:38 PM");
        Object first = Expression.parse("RandomString(8, 1, 1, 1, 1)").evaluate(new Evaluation(Map.<String, Object>of()::get,
                UniquenessCheck.EVERY_VALUE_IS_UNIQUE, Clock.systemUTC(), new SplittableRandom(7)));
        Object again = Expression.parse("RandomString(8, 1, 1, 1, 1)").evaluate(new Evaluation(Map.<String, Object>of()::get,
                UniquenessCheck.EVERY_VALUE_IS_UNIQUE, Clock.systemUTC(), new SplittableRandom(7)));
        assertThat(first).isEqualTo(again);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "RandomString(257, 0, 0, 0, 0)|Length must be 1 to 256",
            "RandomString(4, 2, 2, 1, 0)|Length 4 is less than the sum of the minimums (5)",
            "RandomString(4, -1, 0, 0, 0)|each minimum must be 0 to Length",
            "RandomString(4, 1, 0, 0, 0, \"0123456789\")|CharactersToAvoid leaves no character for a required class"})
    void randomStringRejectsImpossibleConditions(String expression, String message) {
        assertThatThrownBy(() -> eval(expression)).isInstanceOf(ExpressionException.class)
                .hasMessageStartingWith("RandomString: ").hasMessageContaining(message);
    }

    @Test
    void selectUniqueValueAsksTheTargetAndFailsWhenEveryValueIsTaken() {
        Expression upn = Expression.parse("SelectUniqueValue(Join(\"@\", [a], \"x\"), [missing], Join(\"@\", [b], \"x\"))");
        Map<String, Object> user = Map.of("a", "john", "b", "jsmith");
        assertThat(upn.evaluate(user::get)).isEqualTo("john@x");
        assertThat(upn.evaluate(user::get, v -> !v.equals("john@x"))).isEqualTo("jsmith@x");
        assertThatThrownBy(() -> upn.evaluate(user::get, v -> false))
                .isInstanceOf(NoUniqueValueException.class)
                .hasMessage("SelectUniqueValue: every generated value already exists in the target: [john@x, jsmith@x]")
                .satisfies(e -> assertThat(((NoUniqueValueException) e).candidates()).containsExactly("john@x", "jsmith@x"));
    }

    @Test
    void ignoreFlowDropsTheWholeMappingWhereverItIsNested() {
        assertThat(eval("Join(\",\", \"a\", IgnoreFlowIfNullOrEmpty([missing]))")).isSameAs(Ignored.INSTANCE);
        assertThat(eval("Coalesce(IgnoreFlowIfNullOrEmpty([missing]), \"x\")")).isSameAs(Ignored.INSTANCE);
        assertThat(eval("Join(\",\", \"a\", IgnoreFlowIfNullOrEmpty(\"b\"))")).isEqualTo("a,b");
        assertThat(eval("IIF(\"True\", \"kept\", IgnoreFlowIfNullOrEmpty([missing]))")).isEqualTo("kept");
        assertThat(ExpressionFunction.IGNORED).isSameAs(Ignored.INSTANCE);
    }

    @Test
    void redactionMarksEveryValueComputedFromARedactedOne() {
        Object password = eval("Redact(RandomString(8, 1, 1, 1, 1))");
        assertThat(password).isInstanceOf(Redacted.class).hasToString("[Redact]");
        assertThat(((Redacted) password).value()).asString().hasSize(8);
        Object joined = eval("Join(\"-\", \"a\", Redact([secret]))", Map.of("secret", "s3cret"));
        assertThat(joined).isEqualTo(new Redacted("a-s3cret")).hasToString(Redacted.MARKER);
        assertThat(eval("Len(Redact(\"abc\"))")).isEqualTo(new Redacted(3L));
        assertThat(eval("Join(\"-\", \"a\", \"b\")")).isEqualTo("a-b");
    }

    @Test
    void appRoleAssignmentsAreAListOfMaps() {
        List<Map<String, String>> two = List.of(
                Map.of("id", "1", "displayName", "Admin", "value", "admin"),
                Map.of("id", "2", "displayName", "Reader"));
        Map<String, Object> user = Map.of(SourceAttributes.APP_ROLE_ASSIGNMENTS, two, "none", List.of(), "text", "Admin");
        assertThat(eval("AppRoleAssignmentsComplex([appRoleAssignments])", user)).isEqualTo(List.of(
                Map.of("primary", false, "type", "WindowsAzureActiveDirectoryRole", "displayName", "Admin", "value", "admin"),
                Map.of("primary", false, "type", "WindowsAzureActiveDirectoryRole", "displayName", "Reader")));
        assertThat(eval("SingleAppRoleAssignment([appRoleAssignments])", user)).isEqualTo("admin");
        assertThat(eval("Count([appRoleAssignments])", user)).isEqualTo(2L);
        assertThat(eval("AppRoleAssignmentsComplex([none])", user)).isEqualTo(List.of());
        assertThat(eval("SingleAppRoleAssignment([none])", user)).isNull();
        assertThatThrownBy(() -> eval("SingleAppRoleAssignment([text])", user))
                .hasMessageContaining("expects the [appRoleAssignments] attribute");
    }

    @Test
    void anEmptyMultiValuedAttributeHasNoValueWhereANumberOrABooleanIsExpected() {
        Map<String, Object> user = Map.of("none", List.of());
        assertThat(eval("DateFromNum([none])", user)).isNull();
        assertThat(eval("BitAnd([none], 1)", user)).isNull();
        assertThat(eval("InStr(\"abc\", \"b\", [none])", user)).isEqualTo(eval("InStr(\"abc\", \"b\")", user));
    }

    @Test
    void collectsAttributesReadInConditionsAndArguments() {
        Set<String> names = new java.util.TreeSet<>();
        Expression.parse("IIF([country] = [home], Replace([a], , \"x\", \"g\", , [b], ), \"y\")").collectAttributes(names);
        assertThat(names).containsExactly("a", "b", "country", "home");
    }

    @Test
    @Timeout(5)
    void aRunawayRegularExpressionStopsWithAnError() {
        // Java's engine survives (a+)+$; a back-reference defeats it (11 s for 28 letters without the bound).
        String expression = "Replace(\"" + "a".repeat(28) + "!\", , \"^(a+)+\\\\1$\", , \"x\", , )";
        assertThatThrownBy(() -> eval(expression)).isInstanceOf(ExpressionException.class)
                .hasMessage("Replace: The regular expression took too long to match");
    }
}
