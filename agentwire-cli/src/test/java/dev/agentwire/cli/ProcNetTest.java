package dev.agentwire.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The /proc/net/tcp parser on a fixture file, a line that does not parse included. */
class ProcNetTest {

    @Test
    void parsesTheFixtureAndSkipsTheLineThatDoesNotParse() throws Exception {
        List<String> lines;
        try (InputStream in = getClass().getResourceAsStream("/procnet/tcp")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        }
        Map<Long, long[]> owners = new HashMap<>(Map.of(4243L, new long[] {77}));
        Map<Long, String> names = new HashMap<>(Map.of(77L, "hub"));
        int[] skipped = {0};
        List<ProcNet.Tcp> sockets = ProcNet.parseTcp(lines, owners, names, skipped);
        assertThat(skipped[0]).isEqualTo(1);
        assertThat(sockets).hasSize(3);
        ProcNet.Tcp listener = sockets.get(0);
        assertThat(listener.state()).isEqualTo("LISTEN");
        assertThat(listener.localAddress()).isEqualTo("127.0.0.1");
        assertThat(listener.localPort()).isEqualTo(8080);
        assertThat(listener.txQueue()).as("backlog").isEqualTo(128);
        assertThat(listener.rxQueue()).as("accept queue").isEqualTo(129);
        assertThat(sockets.get(1).state()).isEqualTo("ESTABLISHED");
        assertThat(sockets.get(1).remotePort()).isEqualTo(0xD431);
        assertThat(sockets.get(1).pid()).isEqualTo(77);
        assertThat(sockets.get(1).process()).isEqualTo("hub");
        assertThat(sockets.get(2).state()).isEqualTo("CLOSE_WAIT");
        // The full accept queue and the CLOSE_WAIT become advice.
        Map<String, Integer> counts = new java.util.TreeMap<>();
        sockets.forEach(s -> counts.merge(s.state(), 1, Integer::sum));
        List<String> advice = SocketsCommand.Analyze.advice(sockets, counts);
        assertThat(String.join("\n", advice))
                .contains("the accept queue of port 8080 is full (129 of 128)")
                .contains("1 in CLOSE_WAIT");
    }

    @Test
    void ipv6AddressesAreReadInTheKernelsWordOrder() {
        assertThat(ProcNet.address("00000000000000000000000001000000")).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(ProcNet.address("0100007F")).isEqualTo("127.0.0.1");
    }
}
