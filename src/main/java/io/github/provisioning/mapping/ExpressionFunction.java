package io.github.provisioning.mapping;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The functions of Entra's expression language, with the semantics of Microsoft's "Reference for writing
 * expressions for attribute mappings". Arguments are evaluated lazily so that IIF-like functions can short-cut.
 */
public enum ExpressionFunction {

    Coalesce(1, Integer.MAX_VALUE) {
        Object apply(List<Expression> args, SourceAttributes source) {
            // Entra: "Returns the first source value that isn't NULL."
            for (Expression arg : args) {
                Object value = arg.evaluate(source);
                if (value != null) {
                    return value;
                }
            }
            return null;
        }
    },
    CStr(1, 1) {
        Object apply(List<Expression> args, SourceAttributes source) {
            return text(args.get(0).evaluate(source));
        }
    },
    IsNull(1, 1) {
        Object apply(List<Expression> args, SourceAttributes source) {
            return args.get(0).evaluate(source) == null;
        }
    },
    IsNullOrEmpty(1, 1) {
        Object apply(List<Expression> args, SourceAttributes source) {
            return isNullOrEmpty(args.get(0).evaluate(source));
        }
    },
    IsPresent(1, 1) {
        Object apply(List<Expression> args, SourceAttributes source) {
            return !isNullOrEmpty(args.get(0).evaluate(source));
        }
    },
    Join(2, Integer.MAX_VALUE) {
        Object apply(List<Expression> args, SourceAttributes source) {
            // Entra: every value of a multi-valued source is joined; absent values are left out.
            String separator = text(args.get(0).evaluate(source));
            List<String> parts = new ArrayList<>();
            for (Expression arg : args.subList(1, args.size())) {
                Object value = arg.evaluate(source);
                if (value instanceof List<?> list) {
                    list.stream().filter(v -> v != null).forEach(v -> parts.add(text(v)));
                } else if (value != null) {
                    parts.add(text(value));
                }
            }
            return parts.isEmpty() ? null : String.join(separator == null ? "" : separator, parts);
        }
    },
    Not(1, 1) {
        Object apply(List<Expression> args, SourceAttributes source) {
            Boolean value = bool(args.get(0).evaluate(source));
            return value == null ? null : !value;
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

        Object apply(List<Expression> args, SourceAttributes source) {
            // Entra: keys are compared case-sensitively; the default is returned when nothing matches.
            String value = text(args.get(0).evaluate(source));
            for (int i = 2; i + 1 < args.size(); i += 2) {
                String key = text(args.get(i).evaluate(source));
                if (value == null ? key == null : value.equals(key)) {
                    return args.get(i + 1).evaluate(source);
                }
            }
            return args.get(1).evaluate(source);
        }
    },
    ToLower(1, 2) {
        Object apply(List<Expression> args, SourceAttributes source) {
            String value = text(args.get(0).evaluate(source));
            return value == null ? null : value.toLowerCase(culture(args, source));
        }
    },
    ToUpper(1, 2) {
        Object apply(List<Expression> args, SourceAttributes source) {
            String value = text(args.get(0).evaluate(source));
            return value == null ? null : value.toUpperCase(culture(args, source));
        }
    };

    private final int minArguments;
    private final int maxArguments;

    ExpressionFunction(int minArguments, int maxArguments) {
        this.minArguments = minArguments;
        this.maxArguments = maxArguments;
    }

    abstract Object apply(List<Expression> args, SourceAttributes source);

    void checkArity(int count, int position) {
        if (count < minArguments || count > maxArguments) {
            String expected = minArguments == maxArguments ? String.valueOf(minArguments)
                    : maxArguments == Integer.MAX_VALUE ? "at least " + minArguments
                    : minArguments + " to " + maxArguments;
            throw new ExpressionException(name() + " takes " + expected + " arguments, not " + count, position);
        }
    }

    /** Function names are case-sensitive, as in Entra. */
    public static Optional<ExpressionFunction> named(String name) {
        return Arrays.stream(values()).filter(f -> f.name().equals(name)).findFirst();
    }

    /** Entra renders booleans as .NET does: "True" and "False". */
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
        return value.toString();
    }

    static Boolean bool(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String s = text(value).trim();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new ExpressionException("'" + s + "' is not a boolean", -1);
    }

    private static boolean isNullOrEmpty(Object value) {
        return value == null || (value instanceof String s && s.isEmpty()) || (value instanceof List<?> l && l.isEmpty());
    }

    private static Locale culture(List<Expression> args, SourceAttributes source) {
        String tag = args.size() > 1 ? text(args.get(1).evaluate(source)) : null;
        return tag == null ? Locale.ROOT : Locale.forLanguageTag(tag);
    }
}
