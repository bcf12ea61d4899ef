package dev.agentwire.core.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.agentwire.core.Connection;
import dev.agentwire.core.CoreSettings;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.Peer;
import dev.agentwire.core.RecordingOutbound;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.Transport;
import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.relay.LocalDirectory;
import dev.agentwire.core.relay.LocalProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The services keep their instances in the {@link Directory} they are given, owned by their connections. */
class ServiceRegistryTest {

    private final HubCore core = HubCore.builder(
                    CoreSettings.defaults("secret-token-secret-token-secret"), Ticker.SYSTEM)
            .build();
    private final Directory<Instance> directory = new LocalDirectory<>("hub-a");
    private final ServiceRegistry registry = new ServiceRegistry(directory);

    @AfterEach
    void close() {
        core.close();
    }

    private Connection connect() {
        Peer peer = new Peer(
                Transport.UNIX,
                "/tmp/s",
                OptionalInt.of(1000),
                List.of(),
                OptionalLong.of(42),
                Optional.of("/usr/bin/python3"));
        return core.open(peer, new RecordingOutbound());
    }

    @Test
    void instancesAreDirectoryEntriesOwnedByTheirConnectionsOnThisHub() {
        Connection a = connect();
        Connection b = connect();
        List<String> heard = new ArrayList<>();
        directory.listen((change, e) ->
                heard.add(change + " " + e.name() + " " + e.owner().connection()));

        registry.register(a, "echo", "g1", "1.0");
        registry.register(b, "echo", null, null);
        registry.register(a, "echo", "g2", "2.0"); // again: its labels change and it goes last

        assertThat(directory.lookup("echo"))
                .extracting(
                        Directory.Entry::owner,
                        e -> e.value().group(),
                        e -> e.value().version())
                .containsExactly(
                        tuple(new Directory.Owner("hub-a", b.id()), "", ""),
                        tuple(new Directory.Owner("hub-a", a.id()), "g2", "2.0"));
        assertThat(registry.find("echo").orElseThrow().instances())
                .extracting(i -> i.server().connectionId())
                .containsExactly(b.id(), a.id());
        assertThat(registry.find("echo").orElseThrow().instances().get(1).link())
                .as("how a request reaches it")
                .isEqualTo(new LocalProvider(a));
        assertThat(registry.instanceCount()).isEqualTo(2);
        assertThat(heard).hasSize(3);
    }

    @Test
    void aClosedConnectionLeavesEveryServiceAndTheServiceStaysListed() {
        Connection a = connect();
        Connection b = connect();
        registry.register(a, "zeta", null, null);
        registry.register(a, "alpha", null, null);
        registry.register(b, "alpha", null, null);

        assertThat(registry.remove(a)).as("the services a served").containsExactly("alpha", "zeta");
        assertThat(registry.unregister(b, "zeta")).as("b never served zeta").isFalse();
        assertThat(registry.unregister(b, "alpha")).isTrue();

        assertThat(directory.names()).isEmpty();
        assertThat(registry.all())
                .as("services that had instances")
                .extracting(ServiceRegistry.Service::name, s -> s.instances().size())
                .containsExactly(tuple("alpha", 0), tuple("zeta", 0));
        assertThat(registry.find("alpha").orElseThrow().pick(Optional.empty())).isEmpty();
    }

    @Test
    void aPickIsTheLeastLoadedInstanceOfTheGroup() {
        Connection a = connect();
        Connection b = connect();
        Instance ia = registry.register(a, "echo", "blue", null);
        Instance ib = registry.register(b, "echo", "blue", null);
        registry.register(connect(), "echo", "red", null);
        ia.started();

        assertThat(registry.find("echo")
                        .orElseThrow()
                        .pick(Optional.of("blue"))
                        .orElseThrow()
                        .join()
                        .value())
                .isSameAs(ib);
        assertThat(registry.find("echo").orElseThrow().pick(Optional.of("green")))
                .isEmpty();
    }
}
