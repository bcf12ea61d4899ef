package dev.agentwire.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which Host and Origin values name the hub, and which pages a login may lead to. */
class WebOriginsTest {

    @Test
    void theLoopbackNamesWithThePortNameTheHub() {
        WebOrigins o = new WebOrigins(8765, "127.0.0.1", List.of(), List.of());
        assertThat(List.of("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "LOCALHOST:8765", " localhost:8765"))
                .allMatch(o::hostAllowed);
        assertThat(List.of("127.0.0.1", "127.0.0.1:8766", "evil.example:8765", "127.0.0.1.nip.io:8765", ""))
                .noneMatch(o::hostAllowed);
        assertThat(o.hostAllowed(null)).isFalse();
        assertThat(List.of(
                        "http://127.0.0.1:8765",
                        "http://localhost:8765",
                        "http://[::1]:8765",
                        "HTTP://LOCALHOST:8765/"))
                .allMatch(o::originAllowed);
        assertThat(List.of("https://127.0.0.1:8765", "http://127.0.0.1:8766", "null", "http://evil.example"))
                .noneMatch(o::originAllowed);
    }

    @Test
    void allowedHostsAndOriginsAddTheirs() {
        WebOrigins o = new WebOrigins(
                8765, "0.0.0.0", List.of("mybox.lan", "proxy.example:443"), List.of("https://app.example.com"));
        assertThat(o.hostAllowed("mybox.lan:8765")).isTrue();
        assertThat(o.hostAllowed("mybox.lan"))
                .as("a name alone takes the hub's port")
                .isFalse();
        assertThat(o.hostAllowed("proxy.example:443")).isTrue();
        assertThat(o.hostAllowed("0.0.0.0:8765"))
                .as("a wildcard bind adds no name")
                .isFalse();
        assertThat(o.originAllowed("http://mybox.lan:8765")).isTrue();
        assertThat(o.originAllowed("https://app.example.com")).isTrue();
        assertThat(o.originAllowed("http://app.example.com")).isFalse();
        assertThat(new WebOrigins(80, "::1", List.of(), List.of()).hostAllowed("localhost"))
                .as("port 80 may be left out, as browsers do")
                .isTrue();
        assertThat(new WebOrigins(9000, "::1", List.of(), List.of()).hostAllowed("[::1]:9000"))
                .isTrue();
    }

    @Test
    void aLoginLeadsOnlyToTheHubsPages() {
        assertThat(HubPages.checkNext("/terminals")).hasValue("/terminals");
        assertThat(HubPages.checkNext("/")).as("the dashboard").hasValue("/");
        assertThat(HubPages.checkNext("/demo/tools.html?session=work&token=x")).isPresent();
        assertThat(List.of(
                        "//evil.example",
                        "http://evil.example/terminals",
                        "/terminals/../api",
                        "/api/tools",
                        "/terminals?x=<script>",
                        "/?next=//evil.example",
                        "/dashboard/app.js",
                        "/terminals?a=b\r\nSet-Cookie:x",
                        ""))
                .allMatch(n -> HubPages.checkNext(n).isEmpty());
        assertThat(HubPages.path("demo")).hasValue("/demo/tools.html");
        assertThat(HubPages.path("demo/tools.html")).hasValue("/demo/tools.html");
        assertThat(HubPages.path("/terminals")).hasValue("/terminals");
        assertThat(HubPages.path("admin")).isEmpty();
        assertThat(HubPages.name("/demo/tools.html?session=x")).isEqualTo("demo");
        assertThat(HubPages.path("dashboard")).hasValue("/");
        assertThat(HubPages.name("/")).isEqualTo("dashboard");
        assertThat(HubPages.name("/terminals")).isEqualTo("terminals");
        assertThat(HubPages.name("/elsewhere")).isEqualTo("dashboard");
    }
}
