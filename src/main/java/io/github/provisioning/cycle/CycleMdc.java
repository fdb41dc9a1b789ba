package io.github.provisioning.cycle;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.slf4j.MDC;

/**
 * The cycle id in the application log: the SLF4J MDC key {@value #KEY}, set while each step of a cycle's routes
 * runs, on whatever thread runs it. Camel's own MDC support ({@code camel.main.mdcLoggingKeysPattern}) carries
 * custom keys only where routing continues asynchronously, and a thread keeps a key it set after the exchange moved
 * on; so the id is taken from the exchange's {@code cycle} property, which the parallel splits' exchanges copy, and
 * each step gives the thread its MDC back afterwards.
 */
public final class CycleMdc implements InterceptStrategy {

    public static final String KEY = "cycleId";

    /** For the lines of the step that starts the cycle, before its exchange has the property. */
    static void begin(String cycleId) {
        MDC.put(KEY, cycleId);
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        return new DelegateAsyncProcessor(AsyncProcessorConverterHelper.convert(target)) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                String before = MDC.get(KEY);
                if (exchange.getProperty("cycle") instanceof CycleRun cycle) {
                    MDC.put(KEY, cycle.id());
                }
                try {
                    return processor.process(exchange, callback);
                } finally {
                    if (before == null) {
                        MDC.remove(KEY);
                    } else {
                        MDC.put(KEY, before);
                    }
                }
            }
        };
    }
}
