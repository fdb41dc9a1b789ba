package io.github.provisioning;

import io.github.provisioning.state.JobId;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.NoSuchBeanException;
import org.apache.camel.PropertyInject;

/**
 * The beans of one provisioning job, in Camel's registry as {@code <job>.<name>} (the routes' {@code
 * "{{job}}.cycles"}). They are the areas' lazy {@code @BindToRegistry} methods, each called on the bean's first
 * lookup, once per job. In those methods, {@code @BeanInject} names a bean of the same job when the job has one, else
 * one of the engine's, and {@code @PropertyInject} reads the job's settings. The areas' other {@code @BindToRegistry}
 * methods give stateless expressions and processors that every job shares: {@link #bindShared} binds them once, by
 * their names.
 */
public final class JobBeans {

    private final CamelContext context;
    private final JobId job;
    private final Function<String, Optional<String>> properties;
    private final Set<String> names = new HashSet<>();

    /**
     * @param properties the job's settings, as Camel's properties component gives them (an empty value is "")
     * @param fixed      beans the job has besides its areas' (its settings, ...), bound as given
     */
    JobBeans(CamelContext context, JobId job, Function<String, Optional<String>> properties, List<Object> areas,
             Map<String, Object> fixed) {
        this.context = context;
        this.job = job;
        this.properties = properties;
        fixed.forEach((name, bean) -> {
            names.add(name);
            context.getRegistry().bind(name(job, name), bean);
        });
        for (Object area : areas) {
            for (Method method : area.getClass().getMethods()) {
                BindToRegistry bind = method.getAnnotation(BindToRegistry.class);
                if (bind != null && bind.lazy()) {
                    names.add(bind.value());
                }
            }
        }
        for (Object area : areas) {
            for (Method method : area.getClass().getMethods()) {
                BindToRegistry bind = method.getAnnotation(BindToRegistry.class);
                if (bind != null && bind.lazy()) {
                    context.getRegistry().bind(name(job, bind.value()), method.getReturnType(),
                            () -> call(area, method));
                }
            }
        }
    }

    /** A job's bean's name in the registry. */
    public static String name(JobId job, String bean) {
        return job.part(bean);
    }

    public JobId job() {
        return job;
    }

    /** The job's bean of that name, built now if it was not yet. */
    public <T> T bean(String name, Class<T> type) {
        T bean = context.getRegistry().lookupByNameAndType(name(job, name), type);
        if (bean == null) {
            throw new NoSuchBeanException(name(job, name), type.getName());
        }
        return bean;
    }

    /** Binds the areas' stateless (not lazy) {@code @BindToRegistry} methods' beans once, by their own names. */
    static void bindShared(CamelContext context, List<Object> areas) {
        for (Object area : areas) {
            for (Method method : area.getClass().getMethods()) {
                BindToRegistry bind = method.getAnnotation(BindToRegistry.class);
                if (bind != null && !bind.lazy()) {
                    if (method.getParameterCount() > 0) {
                        throw new IllegalStateException(method + " is shared by the jobs: it takes no parameters");
                    }
                    context.getRegistry().bind(bind.value(), invoke(area, method, new Object[0]));
                }
            }
        }
    }

    private Object call(Object area, Method method) {
        Parameter[] parameters = method.getParameters();
        Object[] arguments = new Object[parameters.length];
        for (int i = 0; i < parameters.length; i++) {
            arguments[i] = argument(method, parameters[i]);
        }
        return invoke(area, method, arguments);
    }

    private Object argument(Method method, Parameter parameter) {
        Class<?> type = parameter.getType();
        BeanInject bean = parameter.getAnnotation(BeanInject.class);
        PropertyInject property = parameter.getAnnotation(PropertyInject.class);
        if (bean != null) {
            Object found = names.contains(bean.value())
                    ? context.getRegistry().lookupByNameAndType(name(job, bean.value()), type)
                    : context.getRegistry().lookupByNameAndType(bean.value(), type);
            if (found == null) {
                throw new NoSuchBeanException(bean.value(), type.getName());
            }
            return found;
        }
        if (property != null) {
            String value = properties.apply(property.value())
                    .or(() -> property.defaultValue().isEmpty() ? Optional.empty()
                            : Optional.of(property.defaultValue()))
                    .orElseThrow(() -> new IllegalArgumentException("Job " + job + " has no setting "
                            + property.value() + " (needed by " + method.getName() + ")"));
            return context.getTypeConverter().convertTo(type, value);
        }
        if (type == CamelContext.class) {
            return context;
        }
        if (type == JobBeans.class) {
            return this;
        }
        throw new IllegalStateException("Cannot give " + method + " its parameter " + parameter);
    }

    private static Object invoke(Object area, Method method, Object[] arguments) {
        try {
            return method.invoke(area, arguments);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause
                    : new IllegalStateException("Cannot create the bean of " + method, e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot call " + method, e);
        }
    }
}
