package dev.agentwire.protocol.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Engine.IO v4 and Socket.IO v5 packets: the forms the protocol documents, round trips, and any text at all. */
class SocketIoPacketTest {

    @Test
    void readsThePacketsTheProtocolDocuments() throws Exception {
        SocketIoPacket connect = SocketIoPacket.decode("0{\"token\":\"abc\"}");
        assertThat(connect.type()).isEqualTo(SocketIoPacket.Type.CONNECT);
        assertThat(connect.namespace()).isEqualTo("/");
        assertThat(connect.data().path("token").asText()).isEqualTo("abc");

        SocketIoPacket admin = SocketIoPacket.decode("0/admin,");
        assertThat(admin.namespace()).isEqualTo("/admin");
        assertThat(admin.data()).isNull();

        SocketIoPacket event = SocketIoPacket.decode("2/admin,12[\"hello\",1]");
        assertThat(event.eventName()).isEqualTo("hello");
        assertThat(event.ackId()).isEqualTo(12);
        assertThat(event.eventArgs()).hasSize(1);

        SocketIoPacket binary = SocketIoPacket.decode("51-[\"up\",{\"_placeholder\":true,\"num\":0}]");
        assertThat(binary.type()).isEqualTo(SocketIoPacket.Type.BINARY_EVENT);
        assertThat(binary.attachments()).isEqualTo(1);

        assertThat(SocketIoPacket.ack("/", 3, JsonNodeFactory.instance.textNode("ok"))
                        .encode())
                .isEqualTo("3" + "3[\"ok\"]");
        assertThat(SocketIoPacket.connectError("/admin", "Invalid namespace", null)
                        .encode())
                .isEqualTo("4/admin,{\"message\":\"Invalid namespace\"}");
    }

    @Test
    void refusesWhatTheProtocolDoesNotAllow() {
        for (String bad : List.of(
                "",
                "9",
                "2",
                "2{}",
                "2[]",
                "2[\"connect\"]",
                "0[1]",
                "1{}",
                "3{}",
                "5[\"x\"]",
                "5x-[\"x\"]",
                "2[\"x\"",
                "299999999999999999[\"x\"]")) {
            assertThatThrownBy(() -> SocketIoPacket.decode(bad)).as(bad).isInstanceOf(SocketIoProtocolException.class);
        }
    }

    @Test
    void enginePayloadsSplitOnTheRecordSeparator() throws Exception {
        List<EnginePacket> p = EnginePacket.decodePayload("4hello\u001e2\u001ebAQID", 10);
        assertThat(p)
                .containsExactly(
                        EnginePacket.of(EnginePacket.Type.MESSAGE, "hello"),
                        EnginePacket.of(EnginePacket.Type.PING),
                        EnginePacket.binary(new byte[] {1, 2, 3}));
        assertThat(EnginePacket.encodePayload(p)).isEqualTo("4hello\u001e2\u001ebAQID");
        assertThatThrownBy(() -> EnginePacket.decodePayload("4\u001e4\u001e4", 2))
                .isInstanceOf(SocketIoProtocolException.class);
        assertThatThrownBy(() -> EnginePacket.decode("b!!")).isInstanceOf(SocketIoProtocolException.class);
        assertThatThrownBy(() -> EnginePacket.decode("7")).isInstanceOf(SocketIoProtocolException.class);
    }

    @Property(tries = 5000)
    void anyTextIsAPacketOrAProtocolError(@ForAll("packetish") String s) {
        try {
            SocketIoPacket p = SocketIoPacket.decode(s);
            assertThat(SocketIoPacket.decode(p.encode())).isEqualTo(p);
        } catch (SocketIoProtocolException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        try {
            List<EnginePacket> packets = EnginePacket.decodePayload(s, 100);
            assertThat(EnginePacket.decodePayload(EnginePacket.encodePayload(packets), 100))
                    .isEqualTo(packets);
        } catch (SocketIoProtocolException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> packetish() {
        Arbitrary<String> pieces = Arbitraries.of(
                "0",
                "1",
                "2",
                "3",
                "4",
                "5",
                "6",
                "7",
                "/",
                "/admin",
                ",",
                "-",
                "12",
                "1-",
                "[",
                "]",
                "{",
                "}",
                "\"x\"",
                "\"connect\"",
                ":",
                "1",
                "null",
                "b",
                "AQID",
                "\u001e",
                "\"",
                "é",
                "\u0000");
        return Arbitraries.oneOf(
                pieces.list().ofMaxSize(12).map(l -> String.join("", l)),
                Arbitraries.strings().ofMaxLength(40));
    }
}
