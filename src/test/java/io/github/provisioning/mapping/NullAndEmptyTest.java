package io.github.provisioning.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What every function does with an absent attribute ([missing]) and with an empty string ([empty]). Where the page
 * states a rule the row says so; elsewhere null in gives null out, and an empty string stays a value.
 */
class NullAndEmptyTest {

    private static final Map<String, Object> SOURCE = Map.of("empty", "", "one", "1");

    private static Object eval(String expression) {
        return Expression.parse(expression).evaluate(SOURCE::get);
    }

    private static String show(Object value) {
        return value == null ? "<null>" : value == Ignored.INSTANCE ? "<ignored>" : ExpressionFunction.text(value);
    }

    @ParameterizedTest(name = "{0} gives {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "Append([missing], \".test\")|<null>",
            "Append(\"a\", [missing])|a",
            "AppRoleAssignmentsComplex([missing])|<null>",
            "AssertiveAppRoleAssignmentsComplex([missing])|<null>",
            "BitAnd([missing], 1)|<null>",
            "CBool([missing])|<null>",
            "CBool([missing] = \"a\")|<null>",
            "CDate([missing])|<null>",
            "Coalesce([missing], [alsoMissing])|<null>",
            "ConvertToBase64([missing])|<null>",
            "ConvertToUTF8Hex([missing])|<null>",
            "Count([missing])|<null>",
            "CStr([missing])|<null>",
            "DateAdd(\"d\", 1, [missing])|<null>",
            "DateAdd(\"d\", [missing], Now())|<null>",
            "DateAdd([missing], 1, Now())|<null>",
            "DateDiff(\"d\", [missing], Now())|<null>",
            "DateFromNum([missing])|<null>",
            "FormatDateTime([missing], , \"yyyy\", \"yyyy\")|<null>",
            // "ignore the attribute and drop it from the flow if the enclosed function or attribute is NULL or empty"
            "IgnoreFlowIfNullOrEmpty([missing])|<ignored>",
            // "If the source attribute used within the IIF function is empty or null, the condition check fails"
            "IIF([missing] = \"a\", \"t\", \"f\")|<null>",
            "IIF([missing] <> \"a\", \"t\", \"f\")|<null>",
            "InStr([missing], \"a\")|<null>",
            "InStr(\"a\", [missing])|<null>",
            "IsNull([missing])|True",
            "IsNullOrEmpty([missing])|True",
            "IsPresent([missing])|False",
            "IsString([missing])|False",
            "Item([missing], 1)|<null>",
            "Join(\",\", [missing])|<null>",
            "Join(\",\", [missing], \"a\")|a",
            // "If string is null, return empty string."
            "Left([missing], 2)|``",
            "Len([missing])|<null>",
            "Mid([missing], 1, 2)|<null>",
            "NormalizeDiacritics([missing])|<null>",
            // "If source value is True, returns False. Otherwise, returns True."
            "Not([missing])|True",
            "NumFromDate([missing])|<null>",
            "PCase([missing])|<null>",
            "Redact([missing])|<null>",
            "RemoveDuplicates([missing])|<null>",
            "Replace([missing], \"a\", , , \"b\", , )|<null>",
            "Replace([missing], , \"a\", , \"b\", , )|<null>",
            "SelectUniqueValue([missing], [alsoMissing])|<null>",
            "SingleAppRoleAssignment([missing])|<null>",
            "Split([missing], \",\")|<null>",
            "StripSpaces([missing])|<null>",
            // the page's workaround Switch([country],[country],"","Other") catches null and empty alike
            "Switch([missing], \"default\", \"\", \"empty\")|empty",
            "Switch(\"x\", [missing], \"a\", \"b\")|<null>",
            "ToLower([missing])|<null>",
            "ToUpper([missing])|<null>",
            // "If string is null, returns empty string."
            "Word([missing], 1, \" \")|``"})
    void anAbsentAttributeGivesWhatThePageSaysOrNull(String expression, String expected) {
        assertThat(show(eval(expression))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} gives {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "Append([empty], \".test\")|.test",
            "CStr([empty])|``",
            "Coalesce([empty], \"x\")|``",
            "Count([empty])|1",
            "IgnoreFlowIfNullOrEmpty([empty])|<ignored>",
            "IIF([empty] = \"\", \"t\", \"f\")|<null>",
            "IsNull([empty])|False",
            "IsNullOrEmpty([empty])|True",
            "IsPresent([empty])|False",
            "IsString([empty])|True",
            "Join(\",\", [empty])|``",
            "Join(\",\", [empty], \"a\", [empty], \"b\")|a,b",
            "Left([empty], 2)|``",
            "Len([empty])|0",
            "Mid([empty], 1, 2)|``",
            "Not([empty])|True",
            "PCase([empty])|``",
            "Redact([empty])|``",
            "Replace([empty], \"a\", , , \"b\", , )|``",
            "Split([empty], \",\")|``",
            "StripSpaces([empty])|``",
            "Switch([empty], \"default\", \"\", \"empty\")|empty",
            "ToUpper([empty])|``",
            "Word([empty], 1, \" \")|``"})
    void anEmptyStringIsAValueNotANull(String expression, String expected) {
        assertThat(show(eval(expression))).isEqualTo(expected);
    }

    @Test
    void everyFunctionIsCoveredForAnAbsentAttribute() throws Exception {
        String rows = Arrays.stream(NullAndEmptyTest.class.getDeclaredMethod(
                        "anAbsentAttributeGivesWhatThePageSaysOrNull", String.class, String.class)
                .getAnnotation(CsvSource.class).value()).collect(Collectors.joining("\n"));
        Set<ExpressionFunction> withoutArguments = Set.of(ExpressionFunction.Guid, ExpressionFunction.Now);
        assertThat(ExpressionFunction.values()).filteredOn(f -> !withoutArguments.contains(f)
                        && f != ExpressionFunction.RandomString)
                .allSatisfy(f -> assertThat(rows).contains(f.name() + "("));
    }

    @Test
    void randomStringNeedsItsLength() {
        assertThatThrownBy(() -> eval("RandomString([missing], 0, 0, 0, 0)"))
                .isInstanceOf(ExpressionException.class).hasMessage("RandomString: Length is required");
    }

    @Test
    void nullAndEmptyAreKeptApartInTheResult() {
        assertThat(eval("CStr([missing])")).isNull();
        assertThat(eval("CStr([empty])")).isEqualTo("");
        assertThat(eval("Coalesce([missing], [empty], \"x\")")).isEqualTo("");
    }
}
