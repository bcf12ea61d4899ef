package dev.agentwire.protocol.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.protocol.Framing;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link Framing#sniff} for every first byte, on the TCP port and on a Unix socket, against the table in {@code
 * docs/PROTOCOL.md} section 2, written out again here: {@code { [} space tab CR LF are NDJSON, 0x00 is
 * length-prefixed, 0x01-0x3F otherwise typed, {@code G P H D O} HTTP on TCP only, anything else nothing.
 */
class FramingSniffFuzzTest {

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void everyFirstByteGetsTheFramingOfTheTable(@ForAll @IntRange(min = 0, max = 255) int b, @ForAll boolean tcp) {
        assertThat(Framing.sniff(b, tcp))
                .as("first byte 0x%02X, tcp %s", b, tcp)
                .isEqualTo(table(b, tcp));
        if (table(b, tcp).isEmpty()) {
            assertThat(Framing.describeUnknown(b, tcp)).contains(String.format("0x%02X", b));
        }
    }

    private static Optional<Framing> table(int b, boolean tcp) {
        if ("{[ \t\r\n".indexOf(b) >= 0) {
            return Optional.of(Framing.NDJSON);
        }
        if (b == 0x00) {
            return Optional.of(Framing.LENGTH_PREFIXED);
        }
        if (b >= 0x01 && b <= 0x3F) {
            return Optional.of(Framing.TYPED);
        }
        if ("GPHDO".indexOf(b) >= 0) {
            return tcp ? Optional.of(Framing.HTTP) : Optional.empty();
        }
        return Optional.empty();
    }
}
