package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.filters.ComplexValueFilter;
import com.unboundid.scim2.common.filters.Filter;
import com.unboundid.scim2.common.types.AttributeDefinition;
import com.unboundid.scim2.common.utils.FilterEvaluator;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The SDK's filter evaluator, told the schema. Without definitions the SDK compares every string
 * case-insensitively; RFC 7643 makes {@code id}, {@code externalId} and {@code meta.*} caseExact while
 * {@code userName} is not. Inside a value filter such as {@code emails[type eq "work"]} the SDK hands over the
 * relative path ({@code type}), so we remember which complex attribute we are in. One instance per evaluation.
 */
final class SchemaAwareFilterEvaluator extends FilterEvaluator {

    private final ScimResourceType type;
    private final Deque<Path> enclosing = new ArrayDeque<>();

    private SchemaAwareFilterEvaluator(ScimResourceType type) {
        this.type = type;
    }

    static boolean matches(ScimResourceType type, Filter filter, JsonNode resource) throws ScimException {
        return filter.visit(new SchemaAwareFilterEvaluator(type), resource);
    }

    @Override
    public Boolean visit(ComplexValueFilter filter, JsonNode node) throws ScimException {
        enclosing.push(filter.getAttributePath());
        try {
            return super.visit(filter, node);
        } finally {
            enclosing.pop();
        }
    }

    @Override
    protected AttributeDefinition getAttributeDefinition(Path path) {
        if (path == null || path.size() == 0) {
            return null;
        }
        Path parent = enclosing.peek();
        if (parent != null && parent.size() > 0) {
            return type.definition(parent.getSchemaUrn(), parent.getElement(0).getAttribute(),
                    path.getElement(0).getAttribute());
        }
        return type.definition(path.getSchemaUrn(), path.getElement(0).getAttribute(),
                path.size() > 1 ? path.getElement(1).getAttribute() : null);
    }
}
