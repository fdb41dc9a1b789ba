package io.github.provisioning;

public final class ProvisioningApplication {
    public static void main(String[] args) throws Exception {
        org.apache.camel.main.Main main = new org.apache.camel.main.Main(ProvisioningApplication.class);
        main.run(args);
    }
}
