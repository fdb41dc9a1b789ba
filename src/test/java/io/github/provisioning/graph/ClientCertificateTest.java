package io.github.provisioning.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate credential read from PEM and PKCS#12 files, and its client assertion checked field by field against
 * the Microsoft identity platform's "certificate credentials" format, its PS256 signature verified with the JDK.
 */
class ClientCertificateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN_URL = "https://login.microsoftonline.com/tenant/oauth2/v2.0/token";
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static final TestCertificate engine = TestCertificate.named("engine");
    private static final TestCertificate other = TestCertificate.named("other");

    @TempDir
    static Path dir;

    @Test
    void aPemFileSignsAnAssertionInTheDocumentedFormat() throws Exception {
        ClientCertificate certificate = ClientCertificate.read(engine.pem(), null, CLOCK);

        String assertion = certificate.assertion("client-id", TOKEN_URL);

        String[] parts = assertion.split("\\.");
        assertThat(parts).hasSize(3);
        JsonNode header = decode(parts[0]);
        assertThat(header.path("alg").asText()).isEqualTo("PS256");
        assertThat(header.path("typ").asText()).isEqualTo("JWT");
        String thumbprint = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(engine.certificate().getEncoded()));
        assertThat(header.path("x5t#S256").asText()).isEqualTo(thumbprint).isEqualTo(certificate.thumbprint());
        JsonNode claims = decode(parts[1]);
        assertThat(claims.path("aud").asText()).isEqualTo(TOKEN_URL);
        assertThat(claims.path("iss").asText()).isEqualTo("client-id");
        assertThat(claims.path("sub").asText()).isEqualTo("client-id");
        assertThat(claims.path("nbf").asLong()).isEqualTo(NOW.getEpochSecond());
        assertThat(claims.path("iat").asLong()).isEqualTo(NOW.getEpochSecond());
        assertThat(claims.path("exp").asLong()).isEqualTo(NOW.getEpochSecond() + 600);
        assertThat(claims.path("jti").asText()).matches("[0-9a-f-]{36}");
        Signature ps256 = Signature.getInstance("RSASSA-PSS");
        ps256.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        ps256.initVerify(engine.certificate().getPublicKey());
        ps256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(ps256.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
    }

    @Test
    void everyAssertionHasAFreshJti() throws Exception {
        ClientCertificate certificate = ClientCertificate.read(engine.pem(), null, CLOCK);

        String first = decode(certificate.assertion("c", TOKEN_URL).split("\\.")[1]).path("jti").asText();
        String second = decode(certificate.assertion("c", TOKEN_URL).split("\\.")[1]).path("jti").asText();

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void aPkcs12FileOpensWithItsPassword() {
        ClientCertificate certificate = ClientCertificate.read(engine.pkcs12(), engine.password(), CLOCK);

        assertThat(certificate.certificate()).isEqualTo(engine.certificate());
        assertThat(certificate.toString()).contains("CN=engine").doesNotContain(engine.password());
    }

    @Test
    void aPkcs12FileWithTheWrongPasswordIsNamed() {
        assertThatThrownBy(() -> ClientCertificate.read(engine.pkcs12(), "wrong", CLOCK))
                .hasMessage(engine.pkcs12() + ": the PKCS#12 file does not open with graph.client-certificate-password");
        assertThatThrownBy(() -> ClientCertificate.read(engine.pkcs12(), null, CLOCK))
                .hasMessage(engine.pkcs12() + ": the PKCS#12 file does not open with graph.client-certificate-password"
                        + " (not set)");
    }

    @Test
    void anExpiredCertificateIsNamed() {
        TestCertificate expired = TestCertificate.generate(dir, "expired", "-3d", 1);

        assertThatThrownBy(() -> ClientCertificate.read(expired.pem(), null, Clock.systemUTC()))
                .hasMessageStartingWith(expired.pem() + ": the certificate (CN=expired) expired on ")
                .hasMessageEndingWith(": upload a new one to the app registration and use it here");
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("missing.pem");

        assertThatThrownBy(() -> ClientCertificate.read(missing, null, CLOCK))
                .hasMessage("cannot read " + missing + " (NoSuchFileException)");
    }

    @Test
    void anUnreadableFileIsNamed() {
        assertThatThrownBy(() -> ClientCertificate.read(dir, null, CLOCK))
                .hasMessage("cannot read " + dir + " (IOException: Is a directory)");
    }

    @Test
    void aFileThatIsNeitherPemNorPkcs12IsNamed() throws Exception {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "the certificate is in the vault");

        assertThatThrownBy(() -> ClientCertificate.read(text, null, CLOCK))
                .hasMessageStartingWith(text + ": neither PEM nor a PKCS#12 file (");
    }

    @Test
    void aPemFileWithoutItsKeyIsNamed() throws Exception {
        Path certificateOnly = dir.resolve("certificate-only.pem");
        Files.writeString(certificateOnly, TestCertificate.pem("CERTIFICATE", engine.certificate().getEncoded()));

        assertThatThrownBy(() -> ClientCertificate.read(certificateOnly, null, CLOCK))
                .hasMessage(certificateOnly + ": a PEM file must hold the certificate (BEGIN CERTIFICATE) and its"
                        + " private key (BEGIN PRIVATE KEY); no private key found");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws Exception {
        Path mixed = dir.resolve("mixed.pem");
        Files.writeString(mixed, TestCertificate.pem("CERTIFICATE", engine.certificate().getEncoded())
                + TestCertificate.pem("PRIVATE KEY", other.key().getEncoded()));

        assertThatThrownBy(() -> ClientCertificate.read(mixed, null, CLOCK))
                .hasMessage(mixed + ": the private key does not belong to the certificate (CN=engine)");
    }

    @Test
    void anEncryptedPemKeyIsRefusedWithWhatToDoInstead() throws Exception {
        Path encrypted = dir.resolve("encrypted.pem");
        Files.writeString(encrypted, TestCertificate.pem("CERTIFICATE", engine.certificate().getEncoded())
                + TestCertificate.pem("ENCRYPTED PRIVATE KEY", new byte[]{1, 2, 3}));

        assertThatThrownBy(() -> ClientCertificate.read(encrypted, null, CLOCK))
                .hasMessageContaining("the ENCRYPTED PRIVATE KEY block is not read")
                .hasMessageContaining("graph.client-certificate-password");
    }

    @Test
    void theTokenRequestCarriesTheAssertionInsteadOfASecret() throws Exception {
        GraphCredential credential = new GraphCredential.Certificate(ClientCertificate.read(engine.pem(), null, CLOCK));
        GraphToken token = new GraphToken("client-id", credential, "https://graph.microsoft.us/.default",
                java.time.Duration.ofMinutes(5), CLOCK);

        Map<String, String> form = Arrays.stream(token.requestForm(TOKEN_URL).split("&"))
                .map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8)));

        assertThat(form).containsEntry("grant_type", "client_credentials").containsEntry("client_id", "client-id")
                .containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                .containsEntry("scope", "https://graph.microsoft.us/.default").doesNotContainKey("client_secret");
        assertThat(decode(form.get("client_assertion").split("\\.")[1]).path("aud").asText()).isEqualTo(TOKEN_URL);
        assertThat(credential.toString()).doesNotContain(form.get("client_assertion"));
    }

    @Test
    void theScopeIsTheDefaultScopeOfTheGraphAtGraphUrl() {
        assertThat(GraphToken.scopeFor("https://graph.microsoft.com/v1.0")).isEqualTo("https://graph.microsoft.com/.default");
        assertThat(GraphToken.scopeFor("https://graph.microsoft.us/v1.0")).isEqualTo("https://graph.microsoft.us/.default");
        assertThat(GraphToken.scopeFor("https://dod-graph.microsoft.us/v1.0"))
                .isEqualTo("https://dod-graph.microsoft.us/.default");
        assertThat(GraphToken.scopeFor("https://microsoftgraph.chinacloudapi.cn/beta"))
                .isEqualTo("https://microsoftgraph.chinacloudapi.cn/.default");
        assertThat(GraphToken.scopeFor("http://127.0.0.1:8123/v1.0")).isEqualTo("http://127.0.0.1:8123/.default");
        assertThatThrownBy(() -> GraphToken.scopeFor("graph.microsoft.us"))
                .hasMessage("Setting graph.url must be an http(s) URL such as https://graph.microsoft.com/v1.0, not"
                        + " 'graph.microsoft.us'");
    }

    @Test
    void bothCredentialModesAtOnceAreAnErrorNamingTheSettings() {
        Map<String, String> settings = Map.of("graph.client-secret", "s", "graph.client-certificate", "/x.pem");

        assertThatThrownBy(() -> GraphCredential.from(name -> Optional.ofNullable(settings.get(name)), CLOCK))
                .hasMessageStartingWith("Microsoft Graph authentication is configured twice (graph.client-secret,"
                        + " graph.client-certificate are set). Set exactly one of: graph.client-secret");
    }

    private static JsonNode decode(String part) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(part));
    }
}
