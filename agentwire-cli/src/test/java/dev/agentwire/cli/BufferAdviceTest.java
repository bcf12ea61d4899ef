package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Buffer sizes against the bandwidth-delay product: the numbers, the sysctl lines, the parsers, the command. */
class BufferAdviceTest {

    private static final BufferAdvice.Limits LIMITS = new BufferAdvice.Limits(
            4_194_304, 4_194_304, new long[] {4096, 131_072, 6_291_456}, new long[] {4096, 16_384, 4_194_304});

    @Test
    void aGigabitAtTwentyMillisecondsWantsFiveMegabytes() {
        BufferAdvice.Advice a = BufferAdvice.advise(LIMITS, 1e9, 0.020, OptionalLong.of(131_072), OptionalLong.empty());
        assertThat(a.bdpBytes()).isEqualTo(2_500_000);
        assertThat(a.wantedBytes()).isEqualTo(5_000_000);
        // tcp_rmem's 6 MiB is enough, tcp_wmem's 4 MiB is not; rmem_max and wmem_max are above the BDP.
        assertThat(a.sysctl()).containsExactly("net.ipv4.tcp_wmem = 4096 16384 5000000");
        assertThat(String.join("\n", a.findings()))
                .contains("lets autotuning reach 5000000 bytes")
                .contains("stops send autotuning below 5000000 bytes")
                // 131072 / 2 bytes of window per 20 ms: 26.21 Mbit/s.
                .contains("allows a window of about 65536 bytes (64.0 KiB): at this RTT at most 26.21 Mbit/s");
        assertThat(a.setsockopt().get(0)).contains("int size = 2500000", "doubles it to 5000000");
    }

    @Test
    void aLongFatPipeRaisesEveryLimit() {
        BufferAdvice.Advice a =
                BufferAdvice.advise(LIMITS, 10e9, 0.100, OptionalLong.empty(), OptionalLong.of(8_000_000_000L));
        assertThat(a.bdpBytes()).isEqualTo(125_000_000);
        assertThat(a.sysctl())
                .containsExactly(
                        "net.ipv4.tcp_rmem = 4096 131072 250000000",
                        "net.ipv4.tcp_wmem = 4096 16384 250000000",
                        "net.core.rmem_max = 125000000",
                        "net.core.wmem_max = 125000000");
        assertThat(String.join("\n", a.findings())).contains("this socket's send buffer (8000000000 bytes");
    }

    @Test
    void ratesAndTimesParseAndNonsenseIsRefused() {
        assertThat(BufferAdvice.parseBandwidth("1Gbit")).isEqualTo(1e9);
        assertThat(BufferAdvice.parseBandwidth("10Gbps")).isEqualTo(1e10);
        assertThat(BufferAdvice.parseBandwidth("125MB/s")).isEqualTo(1e9);
        assertThat(BufferAdvice.parseBandwidth("1.5Mbit")).isEqualTo(1.5e6);
        assertThat(BufferAdvice.parseBandwidth("64000")).isEqualTo(64_000);
        assertThat(BufferAdvice.parseRtt("20ms")).isCloseTo(0.020, within(1e-12));
        assertThat(BufferAdvice.parseRtt("150us")).isCloseTo(0.000150, within(1e-12));
        assertThat(BufferAdvice.parseRtt("1s")).isEqualTo(1.0);
        assertThatThrownBy(() -> BufferAdvice.parseBandwidth("fast")).hasMessageContaining("not 'fast'");
        assertThatThrownBy(() -> BufferAdvice.parseBandwidth("0Mbit")).hasMessageContaining("positive rate");
        assertThatThrownBy(() -> BufferAdvice.parseRtt("20")).hasMessageContaining("like 20ms");
    }

    @Test
    void theCommandReadsThisMachinesLimits() throws Exception {
        AwRunner.Result r = aw("sockets", "buffers", "--bandwidth", "1Gbit", "--rtt", "20ms", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode a = Json.mapper().readTree(r.out());
        assertThat(a.path("bdpBytes").asLong()).isEqualTo(2_500_000);
        assertThat(a.path("wantedBytes").asLong()).isEqualTo(5_000_000);
        BufferAdvice.Limits here = BufferAdvice.Limits.read();
        assertThat(a.path("findings").toString()).contains("(" + here.tcpRmem()[2] + " bytes");
        r = aw("sockets", "buffers", "--bandwidth", "1Gbit", "--rtt", "20ms");
        assertThat(r.out()).contains("bandwidth-delay product: 1.00 Gbit/s × 20.000 ms = 2500000 bytes", "setsockopt(");
        r = aw("sockets", "buffers", "--bandwidth", "lots", "--rtt", "20ms");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--bandwidth must be a positive rate", "'lots'");
    }
}
