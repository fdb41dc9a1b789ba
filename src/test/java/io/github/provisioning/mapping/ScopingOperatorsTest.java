package io.github.provisioning.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every Entra scoping operator, one row per case of Microsoft's page ("Scoping users or groups to be provisioned
 * with scoping filters") plus the edges it states: null or empty values, case sensitivity, integer parsing.
 * In the first column {@code <null>} is an absent attribute, {@code ''} an empty string, {@code <true>} and
 * {@code <false>} Graph booleans, {@code <list:a,b>} a multi-valued attribute.
 */
class ScopingOperatorsTest {

    @ParameterizedTest(name = "{0} {1} {2} is {3}")
    @CsvSource(delimiter = '|', nullValues = "<none>", value = {
            // EQUALS: "matches the input string value exactly (case sensitive)"
            "Sales                 | EQUALS                 | Sales        | true",
            "sales                 | EQUALS                 | Sales        | false",
            "Sales Team            | EQUALS                 | Sales        | false",
            "<null>                | EQUALS                 | Sales        | false",
            "''                    | EQUALS                 | Sales        | false",
            "<true>                | EQUALS                 | True         | true",
            "<true>                | EQUALS                 | true         | false",
            // NOT EQUALS: "doesn't match the input string value (case sensitive)"; null or empty: false
            "Marketing             | NOT EQUALS             | Sales        | true",
            "sales                 | NOT EQUALS             | Sales        | true",
            "Sales                 | NOT EQUALS             | Sales        | false",
            "<null>                | NOT EQUALS             | Sales        | false",
            "''                    | NOT EQUALS             | Sales        | false",
            // IS TRUE / IS FALSE: "contains a Boolean value of true / false"
            "<true>                | IS TRUE                | <none>       | true",
            "<false>               | IS TRUE                | <none>       | false",
            "True                  | IS TRUE                | <none>       | true",
            "yes                   | IS TRUE                | <none>       | false",
            "<null>                | IS TRUE                | <none>       | false",
            "<false>               | IS FALSE               | <none>       | true",
            "<true>                | IS FALSE               | <none>       | false",
            "False                 | IS FALSE               | <none>       | true",
            "<null>                | IS FALSE               | <none>       | false",
            "''                    | IS FALSE               | <none>       | false",
            // IS NULL: "the evaluated attribute is empty"; IS NOT NULL: "isn't empty"
            "<null>                | IS NULL                | <none>       | true",
            "''                    | IS NULL                | <none>       | true",
            "<list:>               | IS NULL                | <none>       | true",
            "Sales                 | IS NULL                | <none>       | false",
            "<false>               | IS NULL                | <none>       | false",
            "' '                   | IS NULL                | <none>       | false",
            "Sales                 | IS NOT NULL            | <none>       | true",
            "<false>               | IS NOT NULL            | <none>       | true",
            "<list:a,b>            | IS NOT NULL            | <none>       | true",
            "<null>                | IS NOT NULL            | <none>       | false",
            "''                    | IS NOT NULL            | <none>       | false",
            // REGEX MATCH: the page's examples, which match the whole value; case sensitive
            "alice@domain.com      | REGEX MATCH            | .*\\@domain.com | true",
            "alice@other.com       | REGEX MATCH            | .*\\@domain.com | false",
            "alice@domain.com.evil | REGEX MATCH            | .*\\@domain.com | false",
            "ALICE@DOMAIN.COM      | REGEX MATCH            | .*\\@domain.com | false",
            "42                    | REGEX MATCH            | ([1-9][0-9]) | true",
            "420                   | REGEX MATCH            | ([1-9][0-9]) | false",
            "7                     | REGEX MATCH            | ([1-9][0-9]) | false",
            "1500000               | REGEX MATCH            | (1[0-9][0-9][0-9][0-9][0-9][0-9]) | true",
            "2500000               | REGEX MATCH            | (1[0-9][0-9][0-9][0-9][0-9][0-9]) | false",
            "<null>                | REGEX MATCH            | .*           | false",
            "''                    | REGEX MATCH            | .*           | false",
            // NOT REGEX MATCH: "returns false if the attribute is null / empty"
            "alice@other.com       | NOT REGEX MATCH        | .*\\@domain.com | true",
            "alice@domain.com      | NOT REGEX MATCH        | .*\\@domain.com | false",
            "<null>                | NOT REGEX MATCH        | .*\\@domain.com | false",
            "''                    | NOT REGEX MATCH        | .*\\@domain.com | false",
            // Includes: "contains the string value (case sensitive)", as .NET String.Contains
            "Senior Sales Manager  | Includes               | Sales        | true",
            "senior sales manager  | Includes               | Sales        | false",
            "Sales                 | Includes               | Sales        | true",
            "<null>                | Includes               | Sales        | false",
            "''                    | Includes               | Sales        | false",
            // ENDS_WITH: "ends with the input string value"; case sensitive like the other string operators
            "alice@contoso.com     | ENDS_WITH              | @contoso.com | true",
            "alice@CONTOSO.COM     | ENDS_WITH              | @contoso.com | false",
            "alice@contoso.com.evil | ENDS_WITH             | @contoso.com | false",
            "<null>                | ENDS_WITH              | @contoso.com | false",
            // Greater_Than(_OR_EQUALS): integers on both sides; compared as numbers, not text
            "1500000               | Greater_Than           | 1000000      | true",
            "1000000               | Greater_Than           | 1000000      | false",
            "10                    | Greater_Than           | 9            | true",
            "9                     | Greater_Than           | 10           | false",
            "-5                    | Greater_Than           | -10          | true",
            "12abc                 | Greater_Than           | 5            | false",
            "1.5                   | Greater_Than           | 1            | false",
            "99999999999999999999  | Greater_Than           | 1            | false",
            "<true>                | Greater_Than           | 0            | false",
            "<null>                | Greater_Than           | 0            | false",
            "''                    | Greater_Than           | 0            | false",
            "1000000               | Greater_Than_OR_EQUALS | 1000000      | true",
            "2000000               | Greater_Than_OR_EQUALS | 1000000      | true",
            "999999                | Greater_Than_OR_EQUALS | 1000000      | false",
            "abc                   | Greater_Than_OR_EQUALS | 0            | false",
            "<null>                | Greater_Than_OR_EQUALS | 0            | false",
            // & and !&: bitwise AND with an integer value: every bit of the value set / not all set
            "514                   | &                      | 2            | true",
            "512                   | &                      | 2            | false",
            "7                     | &                      | 5            | true",
            "4                     | &                      | 5            | false",
            "abc                   | &                      | 2            | false",
            "<null>                | &                      | 2            | false",
            "512                   | !&                     | 2            | true",
            "514                   | !&                     | 2            | false",
            "4                     | !&                     | 5            | true",
            "abc                   | !&                     | 2            | false",
            "<null>                | !&                     | 2            | false",
            "''                    | !&                     | 2            | false",
            // "Filtering is not supported for multi-valued attributes": value clauses on one are false
            "<list:Sales>          | EQUALS                 | Sales        | false",
            "<list:Sales>          | NOT EQUALS             | Marketing    | false",
            "<list:Sales>          | Includes               | Sales        | false",
    })
    void operatorFollowsEntra(String actual, String operator, String value, boolean expected) {
        ScopingClause clause = ScopingClause.of("attr", ScopingOperator.named(operator).orElseThrow(), value);
        Object attribute = attribute(actual);

        assertThat(clause.holdsFor(name -> "attr".equals(name) ? attribute : null)).isEqualTo(expected);
    }

    private static Object attribute(String cell) {
        if (cell.equals("<null>")) {
            return null;
        }
        if (cell.equals("<true>") || cell.equals("<false>")) {
            return cell.equals("<true>");
        }
        if (cell.startsWith("<list:")) {
            String items = cell.substring("<list:".length(), cell.length() - 1);
            return items.isEmpty() ? List.of() : Arrays.asList(items.split(","));
        }
        return cell;
    }
}
