package dev.agentwire.core.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentwire.core.Connection;
import dev.agentwire.core.CoreSettings;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Peer;
import dev.agentwire.core.RecordingOutbound;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.Transport;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.relay.LocalDirectory;
import dev.agentwire.core.relay.LocalProvider;
import dev.agentwire.protocol.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session's tools are entries {@code <session>/<tool>} of the tools {@link Directory}, owned by their providers'
 * connections; {@link ToolTable} keeps the rules over them (all or none, one provider a name, who may take a name
 * over, at most so many a session), without sockets.
 */
class ToolTableTest {

    private final HubCore core = HubCore.builder(
                    CoreSettings.defaults("secret-token-secret-token-secret"), Ticker.SYSTEM)
            .build();
    private final Directory<ToolTable.Entry> directory = new LocalDirectory<>("hub-a");
    private final ToolTable tools = new ToolTable(directory, "s1", 3);

    @AfterEach
    void close() {
        core.close();
    }

    /** A connection authenticated as {@code subject} with {@code scopes}. */
    private Connection connect(String subject, String... scopes) {
        Peer peer = new Peer(
                Transport.TCP,
                "127.0.0.1:5000",
                OptionalInt.empty(),
                List.of(),
                OptionalLong.empty(),
                Optional.empty());
        Connection c = core.open(peer, new RecordingOutbound());
        core.authenticate(
                c, new TokenService.Grant(subject, Set.of(scopes), Optional.empty(), Optional.empty(), List.of()));
        return c;
    }

    private static ToolDef tool(String name) {
        return ToolDef.parse(
                Json.mapper()
                        .createObjectNode()
                        .put("name", name)
                        .put("description", "a test tool")
                        .set("inputSchema", Json.mapper().createObjectNode().put("type", "object")),
                0);
    }

    private static List<ToolDef> tools(String... names) {
        return java.util.Arrays.stream(names).map(ToolTableTest::tool).toList();
    }

    private List<String> names() {
        return tools.page("", 100).stream().map(e -> e.tool().name()).toList();
    }

    @Test
    void aToolIsAnEntryOfTheSessionOwnedByItsProvidersConnection() {
        Connection tab = connect("tab", "tools:provide");

        tools.register(tab, tools("search", "fetch"), false);

        assertThat(directory.names()).containsExactly("s1/fetch", "s1/search");
        Directory.Entry<ToolTable.Entry> e = directory.lookup("s1/search").get(0);
        assertThat(e.owner()).isEqualTo(new Directory.Owner("hub-a", tab.id()));
        assertThat(e.value().subject()).isEqualTo("tab");
        assertThat(e.value().provider()).isEqualTo(new LocalProvider(tab));
        assertThat(tools.find("search")).contains(e.value());
        assertThat(new ToolTable(directory, "s2", 3).find("search"))
                .as("another session")
                .isEmpty();
    }

    @Test
    void registrationIsAllOrNone() {
        Connection a = connect("a", "tools:provide");
        Connection b = connect("b", "tools:provide");
        tools.register(a, tools("taken"), false);

        assertThatThrownBy(() -> tools.register(b, tools("free", "taken"), false))
                .isInstanceOfSatisfying(
                        HubException.class,
                        e -> assertThat(e.toRpcError().reason()).isEqualTo("not_your_tool"));

        assertThat(names()).as("free was not added").containsExactly("taken");
    }

    @Test
    void theSameIdentityTakesANameOverOnlyWithReplaceAndTheOldProviderIsReturned() {
        Connection first = connect("agent", "tools:provide");
        Connection second = connect("agent", "tools:provide");
        tools.register(first, tools("search"), false);

        assertThatThrownBy(() -> tools.register(second, tools("search"), false))
                .isInstanceOfSatisfying(HubException.class, e -> {
                    assertThat(e.toRpcError().reason()).isEqualTo("tool_exists");
                    assertThat(e.getMessage()).contains(first.toString());
                });
        List<ToolTable.Entry> displaced = tools.register(second, tools("search"), true);

        assertThat(displaced).extracting(ToolTable.Entry::provider).containsExactly(new LocalProvider(first));
        assertThat(directory.lookup("s1/search"))
                .as("one provider a name")
                .extracting(e -> e.owner().connection())
                .containsExactly(second.id());
    }

    @Test
    void theOwnerMayTakeAnyNameOverAnotherIdentityMayNot() {
        Connection agent = connect("agent", "tools:provide");
        Connection stranger = connect("stranger", "tools:provide");
        Connection owner = connect("owner", "admin");
        tools.register(agent, tools("search"), false);

        assertThatThrownBy(() -> tools.register(stranger, tools("search"), true))
                .isInstanceOfSatisfying(
                        HubException.class,
                        e -> assertThat(e.toRpcError().reason()).isEqualTo("not_your_tool"));
        assertThat(tools.register(owner, tools("search"), true)).hasSize(1);
        assertThat(tools.find("search").orElseThrow().subject()).isEqualTo("owner");
    }

    @Test
    void aProviderUpdatesItsOwnToolsWithoutReplace() {
        Connection tab = connect("tab", "tools:provide");
        tools.register(tab, tools("search"), false);

        assertThat(tools.register(tab, tools("search"), false)).isEmpty();
        assertThat(names()).containsExactly("search");
    }

    @Test
    void aSessionHoldsAtMostItsLimitCountingOnlyNewNames() {
        Connection tab = connect("tab", "tools:provide");
        tools.register(tab, tools("a", "b"), false);
        new ToolTable(directory, "s2", 3).register(tab, tools("x", "y", "z"), false); // another session's count

        assertThatThrownBy(() -> tools.register(tab, tools("b", "c", "d"), false))
                .isInstanceOfSatisfying(HubException.class, e -> {
                    assertThat(e.toRpcError().reason()).isEqualTo("too_many_tools");
                    assertThat(e.toRpcError().data().path("registered").asInt()).isEqualTo(2);
                    assertThat(e.toRpcError().data().path("requested").asInt()).isEqualTo(2);
                });
        tools.register(tab, tools("a", "b", "c"), false);

        assertThat(names()).containsExactly("a", "b", "c");
    }

    @Test
    void manyProvidersAtOnceNeverPassTheLimit() throws Exception {
        ToolTable big = new ToolTable(directory, "s3", 50);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Connection c = connect("p" + t, "tools:provide");
            int n = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 20; i++) {
                    try {
                        big.register(c, tools("t" + n + "-" + i), false);
                    } catch (HubException full) {
                        // too_many_tools, as the limit says
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }

        assertThat(big.size()).isEqualTo(50);
    }

    @Test
    void unregisterRemovesOnlyTheCallersOwnNames() {
        Connection a = connect("a", "tools:provide");
        Connection b = connect("b", "tools:provide");
        tools.register(a, tools("one", "two"), false);
        tools.register(b, tools("three"), false);

        assertThat(tools.unregister(b, List.of("one", "three", "missing"))).isEqualTo(1);
        assertThat(names()).containsExactly("one", "two");
    }

    @Test
    void aProviderLeavingTakesItsToolsInThatSessionOnly() {
        Connection a = connect("a", "tools:provide");
        Connection b = connect("b", "tools:provide");
        ToolTable other = new ToolTable(directory, "s2", 3);
        tools.register(a, tools("one"), false);
        tools.register(b, tools("two"), false);
        other.register(a, tools("elsewhere"), false);

        assertThat(tools.removeProvider(a)).isEqualTo(1);

        assertThat(names()).containsExactly("two");
        assertThat(other.size()).isEqualTo(1);
        tools.clear();
        assertThat(tools.size()).isZero();
        assertThat(directory.names()).containsExactly("s2/elsewhere");
    }

    @Test
    void pagesGoByNameAfterTheCursor() {
        Connection tab = connect("tab", "tools:provide");
        tools.register(tab, tools("c", "a", "b"), false);

        assertThat(tools.page("", 2)).extracting(e -> e.tool().name()).containsExactly("a", "b");
        assertThat(tools.hasAfter("b")).isTrue();
        assertThat(tools.page("b", 2)).extracting(e -> e.tool().name()).containsExactly("c");
        assertThat(tools.hasAfter("c")).isFalse();
    }
}
