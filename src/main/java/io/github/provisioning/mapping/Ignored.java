package io.github.provisioning.mapping;

/**
 * What {@code IgnoreFlowIfNullOrEmpty} evaluates to when its argument is null or empty. Entra: "instructs the
 * provisioning service to ignore the attribute and drop it from the flow". Unlike null (which on update removes
 * the target value), an ignored attribute is neither added, replaced nor removed; see
 * {@link ObjectMapping#ignoredTargets(SourceAttributes)}. A function that receives it as an argument yields it
 * too, so the whole mapping is dropped wherever the call is nested.
 */
public enum Ignored {
    INSTANCE;

    @Override
    public String toString() {
        return "IgnoreFlow";
    }
}
