package io.github.provisioning.sandbox.graph;

import java.math.BigInteger;
import java.text.Normalizer;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * A deterministic, Contoso-style sample directory. Every property of sample user {@code index} is a pure function
 * of (seed, index), so users can stay virtual in the tenant and be derived on each read. Ratios come from modular
 * rules rather than coin flips, so even 50 users always hold a few disabled accounts and a few missing values.
 */
final class SampleDirectory {

    static final String DOMAIN = "contoso.example";
    static final String SALES = "Sales";
    static final String ENGINEERING = "Engineering";
    /** Keeps sample groups at realistic sizes: a few hundred to ten thousand direct members. */
    static final int MAX_GROUP_SIZE = 10_000;
    /** Direct reports per manager, as the seed picks it. */
    static final int MIN_SPAN = 5;
    static final int MAX_SPAN = 9;

    private static final String[] FIRST_NAMES = {
        "Adele", "Alex", "Allan", "Christie", "Debra", "Diego", "Emily", "Enrico", "Grady", "Henrietta", "Irvin",
        "Isaiah", "Johanna", "Joni", "Lee", "Lidia", "Lynne", "Megan", "Miriam", "Nestor", "Patti", "Pradeep",
        "Raul", "Sakura", "Amara", "Bruno", "Chloé", "Dmitri", "Elena", "Farah", "Gabriel", "Hana", "Ingrid",
        "Jamal", "Kenji", "Laura", "Mateo", "Nadia", "Oliver", "Priya", "Quentin", "Rosa", "Samuel", "Tanvir",
        "Uma", "Victor", "Wei", "Ximena", "Yusuf", "Zoë", "Aaliyah", "Björn", "Camila", "Darius", "Émilie",
        "Felix", "Giulia", "Hugo", "Imani", "José", "Katarzyna", "Liam", "Mei", "Noah"};
    private static final String[] SURNAMES = {
        "Vance", "Wilber", "Deyoung", "Cline", "Berger", "Siciliani", "Braun", "Cattaneo", "Archie", "Mueller",
        "Sayers", "Langer", "Lorenz", "Sherman", "Gu", "Holloway", "Robbins", "Bowen", "Graham", "Wilke",
        "Fernandez", "Gupta", "Okafor", "Novak", "Kowalski", "Nakamura", "Haddad", "Silva", "Jensen", "O'Brien",
        "García", "Núñez", "Schröder", "Dubois", "Rossi", "Kim", "Patel", "Nguyen", "Andersson", "Ivanova",
        "Mensah", "Costa", "Yilmaz", "Hughes", "Murphy", "Tanaka", "Fischer", "Moreau", "Bianchi", "Lindqvist",
        "Cohen", "Suzuki", "Adeyemi", "Kaur", "Petrov", "Santos", "Walsh", "Bergström", "Hoffmann", "Lambert",
        "Moretti", "Sato", "Ramírez", "Osei"};
    private static final String[] FIRST_NAME_LOGINS = logins(FIRST_NAMES);
    private static final String[] SURNAME_LOGINS = logins(SURNAMES);
    private static final int NAME_PAIRS = FIRST_NAMES.length * SURNAMES.length;

    /** Twenty slots: Sales 4, Engineering 5, the rest shared out, so departments keep fixed ratios. */
    private static final String[] DEPARTMENT_SLOTS = {
        SALES, SALES, SALES, SALES, ENGINEERING, ENGINEERING, ENGINEERING, ENGINEERING, ENGINEERING,
        "Marketing", "Marketing", "Finance", "Finance", "Human Resources", "Operations", "Operations",
        "Customer Support", "Customer Support", "Legal", "IT"};
    private static final Map<String, String[]> JOB_TITLES = Map.of(
            SALES, new String[] {"Account Executive", "Sales Manager", "Sales Representative",
                "Regional Sales Director", "Inside Sales Specialist"},
            ENGINEERING, new String[] {"Software Engineer", "Senior Software Engineer", "Engineering Manager",
                "Site Reliability Engineer", "Principal Engineer", "QA Engineer"},
            "Marketing", new String[] {"Marketing Manager", "Product Marketing Manager", "Content Strategist",
                "Brand Designer"},
            "Finance", new String[] {"Financial Analyst", "Controller", "Accountant", "Payroll Specialist"},
            "Human Resources", new String[] {"HR Business Partner", "Recruiter", "HR Generalist"},
            "Operations", new String[] {"Operations Manager", "Logistics Coordinator", "Facilities Coordinator"},
            "Customer Support", new String[] {"Support Engineer", "Customer Success Manager", "Support Team Lead"},
            "Legal", new String[] {"Corporate Counsel", "Paralegal", "Compliance Officer"},
            "IT", new String[] {"IT Administrator", "Service Desk Analyst", "Security Analyst"});

    private record Office(String building, String street, String city, String state, String postalCode,
                          String country, String usageLocation, String language, String phonePrefix,
                          String mobilePrefix) {
    }

    // Phone numbers use ranges set aside for fiction (555-01xx, Ofcom's 020 7946 0xxx) where they exist.
    private static final Office[] AMERICAS = {
        new Office("18", "3 Contoso Way", "Redmond", "WA", "98052", "United States", "US", "en-US",
                "+1 425 555 01", "+1 425 555 01"),
        new Office("SEA-4", "1200 Pine Street", "Seattle", "WA", "98101", "United States", "US", "en-US",
                "+1 206 555 01", "+1 206 555 01"),
        new Office("NYC-12", "500 Hudson Street", "New York", "NY", "10013", "United States", "US", "en-US",
                "+1 212 555 01", "+1 917 555 01"),
        new Office("CHI-3", "233 Wacker Drive", "Chicago", "IL", "60606", "United States", "US", "en-US",
                "+1 312 555 01", "+1 773 555 01"),
        new Office("TOR-2", "100 King Street West", "Toronto", "ON", "M5X 1A9", "Canada", "CA", "en-CA",
                "+1 416 555 01", "+1 647 555 01")};
    private static final Office[] EMEA = {
        new Office("LON-1", "10 Fleet Place", "London", "England", "EC4M 7RB", "United Kingdom", "GB", "en-GB",
                "+44 20 7946 0", "+44 7700 900"),
        new Office("BER-5", "Friedrichstraße 68", "Berlin", "Berlin", "10117", "Germany", "DE", "de-DE",
                "+49 30 5555 0", "+49 151 5555 0"),
        new Office("PAR-2", "18 Rue Lafayette", "Paris", "Île-de-France", "75009", "France", "FR", "fr-FR",
                "+33 1 55 55 0", "+33 6 55 55 0"),
        new Office("AMS-1", "Herengracht 182", "Amsterdam", "Noord-Holland", "1016 BR", "Netherlands", "NL",
                "nl-NL", "+31 20 555 0", "+31 6 5555 0")};

    private static final long SAMPLE_EPOCH_MILLIS = Instant.parse("2023-01-01T08:00:00Z").toEpochMilli();

    static {
        // The name permutation below is a bijection only on a power-of-two number of pairs.
        if (Integer.bitCount(NAME_PAIRS) != 1) {
            throw new IllegalStateException("name pools must multiply to a power of two");
        }
    }

    private final long seed;
    private final int userCount;
    private final int idKey;
    private final int nameMultiplier;
    private final int nameOffset;
    private final int departmentOffset;
    private final int regionOffset;
    private final int disabledOffset;
    private final int noMobileOffset;
    private final int noMailOffset;
    private final int noFaxOffset;
    private final int noPhoneOffset;
    private final int noTitleOffset;
    private final int assignmentOffset;
    private final int span;
    private final long rankMultiplier;
    private final long rankOffset;
    private final long unrankMultiplier;
    private final int noManagerOffset;

    SampleDirectory(long seed, int userCount) {
        this.seed = seed;
        this.userCount = userCount;
        SplittableRandom random = new SplittableRandom(seed);
        this.idKey = random.nextInt();
        this.nameMultiplier = 2 * random.nextInt(NAME_PAIRS / 2) + 1;
        this.nameOffset = random.nextInt(NAME_PAIRS);
        this.departmentOffset = random.nextInt(DEPARTMENT_SLOTS.length);
        this.regionOffset = random.nextInt(3);
        this.disabledOffset = random.nextInt(12);
        this.noMobileOffset = random.nextInt(9);
        this.noMailOffset = random.nextInt(16);
        this.noFaxOffset = random.nextInt(4);
        this.noPhoneOffset = random.nextInt(10);
        this.noTitleOffset = random.nextInt(25);
        this.assignmentOffset = random.nextInt(3);
        // Drawn after everything else, so the reporting lines leave every other sample value as it was.
        this.span = MIN_SPAN + random.nextInt(MAX_SPAN - MIN_SPAN + 1);
        long multiplier = userCount < 2 ? 1 : 1 + random.nextInt(userCount - 1);
        while (userCount > 1 && BigInteger.valueOf(multiplier).gcd(BigInteger.valueOf(userCount)).intValue() != 1) {
            multiplier = multiplier % (userCount - 1) + 1;
        }
        this.rankMultiplier = multiplier;
        this.rankOffset = userCount < 1 ? 0 : random.nextInt(userCount);
        this.unrankMultiplier = userCount < 2 ? 1
                : BigInteger.valueOf(multiplier).modInverse(BigInteger.valueOf(userCount)).longValue();
        this.noManagerOffset = random.nextInt(25);
    }

    int userCount() {
        return userCount;
    }

    // --- identity -------------------------------------------------------------------------------------------

    /**
     * A random-looking version 4 GUID whose last 32 bits are a keyed permutation of the index, so the index can
     * be recovered from the id without an id-to-user map.
     */
    String userId(int index) {
        int scrambled = scramble(index);
        long tail = scrambled & 0xFFFF_FFFFL;
        long high = mix64(seed ^ 0x5851F42D4C957F2DL ^ tail * 0x9E3779B97F4A7C15L);
        high = (high & ~0xF000L) | 0x4000L;
        long low = mix64(seed + tail * 0xC2B2AE3D27D4EB4FL);
        low = (low & 0x3FFF_FFFF_0000_0000L) | 0x8000_0000_0000_0000L | tail;
        return new UUID(high, low).toString();
    }

    /** The sample index behind an id, or -1 when the id is not one of this sample's users. */
    int indexOf(String id) {
        if (id.length() != 36) {
            return -1;
        }
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException notAGuid) {
            return -1;
        }
        int index = unscramble((int) uuid.getLeastSignificantBits());
        if (index < 0 || index >= userCount) {
            return -1;
        }
        return userId(index).equalsIgnoreCase(id) ? index : -1;
    }

    String groupId(int ordinal) {
        long high = (mix64(seed ^ 0x2545F4914F6CDD1DL ^ ordinal * 0x9E3779B97F4A7C15L) & ~0xF000L) | 0x4000L;
        long low = (mix64(seed * 31 + ordinal) & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low).toString();
    }

    // --- users ----------------------------------------------------------------------------------------------

    Object userValue(int index, UserProperty property) {
        return switch (property) {
            case USER_PRINCIPAL_NAME -> login(index) + "@" + DOMAIN;
            case DISPLAY_NAME -> firstName(index) + " " + surname(index);
            case GIVEN_NAME -> firstName(index);
            case SURNAME -> surname(index);
            case DEPARTMENT -> department(index);
            default -> userValues(index)[property.ordinal()];
        };
    }

    Object[] userValues(int index) {
        Object[] values = new Object[UserProperty.COUNT];
        String first = firstName(index);
        String last = surname(index);
        String login = login(index);
        String department = department(index);
        Office office = office(index);
        SplittableRandom random = new SplittableRandom(hash(index, 1));
        String[] titles = JOB_TITLES.get(department);

        values[UserProperty.USER_PRINCIPAL_NAME.ordinal()] = login + "@" + DOMAIN;
        values[UserProperty.DISPLAY_NAME.ordinal()] = first + " " + last;
        values[UserProperty.GIVEN_NAME.ordinal()] = first;
        values[UserProperty.SURNAME.ordinal()] = last;
        values[UserProperty.MAIL.ordinal()] = every(index, 17, noMailOffset, 16) ? null : login + "@" + DOMAIN;
        values[UserProperty.MAIL_NICKNAME.ordinal()] = login;
        values[UserProperty.JOB_TITLE.ordinal()] = every(index, 29, noTitleOffset, 25)
                ? null : titles[random.nextInt(titles.length)];
        values[UserProperty.DEPARTMENT.ordinal()] = department;
        values[UserProperty.EMPLOYEE_ID.ordinal()] = Integer.toString(100_000 + index);
        values[UserProperty.BUSINESS_PHONES.ordinal()] = every(index, 19, noPhoneOffset, 10)
                ? List.of() : List.of(office.phonePrefix() + digits(random, 2));
        values[UserProperty.MOBILE_PHONE.ordinal()] = every(index, 13, noMobileOffset, 9)
                ? null : office.mobilePrefix() + digits(random, 3);
        values[UserProperty.FAX_NUMBER.ordinal()] = every(index, 3, noFaxOffset, 4)
                ? null : office.phonePrefix() + digits(random, 2);
        values[UserProperty.OFFICE_LOCATION.ordinal()] = office.building() + "/" + (1000 + random.nextInt(3000));
        values[UserProperty.STREET_ADDRESS.ordinal()] = office.street();
        values[UserProperty.CITY.ordinal()] = office.city();
        values[UserProperty.STATE.ordinal()] = office.state();
        values[UserProperty.POSTAL_CODE.ordinal()] = office.postalCode();
        values[UserProperty.COUNTRY.ordinal()] = office.country();
        values[UserProperty.PREFERRED_LANGUAGE.ordinal()] = office.language();
        values[UserProperty.COMPANY_NAME.ordinal()] = "Contoso";
        values[UserProperty.USAGE_LOCATION.ordinal()] = office.usageLocation();
        values[UserProperty.ACCOUNT_ENABLED.ordinal()] = !every(index, 11, disabledOffset, 12);
        return values;
    }

    String department(int index) {
        return DEPARTMENT_SLOTS[(int) Math.floorMod(index * 7L + departmentOffset, DEPARTMENT_SLOTS.length)];
    }

    /** A third of the staff work in European offices; Sales people there belong to the nested "Sales EMEA". */
    boolean emea(int index) {
        return every(index, 5, regionOffset, 3);
    }

    /** Outside Sales and Engineering (whose groups are assigned), two in three users are assigned directly. */
    boolean directlyAssigned(int index) {
        String department = department(index);
        return !department.equals(SALES) && !department.equals(ENGINEERING)
                && !every(index, 23, assignmentOffset, 3);
    }

    // --- reporting lines ------------------------------------------------------------------------------------

    /**
     * The sample user {@code index} reports to, or -1. The org chart is a tree laid out like a heap over a seeded
     * permutation of the users: the user of rank 0 heads the company, the users of ranks {@code span*r+1} to
     * {@code span*r+span} report to the user of rank r. So about one user in {@code span} is a manager, the chart
     * is a few levels deep even for a million users, and both directions are arithmetic, with nothing stored.
     * One in 25 of the users without reports has no manager either (new hires, shared accounts).
     */
    int managerIndex(int index) {
        long rank = rank(index);
        if (rank == 0 || unmanaged(index, rank)) {
            return -1;
        }
        return unrank((rank - 1) / span);
    }

    /** The sample users that report to user {@code index}: the inverse of {@link #managerIndex(int)}. */
    int[] reportIndexes(int index) {
        long first = rank(index) * span + 1;
        long end = Math.min(userCount, first + span);
        int[] reports = new int[(int) Math.max(0, end - first)];
        int count = 0;
        for (long rank = first; rank < end; rank++) {
            int report = unrank(rank);
            if (!unmanaged(report, rank)) {
                reports[count++] = report;
            }
        }
        return count == reports.length ? reports : Arrays.copyOf(reports, count);
    }

    private boolean unmanaged(int index, long rank) {
        boolean leaf = rank * span + 1 >= userCount;
        return leaf && every(index, 37, noManagerOffset, 25);
    }

    /** A bijection of 0..userCount-1: multiplying by a unit modulo userCount, then adding an offset. */
    private long rank(int index) {
        return Math.floorMod(index * rankMultiplier + rankOffset, (long) userCount);
    }

    private int unrank(long rank) {
        return (int) Math.floorMod(Math.floorMod(rank - rankOffset, (long) userCount) * unrankMultiplier,
                (long) userCount);
    }

    long assignedAtMillis(int ordinal) {
        return SAMPLE_EPOCH_MILLIS + Math.floorMod(hash(ordinal, 7), 730L * 24 * 3600 * 1000);
    }

    private Office office(int index) {
        Office[] offices = emea(index) ? EMEA : AMERICAS;
        return offices[(int) Math.floorMod(hash(index, 2), (long) offices.length)];
    }

    private String firstName(int index) {
        return FIRST_NAMES[namePair(index) % FIRST_NAMES.length];
    }

    private String surname(int index) {
        return SURNAMES[namePair(index) / FIRST_NAMES.length];
    }

    /** "adele.vance", then "adele.vance2" once every name pair is taken: unique for any user count. */
    private String login(int index) {
        int pair = namePair(index);
        int round = index / NAME_PAIRS;
        String login = FIRST_NAME_LOGINS[pair % FIRST_NAMES.length] + "." + SURNAME_LOGINS[pair / FIRST_NAMES.length];
        return round == 0 ? login : login + (round + 1);
    }

    private int namePair(int index) {
        int round = index / NAME_PAIRS;
        return Math.floorMod((index % NAME_PAIRS) * nameMultiplier + nameOffset + round * 977, NAME_PAIRS);
    }

    private static boolean every(int index, int stride, int offset, int modulus) {
        return Math.floorMod(index * (long) stride + offset, modulus) == 0;
    }

    private static String digits(SplittableRandom random, int count) {
        StringBuilder digits = new StringBuilder(count);
        for (int i = 0; i < count; i++) {
            digits.append((char) ('0' + random.nextInt(10)));
        }
        return digits.toString();
    }

    private static String[] logins(String[] names) {
        String[] logins = new String[names.length];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.length; i++) {
            logins[i] = Normalizer.normalize(names[i], Normalizer.Form.NFD)
                    .replaceAll("\\p{M}", "")
                    .toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9]", "");
            if (!seen.add(logins[i])) {
                throw new IllegalStateException("two names share the login " + logins[i]);
            }
        }
        return logins;
    }

    // --- mixing ---------------------------------------------------------------------------------------------

    private long hash(long index, long salt) {
        return mix64(seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + salt * 0x94D049BB133111EBL);
    }

    /** SplitMix64's finalizer. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static final int M1 = 0x7feb352d;
    private static final int M2 = 0x846ca68b;
    private static final int M1_INVERSE = inverse(M1);
    private static final int M2_INVERSE = inverse(M2);

    /** An invertible 32-bit mix (xor-shift-multiply), keyed per sample. */
    private int scramble(int x) {
        x ^= idKey;
        x *= M1;
        x ^= x >>> 16;
        x *= M2;
        x ^= x >>> 15;
        return x;
    }

    private int unscramble(int x) {
        x ^= (x >>> 15) ^ (x >>> 30);
        x *= M2_INVERSE;
        x ^= x >>> 16;
        x *= M1_INVERSE;
        return x ^ idKey;
    }

    /** Newton's iteration for the inverse of an odd number modulo 2^32. */
    private static int inverse(int odd) {
        int inverse = odd;
        for (int i = 0; i < 5; i++) {
            inverse *= 2 - odd * inverse;
        }
        return inverse;
    }
}
