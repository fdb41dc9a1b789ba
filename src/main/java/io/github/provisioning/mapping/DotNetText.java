package io.github.provisioning.mapping;

import java.text.Normalizer;
import java.util.Locale;

/** The .NET text rules behind ToLower, ToUpper, PCase and NormalizeDiacritics. */
final class DotNetText {

    private DotNetText() {
    }

    /**
     * A culture name as .NET's CultureInfo takes it ("en-US", "ja-JP", "sr-Latn-RS"); null or "" is the invariant
     * culture. Entra: "If there's no culture info specified, then it uses Invariant culture."
     */
    static Locale culture(String name) {
        if (name == null || name.isEmpty()) {
            return Locale.ROOT;
        }
        if (!name.matches("[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")) {
            throw new ExpressionException("'" + name + "' is not a culture name such as en-US", -1);
        }
        return Locale.forLanguageTag(name);
    }

    /**
     * .NET maps case one character at a time (no "ß" to "SS"); only Turkish and Azeri treat dotted and dotless i
     * specially.
     */
    static String toUpper(String text, Locale culture) {
        boolean turkic = isTurkic(culture);
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> out.appendCodePoint(
                turkic && cp == 'i' ? 'İ' : turkic && cp == 'ı' ? 'I' : Character.toUpperCase(cp)));
        return out.toString();
    }

    static String toLower(String text, Locale culture) {
        boolean turkic = isTurkic(culture);
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> out.appendCodePoint(
                turkic && cp == 'I' ? 'ı' : turkic && cp == 'İ' ? 'i' : Character.toLowerCase(cp)));
        return out.toString();
    }

    private static boolean isTurkic(Locale culture) {
        return culture.getLanguage().equals("tr") || culture.getLanguage().equals("az");
    }

    /**
     * PCase without word separators. Entra: "PCase internally invokes the .NET function ToTitleCase", after making
     * "all other characters ... lower case" (the page turns "PABLO GONSALVES (SECOND)" into "Pablo Gonsalves
     * (Second)", which ToTitleCase alone would leave in capitals). As in ToTitleCase, a word starts at a letter and
     * runs on through letters, digits, marks and apostrophes; the separator categories end it.
     */
    static String titleCase(String text) {
        String lower = toLower(text, Locale.ROOT);
        StringBuilder out = new StringBuilder(lower.length());
        int i = 0;
        while (i < lower.length()) {
            int cp = lower.codePointAt(i);
            i += Character.charCount(cp);
            if (!isLetter(Character.getType(cp))) {
                out.appendCodePoint(cp);
                continue;
            }
            out.appendCodePoint(Character.toTitleCase(cp));
            while (i < lower.length()) {
                int next = lower.codePointAt(i);
                int type = Character.getType(next);
                if (!isLetter(type) && next != '\'' && isWordSeparator(type)) {
                    break;
                }
                out.appendCodePoint(next);
                i += Character.charCount(next);
            }
        }
        return out.toString();
    }

    /** PCase with word separators. Entra: "PCase only uses the characters specified as word separators." */
    static String properCase(String text, String separators) {
        String lower = toLower(text, Locale.ROOT);
        StringBuilder out = new StringBuilder(lower.length());
        boolean wordStart = true;
        int i = 0;
        while (i < lower.length()) {
            int cp = lower.codePointAt(i);
            i += Character.charCount(cp);
            if (separators.indexOf(cp) >= 0) {
                out.appendCodePoint(cp);
                wordStart = true;
            } else {
                out.appendCodePoint(wordStart ? Character.toTitleCase(cp) : cp);
                wordStart = false;
            }
        }
        return out.toString();
    }

    private static boolean isLetter(int type) {
        return type == Character.UPPERCASE_LETTER || type == Character.LOWERCASE_LETTER
                || type == Character.TITLECASE_LETTER || type == Character.MODIFIER_LETTER
                || type == Character.OTHER_LETTER;
    }

    /** The Unicode categories the page lists as ToTitleCase's word separators. */
    private static boolean isWordSeparator(int type) {
        return switch (type) {
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.CONTROL, Character.FORMAT, Character.CONNECTOR_PUNCTUATION,
                    Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                    Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    /**
     * Entra: "Returns the string, but with any diacritical characters replaced with equivalent nondiacritical
     * characters." Combining diacritical marks (U+0300 to U+036F) go after canonical decomposition; the letters of
     * the page's table that do not decompose (æ, ø, œ, ß, ł, ı) are spelled out as the table says. Other scripts are
     * recomposed unchanged.
     */
    static String normalizeDiacritics(String text) {
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(decomposed.length());
        for (int i = 0; i < decomposed.length(); i++) {
            char c = decomposed.charAt(i);
            if (c >= '\u0300' && c <= '\u036F') {
                continue;
            }
            switch (c) {
                case 'æ' -> out.append("ae");
                case 'Æ' -> out.append("AE");
                case 'ø', 'œ' -> out.append("oe");
                case 'Ø', 'Œ' -> out.append("OE");
                case 'ß' -> out.append("ss");
                case 'ł' -> out.append('l');
                case 'Ł' -> out.append('L');
                case 'ı' -> out.append('i');
                default -> out.append(c);
            }
        }
        return Normalizer.normalize(out, Normalizer.Form.NFC);
    }
}
