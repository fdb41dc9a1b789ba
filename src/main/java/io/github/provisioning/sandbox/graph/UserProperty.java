package io.github.provisioning.sandbox.graph;

import java.util.List;
import java.util.Optional;

/** The microsoft.graph.user properties the simulator stores, by their Graph names. */
public enum UserProperty {
    USER_PRINCIPAL_NAME("userPrincipalName", PropertyKind.TEXT),
    DISPLAY_NAME("displayName", PropertyKind.TEXT),
    GIVEN_NAME("givenName", PropertyKind.TEXT),
    SURNAME("surname", PropertyKind.TEXT),
    MAIL("mail", PropertyKind.TEXT),
    MAIL_NICKNAME("mailNickname", PropertyKind.TEXT),
    JOB_TITLE("jobTitle", PropertyKind.TEXT),
    DEPARTMENT("department", PropertyKind.TEXT),
    EMPLOYEE_ID("employeeId", PropertyKind.TEXT),
    BUSINESS_PHONES("businessPhones", PropertyKind.TEXT_LIST),
    MOBILE_PHONE("mobilePhone", PropertyKind.TEXT),
    FAX_NUMBER("faxNumber", PropertyKind.TEXT),
    OFFICE_LOCATION("officeLocation", PropertyKind.TEXT),
    STREET_ADDRESS("streetAddress", PropertyKind.TEXT),
    CITY("city", PropertyKind.TEXT),
    STATE("state", PropertyKind.TEXT),
    POSTAL_CODE("postalCode", PropertyKind.TEXT),
    COUNTRY("country", PropertyKind.TEXT),
    PREFERRED_LANGUAGE("preferredLanguage", PropertyKind.TEXT),
    COMPANY_NAME("companyName", PropertyKind.TEXT),
    USAGE_LOCATION("usageLocation", PropertyKind.TEXT),
    ACCOUNT_ENABLED("accountEnabled", PropertyKind.BOOLEAN),
    ON_PREMISES_EXTENSION_ATTRIBUTES("onPremisesExtensionAttributes", PropertyKind.EXTENSION_ATTRIBUTES);

    static final int COUNT = values().length;

    /** What Graph returns for a user when the request has no $select. */
    static final List<UserProperty> DEFAULT_SELECT = List.of(BUSINESS_PHONES, DISPLAY_NAME, GIVEN_NAME, JOB_TITLE,
            MAIL, MOBILE_PHONE, OFFICE_LOCATION, PREFERRED_LANGUAGE, SURNAME, USER_PRINCIPAL_NAME);

    static final PropertyNames<UserProperty> NAMES = new PropertyNames<>(values(), UserProperty::graphName);

    private final String graphName;
    private final PropertyKind kind;

    UserProperty(String graphName, PropertyKind kind) {
        this.graphName = graphName;
        this.kind = kind;
    }

    public String graphName() {
        return graphName;
    }

    PropertyKind kind() {
        return kind;
    }

    /** Graph matches property names without regard to case. */
    public static Optional<UserProperty> byName(String name) {
        return NAMES.find(name);
    }
}
