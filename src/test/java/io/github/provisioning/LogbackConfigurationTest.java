package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.cycle.CycleMdc;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar's logback.xml: plain lines with the cycle id by default, JSON lines with -Dlog.format=json. Read
 * into a logger context of its own (the tests' logging stays on logback-test.xml).
 */
class LogbackConfigurationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void textLinesShowTheCycleIdWhenThereIsOne() throws Exception {
        OutputStreamAppender<?> console = console(null);

        assertThat(encode(console, Map.of(CycleMdc.KEY, "c-1"))).contains("] cycle=c-1 i.g.provisioning.Cycles - Cycle c-1 done");
        assertThat(encode(console, Map.of())).contains("] i.g.provisioning.Cycles - Cycle c-1 done").doesNotContain("cycle=");
    }

    @Test
    void logFormatJsonWritesOneJsonObjectALineWithTheMdc() throws Exception {
        String line = encode(console("json"), Map.of(CycleMdc.KEY, "c-1"));

        assertThat(line).endsWith("\n").doesNotContain("\n{");
        JsonNode event = JSON.readTree(line);
        assertThat(event.path("level").asText()).isEqualTo("INFO");
        assertThat(event.path("loggerName").asText()).isEqualTo("io.github.provisioning.Cycles");
        assertThat(event.path("formattedMessage").asText()).isEqualTo("Cycle c-1 done");
        assertThat(event.path("mdc").path(CycleMdc.KEY).asText()).isEqualTo("c-1");
    }

    @SuppressWarnings("unchecked")
    private static <E> OutputStreamAppender<E> console(String format) throws Exception {
        LoggerContext context = new LoggerContext();
        if (format != null) {
            context.putProperty("log.format", format);
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogbackConfigurationTest.class.getResource("/logback.xml"));
        var appenders = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
        OutputStreamAppender<E> appender = (OutputStreamAppender<E>) appenders.next();
        assertThat(appenders.hasNext()).isFalse();
        assertThat(appender.getName()).isEqualTo("CONSOLE-" + (format == null ? "text" : format));
        return appender;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String encode(OutputStreamAppender appender, Map<String, String> mdc) {
        LoggerContext context = (LoggerContext) appender.getContext();
        LoggingEvent event = new LoggingEvent("test", context.getLogger("io.github.provisioning.Cycles"), Level.INFO,
                "Cycle {} done", null, new Object[] {"c-1"});
        event.setMDCPropertyMap(mdc);
        return new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
    }
}
