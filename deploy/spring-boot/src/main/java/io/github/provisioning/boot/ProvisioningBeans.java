package io.github.provisioning.boot;

import io.github.provisioning.ProvisioningConfiguration;
import io.github.provisioning.admin.AdminAccess;
import io.github.provisioning.cycle.RunOutcome;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.engine.DefaultCamelBeanPostProcessor;
import org.apache.camel.spi.CamelBeanPostProcessor;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.service.ServiceHelper;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The engine's beans on Spring Boot. camel-spring-boot neither runs Camel Main configuration classes nor binds
 * their {@code @BindToRegistry} methods, so this does what Camel Main does with ProvisioningConfiguration: Camel's
 * bean post-processor processes it, then its {@code configure} checks the settings and binds the engine's beans into
 * Camel's registry before Camel starts the routes (with no tenant settings it stops start-up: the route bundle has no
 * sandbox).
 */
@Configuration(proxyBeanMethods = false)
public class ProvisioningBeans {

    /** The last cycle's outcome: the exit code of a provisioning.once run. */
    @Bean
    public RunOutcome runOutcome() {
        return new RunOutcome();
    }

    @Bean
    public CamelStopped camelStopped() {
        return new CamelStopped();
    }

    @Bean
    public CamelContextConfiguration provisioningConfiguration(MeterRegistry meterRegistry, CamelStopped stopped) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext context) {
                try {
                    // Camel Main names its meter registry so; the engine's metrics go on Spring's (/observe/metrics).
                    context.getRegistry().bind("metricsRegistry", meterRegistry);
                    ServiceHelper.startService(stopped);
                    context.getManagementStrategy().addEventNotifier(stopped);
                    ProvisioningConfiguration configuration = new ProvisioningConfiguration();
                    CamelBeanPostProcessor beans = new DefaultCamelBeanPostProcessor(context);
                    String name = ProvisioningConfiguration.class.getName();
                    beans.postProcessBeforeInitialization(configuration, name);
                    beans.postProcessAfterInitialization(configuration, name);
                    configuration.configure(context);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }

            @Override
            public void afterApplicationStart(CamelContext context) {
            }
        };
    }

    /**
     * admin.token on Spring Boot's web server, which serves the admin API and /observe: Camel Main's Vert.x check
     * ({@link AdminAccess#install}) has no server here. Off loopback, start-up fails without a token; with or without
     * one, cross-site writes are refused.
     */
    @Bean
    public FilterRegistrationBean<OncePerRequestFilter> adminAccess(@Value("${admin.host}") String host,
                                                                    @Value("${admin.token:}") String token) {
        AdminAccess access = AdminAccess.of(host, token);
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(
                new OncePerRequestFilter() {
                    @Override
                    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
                                                    FilterChain chain) throws ServletException, IOException {
                        if (AdminAccess.isCrossSiteWrite(request.getMethod(), request.getHeader("Origin"),
                                request.getHeader("Host"))) {
                            response.setStatus(403);
                            response.setContentType("application/json");
                            response.getOutputStream().write(AdminAccess.CROSS_SITE.getBytes(StandardCharsets.UTF_8));
                            return;
                        }
                        // The status page's own files load without the token, so that the page can ask for it,
                        // and so do the liveness and readiness probes, which cannot send it.
                        if (access.accepts(request.getHeader("Authorization"))
                                || AdminAccess.isStatusPageFile(request.getMethod(), request.getRequestURI())
                                || AdminAccess.isProbe(request.getMethod(), request.getRequestURI())) {
                            chain.doFilter(request, response);
                            return;
                        }
                        response.setStatus(401);
                        response.setHeader("WWW-Authenticate", AdminAccess.CHALLENGE);
                        response.setContentType("application/json");
                        response.getOutputStream().write(AdminAccess.UNAUTHORIZED.getBytes(StandardCharsets.UTF_8));
                    }
                });
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
