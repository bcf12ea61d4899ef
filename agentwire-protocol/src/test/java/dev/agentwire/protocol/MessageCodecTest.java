package dev.agentwire.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    private static Parsed parse(String json) {
        return MessageCodec.parse(json.getBytes(UTF_8));
    }

    private static Message valid(String json) {
        Parsed p = parse(json);
        assertThat(p).isInstanceOf(Parsed.Valid.class);
        return ((Parsed.Valid) p).message();
    }

    private static Parsed.Invalid invalid(String json) {
        Parsed p = parse(json);
        assertThat(p).isInstanceOf(Parsed.Invalid.class);
        return (Parsed.Invalid) p;
    }

    @Test
    void parsesRequestsWithStringAndNumberIds() {
        Message a = valid("{\"jsonrpc\":\"2.0\",\"id\":\"a-1\",\"method\":\"hub/ping\"}");
        Message b = valid("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"hub/ping\",\"params\":{\"x\":1}}");
        assertThat(a).isEqualTo(new Message.Request(Id.of("a-1"), "hub/ping", null));
        assertThat(b).isInstanceOfSatisfying(Message.Request.class, r -> {
            assertThat(r.id()).isEqualTo(Id.of(7));
            assertThat(r.params().get("x").asInt()).isEqualTo(1);
        });
    }

    @Test
    void parsesNotificationsResponsesAndErrors() {
        assertThat(valid("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"))
                .isInstanceOf(Message.Notification.class);
        assertThat(valid("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}"))
                .isEqualTo(new Message.Response(Id.of(1), JsonNodeFactory.instance.nullNode()));
        assertThat(valid("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"error\":{\"code\":-32601,\"message\":\"no\"}}"))
                .isInstanceOfSatisfying(
                        Message.ErrorResponse.class,
                        e -> assertThat(e.error().code()).isEqualTo(-32601));
    }

    @Test
    void malformedJsonIsAParseError() {
        Parsed.Invalid bad = invalid("{\"jsonrpc\":\"2.0\",");
        assertThat(bad.error().code()).isEqualTo(-32700);
        assertThat(bad.id()).isEqualTo(Id.NULL);
        assertThat(bad.error().reason()).isEqualTo("malformed_json");
    }

    @Test
    void invalidUtf8IsAParseErrorNamingUtf8() {
        byte[] bytes = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"params\":{\"s\":\"XX\"}}".getBytes(UTF_8);
        int at = new String(bytes, UTF_8).indexOf("XX");
        bytes[at] = (byte) 0xC3; // a 2-byte lead followed by an ASCII byte: invalid
        bytes[at + 1] = (byte) 0x28;
        Parsed.Invalid bad = (Parsed.Invalid) MessageCodec.parse(bytes);
        assertThat(bad.error().code()).isEqualTo(-32700);
        assertThat(bad.error().message()).contains("UTF-8");
    }

    @Test
    void validJsonThatIsNotARequestIsInvalidRequest() {
        assertThat(invalid("42").error().code()).isEqualTo(-32600);
        assertThat(invalid("{\"foo\":1}").error().code()).isEqualTo(-32600);
        assertThat(invalid("{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"x\"}").id())
                .isEqualTo(Id.of(3));
        assertThat(invalid("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":5}")
                        .error()
                        .message())
                .contains("method");
        assertThat(invalid("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"x\",\"params\":7}")
                        .error()
                        .message())
                .contains("params");
        assertThat(invalid("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"x\"}")
                        .error()
                        .message())
                .contains("id");
        assertThat(invalid("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"x\"}")
                        .error()
                        .code())
                .isEqualTo(-32600);
    }

    @Test
    void duplicateKeysAndTrailingGarbageAreParseErrors() {
        assertThat(invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"x\"}")
                        .error()
                        .code())
                .isEqualTo(-32700);
        assertThat(invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"} {}")
                        .error()
                        .code())
                .isEqualTo(-32700);
    }

    @Test
    void batchesParseEachEntryAndEmptyBatchIsInvalid() {
        Parsed p = parse(
                "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"},1," + "{\"jsonrpc\":\"2.0\",\"method\":\"n\"}]");
        assertThat(p).isInstanceOfSatisfying(Parsed.Batch.class, b -> {
            assertThat(b.entries()).hasSize(3);
            assertThat(b.entries().get(0)).isInstanceOf(Parsed.Valid.class);
            assertThat(b.entries().get(1)).isInstanceOf(Parsed.Invalid.class);
            assertThat(b.entries().get(2)).isInstanceOf(Parsed.Valid.class);
        });
        assertThat(invalid("[]").error().code()).isEqualTo(-32600);
    }

    @Test
    void encodesEveryKindAndRoundTrips() {
        List<Message> messages = List.of(
                new Message.Request(
                        Id.of("r"), "m", JsonNodeFactory.instance.objectNode().put("a", 1)),
                new Message.Notification("n", null),
                new Message.Response(Id.of(9), JsonNodeFactory.instance.textNode("ok")),
                new Message.ErrorResponse(Id.NULL, RpcError.of(ErrorCode.TIMEOUT, "slow", "timeout")));
        for (Message m : messages) {
            String json = new String(MessageCodec.encode(m), UTF_8);
            Message back = valid(json);
            assertThat(back.getClass()).isEqualTo(m.getClass());
            assertThat(new String(MessageCodec.encode(back), UTF_8)).isEqualTo(json);
        }
        assertThat(new String(MessageCodec.encode(messages.get(1)), UTF_8))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"n\"}");
        Parsed batch = MessageCodec.parse(MessageCodec.encodeBatch(messages.subList(0, 2)));
        assertThat(batch)
                .isInstanceOfSatisfying(
                        Parsed.Batch.class, b -> assertThat(b.entries()).hasSize(2));
    }

    @Test
    void messagesRejectImpossibleValues() {
        assertThatThrownBy(() -> new Message.Request(Id.NULL, "m", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Message.Notification("", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void errorCodesHaveTheirNumbers() {
        assertThat(ErrorCode.of(-32004)).contains(ErrorCode.RATE_LIMITED);
        assertThat(ErrorCode.of(-1)).isEmpty();
        assertThat(ErrorCode.TOO_LARGE.code()).isEqualTo(-32006);
    }
}
