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

    private List<String> fixture(String name) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/procnet/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Test
    void udpSocketsWithTheirQueuesAndDrops() throws Exception {
        int[] skipped = {0};
        List<ProcNet.Udp> sockets = ProcNet.parseUdp(
                fixture("udp"), new HashMap<>(Map.of(3190413L, new long[] {42})), Map.of(42L, "statsd"), skipped);
        assertThat(skipped[0]).isEqualTo(1);
        assertThat(sockets).hasSize(2);
        ProcNet.Udp bound = sockets.get(0);
        assertThat(bound.state()).isEqualTo("UNCONN");
        assertThat(bound.localAddress()).isEqualTo("127.0.0.1");
        assertThat(bound.localPort()).isEqualTo(0x85C7);
        assertThat(bound.rxQueue()).isEqualTo(0x500);
        assertThat(bound.drops()).isEqualTo(49);
        assertThat(bound.process()).isEqualTo("statsd");
        assertThat(sockets.get(1).state()).isEqualTo("ESTABLISHED");
        assertThat(sockets.get(1).remotePort()).isEqualTo(53);
        assertThat(String.join("\n", SocketsCommand.Analyze.udpAdvice(sockets)))
                .contains("UDP port " + 0x85C7 + " (42/statsd) dropped 49 datagrams");
    }

    @Test
    void ssLinesGiveMemoryTcpInfoAndTimers() throws Exception {
        List<SsSocket> all = fixture("ss").stream()
                .map(SsSocket::parse)
                .flatMap(java.util.Optional::stream)
                .toList();
        assertThat(all).hasSize(4);
        SsSocket unix = all.get(0);
        assertThat(unix.netid()).isEqualTo("u_str");
        assertThat(unix.inode()).isEqualTo(3155044);
        assertThat(unix.memory()).containsEntry("rb", 212_992L);
        assertThat(all.get(1).inode()).isEqualTo(3155043);
        assertThat(all.get(1).memory()).containsEntry("d", 3L);
        SsSocket tcp = all.get(2);
        assertThat(tcp.tcp()).isTrue();
        assertThat(tcp.local()).isEqualTo("127.0.0.1:34296");
        assertThat(tcp.peer()).isEqualTo("127.0.0.1:34841");
        assertThat(tcp.memory()).containsEntry("tb", 3_939_840L).containsEntry("rb", 131_072L);
        assertThat(tcp.details()).containsEntry("rtt", "0.032/0.013").containsEntry("cwnd", "11");
        assertThat(tcp.details()).containsEntry("retrans", "0/2");
        assertThat(tcp.keepaliveTimer()).contains("119min");
        assertThat(all.get(3).keepaliveTimer())
                .as("a TIME-WAIT timer is not keepalive")
                .isEmpty();
    }

    @Test
    void ipv6AddressesAreReadInTheKernelsWordOrder() {
        assertThat(ProcNet.address("00000000000000000000000001000000")).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(ProcNet.address("0100007F")).isEqualTo("127.0.0.1");
    }
}
