package dev.agentwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.unix.Errors;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** SOCKET_DEBUG's handler names an error by its errno (SocketDebugTest in agentwire-cli runs it in a hub). */
class SocketDebugLogTest {

    @Test
    void errorsAreNamedByTheirErrno() {
        assertThat(SocketDebugLog.errno(new IOException("Connection reset by peer")))
                .isEqualTo("ECONNRESET ");
        assertThat(SocketDebugLog.errno(new IOException("Broken pipe"))).isEqualTo("EPIPE ");
        assertThat(SocketDebugLog.errno(new IOException("something else"))).isEmpty();
        assertThat(SocketDebugLog.errno(new IOException())).isEmpty();
    }

    @Test
    void aNativeTransportsErrorGivesItsNumber() {
        assumeTrue(io.netty.channel.epoll.Epoll.isAvailable(), "needs Netty's epoll transport (Linux)");
        assertThat(SocketDebugLog.errno(Errors.newIOException("read", -104))).isEqualTo("errno 104 ");
    }
}
