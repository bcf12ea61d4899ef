package dev.agentwire.protocol.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.Parsed;
import dev.agentwire.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * {@link MessageCodec#parseKeepingResults} against {@link MessageCodec#parse}: for every text, valid or not, it
 * gives the same answer, except that a response's result may be kept as text; that text written out again reads
 * back as the result {@code parse} gives, and holds no line break (a line-delimited peer reads the hub's output). Responses, mostly, with results of every shape, members in any order,
 * spaces and line breaks, and mutations.
 */
@AddLifecycleHook(FuzzBudget.class)
class KeptResultsFuzzTest {

    @Property(tries = 20_000, shrinking = ShrinkingMode.OFF)
    void keepingResultsChangesNothingButTheirForm(@ForAll long seed) {
        Gen g = new Gen(seed);
        Input text = g.chance(70) ? response(g) : JsonRpcCorpus.anyText(g);
        int offset = g.chance(30) ? g.between(1, 5) : 0;
        Failures.check(text, input -> check(input, offset));
    }

    /** The cases a response peek could get wrong, each beside the plain parse. */
    @Example
    void edgesAgreeWithTheFullParse() {
        for (String s : List.of(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":[1,2,{\"b\":null}]}}",
                "{\"result\":[],\"id\":1,\"jsonrpc\":\"2.0\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\n\"a\":1}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":1e400}}",
                "{\"jsonrpc\":\"2.0\",\"result\":{\"\":61922074524525930821,\"1\":\"\"},\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[-99999999999999999999]}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":1,\"a\":2}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":1},\"result\":{}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"result\":{}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}} {}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}x",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":\"\\u0000\"}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":\"x\u0001y\"}}",
                "{\"jsonrpc\":\"2.0\",\"id\":99999999999999999999,\"result\":{}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1.0,\"result\":{}}",
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}",
                "{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"result\":{}}",
                "{\"jsonrpc\":\"1.0\",\"id\":1,\"result\":{}}",
                "{\"id\":1,\"result\":{}}",
                "{\"jsonrpc\":\"2.0\",\"result\":{}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{\"code\":1,\"message\":\"m\"}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"method\":\"m\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"extra\":1}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":5}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"text\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + "[".repeat(1001) + "]".repeat(1001) + "}",
                "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}]",
                "  {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{ \"a\" : 1.50 , \"b\":\"\\u00e9\" }}  ")) {
            check(Input.utf8(s), 0);
            check(Input.utf8(s), 3);
        }
    }

    /** A result comes out byte for byte as it came in, whatever its spacing and escapes. */
    @Example
    void aKeptResultIsWrittenAsItCame() {
        String result = "{ \"a\" : 1.50 , \"b\":\"\\u00e9\\/\", \"c\":[ true ,null]}";
        byte[] in = ("xx{\"id\":7,\"result\":" + result + ",\"jsonrpc\":\"2.0\"}yy").getBytes(StandardCharsets.UTF_8);
        Parsed p = MessageCodec.parseKeepingResults(in, 2, in.length - 4);
        Message.Response r = (Message.Response) ((Parsed.Valid) p).message();
        assertThat(r.result()).isInstanceOf(RawJson.class);
        assertThat(new String(MessageCodec.encode(r), StandardCharsets.UTF_8))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":" + result + "}");
    }

    static void check(Input input, int offset) {
        byte[] framed = new byte[input.length() + offset * 2];
        java.util.Arrays.fill(framed, (byte) '}');
        System.arraycopy(input.bytes(), 0, framed, offset, input.length());
        Parsed plain = MessageCodec.parse(framed, offset, input.length());
        Parsed kept = MessageCodec.parseKeepingResults(framed, offset, input.length());
        if (kept instanceof Parsed.Valid v
                && v.message() instanceof Message.Response r
                && r.result() instanceof RawJson) {
            assertThat(plain).isInstanceOf(Parsed.Valid.class);
            byte[] written = MessageCodec.encode(r);
            // Line-delimited peers take what the hub writes: a line break in it would cut the message in two.
            assertThat(new String(written, StandardCharsets.UTF_8)).doesNotContain("\n", "\r");
            Parsed again = MessageCodec.parse(written);
            assertThat(again).as("%s kept and written", input).isEqualTo(plain);
        } else {
            assertThat(kept).as("%s", input).isEqualTo(plain);
        }
    }

    /** A response with a result of any shape, its members in any order, sometimes spaced or mutated. */
    private static Input response(Gen g) {
        List<String> members = new ArrayList<>(List.of(
                "\"jsonrpc\":\"2.0\"",
                "\"id\":" + (g.chance(80) ? String.valueOf(g.between(0, 1 << 20)) : String.valueOf(g.anyLong())),
                "\"result\":" + JsonRpcCorpus.value(g, g.between(0, 4))));
        java.util.Collections.shuffle(members, new java.util.Random(g.anyLong()));
        String sep = g.pick(",", " , ", ",\n", ",\t");
        String text = "{" + String.join(sep, members) + "}";
        byte[] out = text.getBytes(StandardCharsets.UTF_8);
        if (g.chance(25)) {
            out = Mutation.havoc(g, out, 3, JsonRpcCorpus.SEEDS, 1 << 16);
        }
        return new Input(out);
    }
}
