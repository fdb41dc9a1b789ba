package io.github.provisioning.mapping;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The functions of Entra's expression language, with the semantics of Microsoft's "Reference for writing
 * expressions for attribute mappings in Microsoft Entra Application Provisioning". Each comment quotes the page.
 * Arguments are evaluated lazily so that IIF and Switch only evaluate the branch they return.
 *
 * <p>Where the page says nothing about a null argument, null in gives null out (nothing flows); an empty string is
 * a value and is kept apart from null. Dates follow .NET on a UTC host, see {@link DotNetDateFormat}.
 */
public enum ExpressionFunction {

    Append(2, 2) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "Takes a source string value and appends the suffix to the end of it."
            String source = string(args.get(0), ctx);
            if (source == null) {
                return null;
            }
            String suffix = string(args.get(1), ctx);
            return suffix == null ? source : source + suffix;
        }
    },
    AppRoleAssignmentsComplex(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "Used to configure multiple roles for a user": the SCIM roles of the linked tutorial's POST example,
            // {primary: false, type: "WindowsAzureActiveDirectoryRole", displayName, value}, one per assignment.
            return roles(value(args.get(0), ctx), "displayName");
        }
    },
    AssertiveAppRoleAssignmentsComplex(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // Not on the reference page but on "Provisioning a role to a SCIM app" ("Recommended for complex
            // roles"): the same list, its POST example naming the role "display" (the SCIM Role sub-attribute); an
            // update replaces the target's roles instead of adding to them.
            return roles(value(args.get(0), ctx), "display");
        }
    },
    BitAnd(2, 2) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "returns 0 in all cases except when the corresponding bits of both parameters are 1"
            Long value1 = integer(value(args.get(0), ctx), "value1");
            Long value2 = integer(value(args.get(1), ctx), "value2");
            return value1 == null || value2 == null ? null : value1 & value2;
        }
    },
    CBool(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "If the expression evaluates to a non-zero value, then CBool returns True, else it returns False."
            Object value = value(args.get(0), ctx);
            return value == null ? null : truth(value);
        }
    },
    CDate(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "The CDate function returns a UTC DateTime from a string."
            DateTimeValue date = date(value(args.get(0), ctx));
            return date == null ? null : DateTimeValue.utc(date.value());
        }
    },
    Coalesce(1, Integer.MAX_VALUE) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "Returns the first source value that isn't NULL. If all arguments are NULL and defaultValue is
            // present, the defaultValue is returned." The default is the last argument, so it is the same rule.
            for (Expression arg : args) {
                Object value = value(arg, ctx);
                if (value != null) {
                    return value;
                }
            }
            return null;
        }
    },
    ConvertToBase64(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "converts a string to a Unicode base64 string": .NET's Unicode is UTF-16 little-endian.
            String source = string(args.get(0), ctx);
            return source == null ? null
                    : Base64.getEncoder().encodeToString(source.getBytes(StandardCharsets.UTF_16LE));
        }
    },
    ConvertToUTF8Hex(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "converts a string to a UTF8 Hex encoded value"; the page's example is upper case.
            String source = string(args.get(0), ctx);
            return source == null ? null
                    : HexFormat.of().withUpperCase().formatHex(source.getBytes(StandardCharsets.UTF_8));
        }
    },
    Count(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "returns the number of elements in a multi-valued attribute"; a single value is one element.
            Object value = value(args.get(0), ctx);
            return value == null ? null : value instanceof List<?> list ? (long) list.size() : 1L;
        }
    },
    CStr(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "converts a value to a string data type"
            return string(args.get(0), ctx);
        }
    },
    DateAdd(3, 3) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "Returns a date/time string representing a date to which a specified time interval is added."
            // As VB's DateAdd, which Entra's intervals come from: the number is truncated to a whole one.
            String interval = string(args.get(0), ctx);
            Object number = value(args.get(1), ctx);
            DateTimeValue date = date(value(args.get(2), ctx));
            if (interval == null || number == null || date == null) {
                return null;
            }
            int n = decimal(number, "value").setScale(0, RoundingMode.DOWN).intValueExact();
            LocalDateTime t = date.value();
            LocalDateTime result = switch (interval(interval)) {
                case "yyyy" -> t.plusYears(n);
                case "q" -> t.plusMonths(3L * n);
                case "m" -> t.plusMonths(n);
                case "y", "d", "w" -> t.plusDays(n);
                case "ww" -> t.plusDays(7L * n);
                case "h" -> t.plusHours(n);
                case "n" -> t.plusMinutes(n);
                default -> t.plusSeconds(n);
            };
            return new DateTimeValue(result, date.kind());
        }
    },
    DateDiff(3, 3) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "a positive number if date2 > date1, a negative number if date2 < date1, 0 if date2 == date1",
            // counted as VB's DateDiff counts: whole elapsed units, calendar years and months, and for "ww" the
            // number of Sundays crossed (the page's -493 weeks).
            String interval = string(args.get(0), ctx);
            DateTimeValue date1 = date(value(args.get(1), ctx));
            DateTimeValue date2 = date(value(args.get(2), ctx));
            if (interval == null || date1 == null || date2 == null) {
                return null;
            }
            LocalDateTime d1 = date1.value();
            LocalDateTime d2 = date2.value();
            return switch (interval(interval)) {
                case "yyyy" -> (long) d2.getYear() - d1.getYear();
                case "q" -> (d2.getYear() - d1.getYear()) * 4L + (d2.getMonthValue() - 1) / 3 - (d1.getMonthValue() - 1) / 3;
                case "m" -> (d2.getYear() - d1.getYear()) * 12L + d2.getMonthValue() - d1.getMonthValue();
                case "y", "d" -> ticks(d1, d2) / TICKS_PER_DAY;
                case "w" -> ticks(d1, d2) / TICKS_PER_DAY / 7;
                case "ww" -> ticks(d1.minusDays(d1.getDayOfWeek().getValue() % 7 + 1),
                        d2.minusDays(d2.getDayOfWeek().getValue() % 7 + 1)) / TICKS_PER_DAY / 7;
                case "h" -> ticks(d1, d2) / (TICKS_PER_SECOND * 3600);
                case "n" -> ticks(d1, d2) / (TICKS_PER_SECOND * 60);
                default -> ticks(d1, d2) / TICKS_PER_SECOND;
            };
        }
    },
    DateFromNum(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "converts a value in AD's date format to a DateTime type": 100-nanosecond intervals since
            // 1601-01-01 UTC (a Windows FILETIME), as .NET's DateTime.FromFileTimeUtc reads them.
            Long ticks = integer(value(args.get(0), ctx), "value");
            if (ticks == null) {
                return null;
            }
            if (ticks < 0 || ticks > MAX_FILE_TIME) {
                throw fail(ticks + " is not an AD date (0 to " + MAX_FILE_TIME + ")");
            }
            return DateTimeValue.utc(FILE_TIME_EPOCH.plusSeconds(ticks / TICKS_PER_SECOND)
                    .plusNanos(ticks % TICKS_PER_SECOND * 100));
        }
    },
    FormatDateTime(3, 4) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "Takes a date string from one format and converts it into a different format." The dateTimeStyles
            // argument is optional in the middle; without it the call has three arguments, as older pages show.
            String source = string(args.get(0), ctx);
            if (source == null) {
                return null;
            }
            Set<DotNetDateFormat.Style> styles = args.size() == 4
                    ? DotNetDateFormat.styles(string(args.get(1), ctx)) : DotNetDateFormat.DEFAULT_STYLES;
            String inputFormat = string(args.get(args.size() - 2), ctx);
            String outputFormat = string(args.get(args.size() - 1), ctx);
            if (inputFormat == null || outputFormat == null) {
                throw fail("inputFormat and outputFormat are required");
            }
            LocalDate today = LocalDate.ofInstant(ctx.clock().instant(), ZoneOffset.UTC);
            return DotNetDateFormat.format(DotNetDateFormat.parseExact(source, inputFormat, styles, today), outputFormat);
        }
    },
    Guid(0, 0) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "The function Guid generates a new random GUID", written as .NET writes one.
            long high = ctx.random().nextLong() & ~0xF000L | 0x4000L;
            long low = ctx.random().nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L;
            return new UUID(high, low).toString();
        }
    },
    IgnoreFlowIfNullOrEmpty(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "instructs the provisioning service to ignore the attribute and drop it from the flow if the
            // enclosed function or attribute is NULL or empty"
            Object value = value(args.get(0), ctx);
            return isNullOrEmpty(value) ? Ignored.INSTANCE : value;
        }
    },
    IIF(3, 3) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "If the source attribute used within the IIF function is empty or null, the condition check fails":
            // the IIF then has no value, which is why the page lists IIF([country]="",...) and
            // IIF(IsPresent([country]),...) as unsupported and recommends Switch for empty or null values.
            Set<String> read = new LinkedHashSet<>();
            args.get(0).collectAttributes(read);
            for (String attribute : read) {
                if (isNullOrEmpty(ctx.source().get(attribute))) {
                    return null;
                }
            }
            Object condition = value(args.get(0), ctx);
            if (condition == null) {
                return null;
            }
            return value(truth(condition) ? args.get(1) : args.get(2), ctx);
        }
    },
    InStr(2, 4) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "finds the first occurrence of a substring in a string": its 1-based position, 0 when absent, as
            // VB's InStr; compareType "Can be vbTextCompare or vbBinaryCompare" (the default).
            String value1 = string(args.get(0), ctx);
            String value2 = string(args.get(1), ctx);
            if (value1 == null || value2 == null) {
                return null;
            }
            Long start = args.size() > 2 ? integer(value(args.get(2), ctx), "start") : null;
            long from = start == null ? 1 : start;
            boolean text = args.size() > 3 && textCompare(value(args.get(3), ctx));
            if (from < 1) {
                throw fail("start must be 1 or more, not " + from);
            }
            if (value1.isEmpty() || from > value1.length()) {
                return 0L;
            }
            if (value2.isEmpty()) {
                return from;
            }
            for (int i = (int) from - 1; i + value2.length() <= value1.length(); i++) {
                if (value1.regionMatches(text, i, value2, 0, value2.length())) {
                    return i + 1L;
                }
            }
            return 0L;
        }
    },
    IsNull(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "If the expression evaluates to Null, then the IsNull function returns true."
            return value(args.get(0), ctx) == null;
        }
    },
    IsNullOrEmpty(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "This evaluates to True if the attribute is absent or is present but is an empty string."
            return isNullOrEmpty(value(args.get(0), ctx));
        }
    },
    IsPresent(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "If the expression evaluates to a string that isn't Null and isn't empty, then the IsPresent
            // function returns true."
            return !isNullOrEmpty(value(args.get(0), ctx));
        }
    },
    IsString(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "If the expression can be evaluated to a string type, then the IsString function evaluates to True."
            return value(args.get(0), ctx) instanceof String;
        }
    },
    Item(2, 2) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "Item([proxyAddresses], 1) returns the first item in the multi-valued attribute. Index 0 shouldn't
            // be used." An index outside the values (0 included) gives null.
            Object attribute = value(args.get(0), ctx);
            Long index = integer(value(args.get(1), ctx), "index");
            if (attribute == null || index == null) {
                return null;
            }
            if (attribute instanceof List<?> list) {
                return index >= 1 && index <= list.size() ? list.get((int) (index - 1)) : null;
            }
            return index == 1 ? attribute : null;
        }
    },
    Join(2, Integer.MAX_VALUE) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "If one of the source values is a multi-value attribute, then every value in that attribute is
            // joined". Null and empty values are left out: the page turns Join(", ", "", [surname], [givenName])
            // into "Doe, John".
            String separator = string(args.get(0), ctx);
            List<String> parts = new ArrayList<>();
            boolean anyValue = false;
            for (Expression arg : args.subList(1, args.size())) {
                Object value = value(arg, ctx);
                anyValue |= value != null;
                for (Object item : value instanceof List<?> list ? list : Collections.singletonList(value)) {
                    String part = text(item);
                    if (part != null && !part.isEmpty()) {
                        parts.add(part);
                    }
                }
            }
            return anyValue ? String.join(separator == null ? "" : separator, parts) : null;
        }
    },
    Left(2, 2) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "If numChars = 0, return empty string. If numChars < 0, return input string. If string is null,
            // return empty string."
            String string = string(args.get(0), ctx);
            Long numChars = integer(value(args.get(1), ctx), "NumChars");
            if (string == null) {
                return "";
            }
            if (numChars == null) {
                return null;
            }
            return numChars < 0 ? string : string.substring(0, (int) Math.min(numChars, string.length()));
        }
    },
    /** Not on the reference page; VB's Len: the number of characters. */
    Len(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            String source = string(args.get(0), ctx);
            return source == null ? null : (long) source.length();
        }
    },
    Mid(3, 3) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "First character in the string has an index of 1 ... If length ends outside the source string,
            // function returns substring from start index until end of source string."
            String source = string(args.get(0), ctx);
            Long start = integer(value(args.get(1), ctx), "start");
            Long length = integer(value(args.get(2), ctx), "length");
            if (source == null || start == null || length == null) {
                return null;
            }
            if (start < 1 || length < 0) {
                throw fail("start must be 1 or more and length 0 or more, not " + start + " and " + length);
            }
            if (start > source.length()) {
                return "";
            }
            return source.substring((int) (start - 1), (int) Math.min(source.length(), start - 1 + length));
        }
    },
    NormalizeDiacritics(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            String source = string(args.get(0), ctx);
            return source == null ? null : DotNetText.normalizeDiacritics(source);
        }
    },
    Not(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "If source value is True, returns False. Otherwise, returns True." Null is not True.
            Object source = value(args.get(0), ctx);
            return !(Boolean.TRUE.equals(source) || "true".equalsIgnoreCase(text(source)));
        }
    },
    Now(0, 0) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "returns a string representing the current UTC DateTime in the format M/d/yyyy h:mm:ss tt"
            return DateTimeValue.utc(LocalDateTime.ofInstant(ctx.clock().instant(), ZoneOffset.UTC));
        }
    },
    NumFromDate(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "converts a DateTime value to Active Directory format": a FILETIME, as DateTime.ToFileTimeUtc.
            DateTimeValue date = date(value(args.get(0), ctx));
            if (date == null) {
                return null;
            }
            Duration since = Duration.between(FILE_TIME_EPOCH, date.value());
            if (since.isNegative()) {
                throw fail(date + " is before 1601, which AD dates cannot express");
            }
            return since.getSeconds() * TICKS_PER_SECOND + since.getNano() / 100;
        }
    },
    PCase(1, 2) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "converts the first character of each word in a string to upper case, and all other characters are
            // converted to lower case"
            String source = string(args.get(0), ctx);
            String separators = args.size() > 1 ? string(args.get(1), ctx) : null;
            if (source == null) {
                return null;
            }
            return separators == null ? DotNetText.titleCase(source) : DotNetText.properCase(source, separators);
        }
    },
    RandomString(5, 6) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "generates a random string based on the conditions specified", from the characters of Windows'
            // password complexity reference.
            long length = required(args.get(0), ctx, "Length");
            long[] minimums = {required(args.get(1), ctx, "MinimumNumbers"),
                    required(args.get(2), ctx, "MinimumSpecialCharacters"), required(args.get(3), ctx, "MinimumCapital"),
                    required(args.get(4), ctx, "MinimumLowerCase")};
            String avoid = args.size() > 5 ? string(args.get(5), ctx) : null;
            if (length < 1 || length > 256) {
                throw fail("Length must be 1 to 256 (\"256 characters max\"), not " + length);
            }
            long sum = 0;
            for (long minimum : minimums) {
                if (minimum < 0 || minimum > length) {
                    throw fail("each minimum must be 0 to Length (" + length + "), not " + minimum);
                }
                sum += minimum;
            }
            if (sum > length) {
                throw fail("Length " + length + " is less than the sum of the minimums (" + sum + ")");
            }
            String[] classes = {"0123456789", SPECIAL_CHARACTERS, "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                    "abcdefghijklmnopqrstuvwxyz"};
            StringBuilder all = new StringBuilder();
            List<Character> chars = new ArrayList<>();
            for (int c = 0; c < classes.length; c++) {
                String allowed = without(classes[c], avoid);
                if (allowed.isEmpty() && minimums[c] > 0) {
                    throw fail("CharactersToAvoid leaves no character for a required class");
                }
                all.append(allowed);
                for (long i = 0; i < minimums[c]; i++) {
                    chars.add(allowed.charAt(ctx.random().nextInt(allowed.length())));
                }
            }
            if (all.isEmpty()) {
                throw fail("CharactersToAvoid leaves no character to choose from");
            }
            while (chars.size() < length) {
                chars.add(all.charAt(ctx.random().nextInt(all.length())));
            }
            for (int i = chars.size() - 1; i > 0; i--) {
                Collections.swap(chars, i, ctx.random().nextInt(i + 1));
            }
            StringBuilder out = new StringBuilder();
            chars.forEach(out::append);
            return out.toString();
        }
    },
    Redact(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "replaces the attribute value with the string literal "[Redact]" in the provisioning logs"
            Object value = value(args.get(0), ctx);
            return value == null ? null : new Redacted(value);
        }
    },
    RemoveDuplicates(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "takes a multi-valued string and make sure each value is unique"; first occurrences are kept.
            Object attribute = value(args.get(0), ctx);
            return attribute instanceof List<?> list ? List.copyOf(new LinkedHashSet<>(list)) : attribute;
        }
    },
    Replace(7, 7) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "Replaces values within a string in a case-sensitive manner. The function behaves differently
            // depending on the parameters provided" (the page lists five combinations).
            String source = string(args.get(0), ctx);
            String oldValue = string(args.get(1), ctx);
            String regexPattern = string(args.get(2), ctx);
            String regexGroupName = string(args.get(3), ctx);
            String replacementValue = string(args.get(4), ctx);
            Expression replacementAttributeName = args.get(5);
            String template = string(args.get(6), ctx);
            if (regexPattern != null) {
                DotNetRegex regex = DotNetRegex.compile(regexPattern);
                if (regexGroupName != null && !(replacementAttributeName instanceof Expression.Empty)) {
                    // "If source has a value, source is returned. If source has no value, the function applies the
                    // regexPattern to the replacementAttributeName and returns the value matching regexGroupName"
                    if (source != null && !source.isEmpty()) {
                        return source;
                    }
                    String other = string(replacementAttributeName, ctx);
                    return other == null ? null : regex.firstGroup(other, regexGroupName);
                }
                if (source == null) {
                    return null;
                }
                if (replacementValue == null) {
                    throw fail("regexPattern needs replacementValue, or regexGroupName and replacementAttributeName");
                }
                // "replaces all values matching regexGroupName with replacementValue", or without a group name:
                // "you can use the regex group names to construct the string for replacementValue"
                return regexGroupName != null ? regex.replaceGroup(source, regexGroupName, replacementValue)
                        : regex.replace(source, replacementValue);
            }
            if (oldValue != null) {
                if (oldValue.isEmpty()) {
                    throw fail("oldValue cannot be an empty string");
                }
                if (source == null) {
                    return null;
                }
                if (template != null) {
                    // "Replaces all occurrences of the oldValue in the template with the source value"
                    return template.replace(oldValue, source);
                }
                if (replacementValue == null) {
                    throw fail("oldValue needs replacementValue or template");
                }
                // "Replaces all occurrences of oldValue in the source with replacementValue"
                return source.replace(oldValue, replacementValue);
            }
            throw fail("oldValue or regexPattern is required");
        }
    },
    SelectUniqueValue(2, Integer.MAX_VALUE) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "The function evaluates each rule and then checks the value generated for uniqueness in the target
            // app/directory. The first unique value found is the one returned. If all of the values already exist
            // in the target, the entry is escrowed". A rule without a value is skipped.
            List<String> tried = uniqueCandidates(args, ctx);
            for (String candidate : tried) {
                if (ctx.uniqueness().isUnique(candidate)) {
                    return candidate;
                }
            }
            if (tried.isEmpty()) {
                return null;
            }
            throw new NoUniqueValueException(tried);
        }
    },
    SingleAppRoleAssignment(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "Returns a single appRoleAssignment from the list of all appRoleAssignments": the role's value, as
            // in the linked tutorial's roles[primary eq "True"].value. "There's no guarantee which role is
            // provisioned" with several; this takes the first.
            List<Map<?, ?>> assignments = assignments(value(args.get(0), ctx));
            return assignments == null || assignments.isEmpty() ? null : text(assignments.get(0).get("value"));
        }
    },
    Split(2, 2) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "Splits a string into a multi-valued array, using the specified delimiter character." The page turns
            // "PermissionSetOne, PermissionSetTwo" into ["PermissionSetOne", "PermissionSetTwo"]: values are trimmed.
            String source = string(args.get(0), ctx);
            String delimiter = string(args.get(1), ctx);
            if (source == null) {
                return null;
            }
            if (delimiter == null || delimiter.isEmpty()) {
                return List.of(source.trim());
            }
            return Arrays.stream(source.split(Pattern.quote(delimiter), -1)).map(String::trim).toList();
        }
    },
    StripSpaces(1, 1) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "Removes all space (" ") characters from the source string."
            String source = string(args.get(0), ctx);
            return source == null ? null : source.replace(" ", "");
        }
    },
    Switch(4, Integer.MAX_VALUE) {
        @Override
        void checkArity(int count, int position) {
            super.checkArity(count, position);
            if (count % 2 != 0) {
                throw new ExpressionException("Switch takes a source, a default and key/value pairs", position);
            }
        }

        Object compute(List<Expression> args, Evaluation ctx) {
            // "Switch function performs a case-sensitive string comparison of the source and key values." A null
            // source compares as "": the page's workaround Switch([country],[country],"","Other") and the HR
            // troubleshooting page's Switch([BusinessTitle],[BusinessTitle],"","N/A") catch "empty or null".
            String source = orEmpty(string(args.get(0), ctx));
            for (int i = 2; i + 1 < args.size(); i += 2) {
                if (source.equals(orEmpty(string(args.get(i), ctx)))) {
                    return value(args.get(i + 1), ctx);
                }
            }
            // "If source value doesn't match any keys, returns defaultValue."
            return value(args.get(1), ctx);
        }
    },
    ToLower(1, 2) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "converts it to lower case using the culture rules that are specified. If there's no culture info
            // specified, then it uses Invariant culture."
            String source = string(args.get(0), ctx);
            Locale culture = DotNetText.culture(args.size() > 1 ? string(args.get(1), ctx) : null);
            return source == null ? null : DotNetText.toLower(source, culture);
        }
    },
    ToUpper(1, 2) {
        Object compute(List<Expression> args, Evaluation ctx) {
            String source = string(args.get(0), ctx);
            Locale culture = DotNetText.culture(args.size() > 1 ? string(args.get(1), ctx) : null);
            return source == null ? null : DotNetText.toUpper(source, culture);
        }
    },
    Word(3, 3) {
        Object compute(List<Expression> args, Evaluation ctx) {
            // "Each string of characters in string separated by the one of the characters in delimiters are
            // identified as words: If number < 1, returns empty string. If string is null, returns empty string.
            // If string contains less than number words ... an empty string is returned."
            String string = string(args.get(0), ctx);
            Long number = integer(value(args.get(1), ctx), "WordNumber");
            String delimiters = orEmpty(string(args.get(2), ctx));
            if (string == null || number == null || number < 1) {
                return "";
            }
            long word = 0;
            int i = 0;
            while (i < string.length()) {
                while (i < string.length() && delimiters.indexOf(string.charAt(i)) >= 0) {
                    i++;
                }
                int start = i;
                while (i < string.length() && delimiters.indexOf(string.charAt(i)) < 0) {
                    i++;
                }
                if (i > start && ++word == number) {
                    return string.substring(start, i);
                }
            }
            return "";
        }
    };

    /** IgnoreFlowIfNullOrEmpty's result as a value, for callers that test for it. */
    public static final Ignored IGNORED = Ignored.INSTANCE;

    static final long TICKS_PER_SECOND = 10_000_000L;
    static final long TICKS_PER_DAY = TICKS_PER_SECOND * 86_400;
    static final LocalDateTime FILE_TIME_EPOCH = LocalDateTime.of(1601, 1, 1, 0, 0);
    /** The FILETIME of DateTime.MaxValue, the largest .NET's FromFileTimeUtc accepts. */
    static final long MAX_FILE_TIME = 2_650_467_743_999_999_999L;
    /** Windows' password complexity reference: "Special characters: ~!@#$%^&*_-+=`|\(){}[]:;"'<>,.?/". */
    static final String SPECIAL_CHARACTERS = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/";

    private final int minArguments;
    private final int maxArguments;

    ExpressionFunction(int minArguments, int maxArguments) {
        this.minArguments = minArguments;
        this.maxArguments = maxArguments;
    }

    abstract Object compute(List<Expression> args, Evaluation ctx);

    /** Runs the function; a failure names it. */
    final Object apply(List<Expression> args, Evaluation ctx) {
        try {
            return compute(args, ctx);
        } catch (FunctionError | NoUniqueValueException e) {
            throw e;
        } catch (ExpressionException e) {
            throw new FunctionError(name() + ": " + e.getMessage(), e);
        } catch (DateTimeException | ArithmeticException | IllegalArgumentException e) {
            throw new FunctionError(name() + ": " + e.getMessage(), e);
        }
    }

    void checkArity(int count, int position) {
        if (count < minArguments || count > maxArguments) {
            String expected = minArguments == maxArguments ? String.valueOf(minArguments)
                    : maxArguments == Integer.MAX_VALUE ? "at least " + minArguments
                    : minArguments + " to " + maxArguments;
            throw new ExpressionException(name() + " takes " + expected + " arguments, not " + count, position);
        }
    }

    /** Checks string constants that must be a regex, a date format, an interval or a culture when parsing. */
    void checkLiterals(List<Expression> args, List<Integer> positions) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i) instanceof Expression.Literal literal) {
                try {
                    checkLiteral(i, literal.value(), args.size());
                } catch (ExpressionException e) {
                    throw new ExpressionException(name() + ": " + e.getMessage(), positions.get(i));
                }
            }
        }
    }

    private void checkLiteral(int index, String value, int count) {
        switch (this) {
            case Replace -> {
                if (index == 2) {
                    DotNetRegex.compile(value);
                }
            }
            case FormatDateTime -> {
                if (count == 4 && index == 1) {
                    DotNetDateFormat.styles(value);
                } else if (index >= count - 2) {
                    DotNetDateFormat.format(DateTimeValue.utc(FILE_TIME_EPOCH), value);
                }
            }
            case DateAdd, DateDiff -> {
                if (index == 0) {
                    interval(value);
                }
            }
            case ToLower, ToUpper -> {
                if (index == 1) {
                    DotNetText.culture(value);
                }
            }
            default -> {
            }
        }
    }

    /** Function names are case-sensitive, as in Entra. */
    public static Optional<ExpressionFunction> named(String name) {
        return Arrays.stream(values()).filter(f -> f.name().equals(name)).findFirst();
    }

    // ---- values

    /** An evaluation failure attributed to a function. */
    static final class FunctionError extends ExpressionException {
        FunctionError(String message, Throwable cause) {
            super(message, -1, cause);
        }
    }

    /** Carries IgnoreFlowIfNullOrEmpty's "drop it" out of the calls that enclose it; see {@link Expression.Call}. */
    static final class IgnoreFlow extends RuntimeException {
        static final IgnoreFlow SIGNAL = new IgnoreFlow();

        private IgnoreFlow() {
            super(null, null, false, false);
        }
    }

    ExpressionException fail(String message) {
        return new FunctionError(name() + ": " + message, null);
    }

    /**
     * The values SelectUniqueValue's rules generate, in rule order, as text; a rule without a value is left out. All
     * rules are evaluated before any value is checked, as Entra says: it "evaluates each rule and then checks".
     */
    static List<String> uniqueCandidates(List<Expression> rules, Evaluation ctx) {
        List<String> candidates = new ArrayList<>();
        for (Expression rule : rules) {
            String candidate = string(rule, ctx);
            if (candidate != null && !candidate.isEmpty()) {
                candidates.add(candidate);
            }
        }
        return candidates;
    }

    /** An argument's value: an ignored one ends the enclosing call, a redacted one marks its result. */
    static Object value(Expression argument, Evaluation ctx) {
        Object value = argument.evaluate(ctx);
        if (value == Ignored.INSTANCE) {
            throw IgnoreFlow.SIGNAL;
        }
        if (value instanceof Redacted redacted) {
            ctx.redacted = true;
            return redacted.value();
        }
        return value;
    }

    static String string(Expression argument, Evaluation ctx) {
        return text(value(argument, ctx));
    }

    /** Entra renders booleans as .NET does: "True" and "False"; a multi-valued attribute by its first value. */
    static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? null : text(list.get(0));
        }
        if (value instanceof Redacted redacted) {
            return text(redacted.value());
        }
        return value.toString();
    }

    /** A "True"/"False" value, for boolean SCIM targets. */
    static Boolean bool(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = text(value);
        if (text == null) {
            // An empty multi-valued attribute has no value.
            return null;
        }
        String s = text.trim();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new ExpressionException("'" + s + "' is not a boolean", -1);
    }

    /** As VB's CBool: True and False, or a number that is not zero. */
    private static boolean truth(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        String s = text(value);
        if (s != null && (s.trim().equalsIgnoreCase("true") || s.trim().equalsIgnoreCase("false"))) {
            return s.trim().equalsIgnoreCase("true");
        }
        BigDecimal number = numeric(value);
        if (number == null) {
            throw new ExpressionException("'" + s + "' is neither True, False nor a number", -1);
        }
        return number.signum() != 0;
    }

    private static boolean isNullOrEmpty(Object value) {
        return value == null || (value instanceof String s && s.isEmpty()) || (value instanceof List<?> l && l.isEmpty());
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    /** A whole number, or null for null. */
    private static Long integer(Object value, String parameter) {
        if (value == null) {
            return null;
        }
        if (value instanceof Long l) {
            return l;
        }
        String text = text(value);
        if (text == null) {
            // An empty multi-valued attribute has no value.
            return null;
        }
        String s = text.trim();
        if (s.matches("[+-]?\\d{1,18}")) {
            return Long.parseLong(s);
        }
        if (s.matches("&[Hh][0-9A-Fa-f]{1,16}")) {
            return Long.parseUnsignedLong(s.substring(2), 16);
        }
        throw new ExpressionException(parameter + " must be a whole number, not '" + s + "'", -1);
    }

    long required(Expression argument, Evaluation ctx, String parameter) {
        Long value = integer(value(argument, ctx), parameter);
        if (value == null) {
            throw fail(parameter + " is required");
        }
        return value;
    }

    private static BigDecimal decimal(Object value, String parameter) {
        BigDecimal number = numeric(value);
        if (number == null) {
            throw new ExpressionException(parameter + " must be a number, not '" + text(value) + "'", -1);
        }
        return number;
    }

    private static BigDecimal numeric(Object value) {
        if (value instanceof Long l) {
            return BigDecimal.valueOf(l);
        }
        if (value instanceof String s && s.trim().matches("[+-]?\\d{1,30}(\\.\\d{1,30})?")) {
            return new BigDecimal(s.trim());
        }
        return null;
    }

    /** A DateTime argument: a DateTime, or a string .NET's DateTime.Parse reads. */
    private static DateTimeValue date(Object value) {
        if (value == null || value instanceof DateTimeValue) {
            return (DateTimeValue) value;
        }
        if (value instanceof String s) {
            return DotNetDateFormat.parse(s);
        }
        throw new ExpressionException("'" + text(value) + "' is not a date", -1);
    }

    /**
     * The page's intervals: "yyyy Year, m Month, d Day, ww Week, h Hour, n Minute, s Second"; like VB, whose
     * DateAdd and DateDiff these are, case-insensitive and also q (quarter), y (day of year) and w (weekday).
     */
    private static String interval(String interval) {
        String lower = interval.toLowerCase(Locale.ROOT);
        if (!Set.of("yyyy", "q", "m", "y", "d", "w", "ww", "h", "n", "s").contains(lower)) {
            throw new ExpressionException("'" + interval + "' is not an interval (yyyy, m, d, ww, h, n or s)", -1);
        }
        return lower;
    }

    private static long ticks(LocalDateTime from, LocalDateTime to) {
        Duration d = Duration.between(from, to);
        return d.getSeconds() * TICKS_PER_SECOND + d.getNano() / 100;
    }

    private static boolean textCompare(Object compareType) {
        if (compareType == null) {
            return false;
        }
        return switch (text(compareType)) {
            case "0", "vbBinaryCompare" -> false;
            case "1", "vbTextCompare" -> true;
            default -> throw new ExpressionException("compareType must be vbTextCompare or vbBinaryCompare, not '"
                    + text(compareType) + "'", -1);
        };
    }

    private static List<Map<?, ?>> assignments(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list) || !list.stream().allMatch(a -> a instanceof Map<?, ?>)) {
            throw new ExpressionException("expects the [" + SourceAttributes.APP_ROLE_ASSIGNMENTS
                    + "] attribute: a list of app role assignments", -1);
        }
        List<Map<?, ?>> assignments = new ArrayList<>();
        list.forEach(a -> assignments.add((Map<?, ?>) a));
        return assignments;
    }

    /** SCIM roles, one per app role assignment, all {@code primary: false}; the name under {@code nameKey}. */
    private static List<Map<String, Object>> roles(Object source, String nameKey) {
        List<Map<?, ?>> assignments = assignments(source);
        if (assignments == null) {
            return null;
        }
        List<Map<String, Object>> roles = new ArrayList<>();
        for (Map<?, ?> assignment : assignments) {
            Map<String, Object> role = new LinkedHashMap<>();
            role.put("primary", false);
            role.put("type", "WindowsAzureActiveDirectoryRole");
            putIfPresent(role, nameKey, assignment.get("displayName"));
            putIfPresent(role, "value", assignment.get("value"));
            roles.add(Collections.unmodifiableMap(role));
        }
        return List.copyOf(roles);
    }

    private static void putIfPresent(Map<String, Object> role, String key, Object value) {
        if (value != null) {
            role.put(key, text(value));
        }
    }

    private static String without(String characters, String avoid) {
        if (avoid == null) {
            return characters;
        }
        StringBuilder out = new StringBuilder();
        characters.chars().filter(c -> avoid.indexOf(c) < 0).forEach(c -> out.append((char) c));
        return out.toString();
    }

    /**
     * IIF's and CBool's comparisons. Numbers compare as numbers (DateDiff(...) &gt; 5), dates as dates, anything
     * else as case-sensitive strings ("=" on "USA"). A null side gives null: the condition has no value.
     */
    static Boolean compare(Object left, Expression.Operator operator, Object right) {
        if (left == null || right == null) {
            return null;
        }
        int order;
        BigDecimal l = numeric(left);
        BigDecimal r = numeric(right);
        if (left instanceof DateTimeValue || right instanceof DateTimeValue) {
            order = date(left).compareTo(date(right));
        } else if ((left instanceof Long || right instanceof Long) && l != null && r != null) {
            order = l.compareTo(r);
        } else {
            String a = text(left);
            String b = text(right);
            if (a == null || b == null) {
                return null;
            }
            order = a.compareTo(b);
        }
        return switch (operator) {
            case EQUAL -> order == 0;
            case NOT_EQUAL -> order != 0;
            case GREATER -> order > 0;
            case GREATER_OR_EQUAL -> order >= 0;
            case LESS -> order < 0;
            case LESS_OR_EQUAL -> order <= 0;
        };
    }
}
