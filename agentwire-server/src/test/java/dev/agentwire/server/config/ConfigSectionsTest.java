package dev.agentwire.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A feature's knobs come from its settings record alone: nothing in ConfigKeys or HubConfig names them. */
class ConfigSectionsTest {

    private static final Path HOME = Path.of("/tmp/aw-home");

    /** A settings record only this test knows; adding a knob here is the whole change. */
    @Setting.Section("widgets")
    record WidgetSettings(
            @Setting(value = "7", kind = Kind.INTEGER, min = 1, max = 100, doc = "widgets per gadget")
            int perGadget,

            @Setting(key = "delayMs", value = "1500", kind = Kind.MILLIS, min = 1, max = 60_000, doc = "how long")
            Duration delay,

            @Setting(value = "2KiB", kind = Kind.SIZE, min = 1, max = 1 << 20, doc = "the largest widget")
            long maxBytes,

            @Setting(value = "false", kind = Kind.BOOLEAN, doc = "shiny widgets")
            boolean shiny,

            @Setting(value = "", kind = Kind.STRING, doc = "a label")
            String label) {}

    @Setting.Section("range")
    record RangeSettings(
            @Setting(value = "1", kind = Kind.INTEGER, doc = "low")
            int low,

            @Setting(value = "5", kind = Kind.INTEGER, doc = "high")
            int high) {
        RangeSettings {
            if (low > high) {
                throw new IllegalArgumentException("low (" + low + ") exceeds high (" + high + ")");
            }
        }
    }

    @Setting.Section("odd")
    record MistypedSettings(
            @Setting(value = "1", kind = Kind.BOOLEAN, doc = "n")
            int n) {}

    record UnsectionedSettings(
            @Setting(value = "1", kind = Kind.INTEGER, doc = "n")
            int n) {}

    private static ConfigLoader loader() {
        return new ConfigLoader().section(WidgetSettings.class);
    }

    @Test
    void aKnobTakesItsDefault() {
        WidgetSettings w = loader().load(HOME).section(WidgetSettings.class);
        assertThat(w).isEqualTo(new WidgetSettings(7, Duration.ofMillis(1500), 2048, false, ""));
    }

    @Test
    void aKnobIsReadFromYamlEnvironmentAndFlags() {
        ConfigLoader l = loader().yamlText("widgets:\n  perGadget: 9\n  delayMs: 250\n  shiny: yes\n", "a.yaml")
                .environment(Map.of("AGENTWIRE_WIDGETS_MAX_BYTES", "4KiB"))
                .set("widgets.label", "blue", "flag --set");
        assertThat(l.load(HOME).section(WidgetSettings.class))
                .isEqualTo(new WidgetSettings(9, Duration.ofMillis(250), 4096, true, "blue"));
        assertThat(l.sourceOf("widgets.maxBytes")).contains("environment AGENTWIRE_WIDGETS_MAX_BYTES");
    }

    @Test
    void aBadValueNamesKeyValueAndSource() {
        assertThatThrownBy(() -> loader().yamlText("widgets:\n  perGadget: 500\n", "a.yaml")
                        .load(HOME))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config key widgets.perGadget has a bad value '500' (a.yaml line 2):"
                        + " expected a number from 1 to 100");
        assertThatThrownBy(() ->
                        loader().set("widgets.delayMs", "soon", "flag --set").load(HOME))
                .hasMessage("config key widgets.delayMs has a bad value 'soon' (flag --set): expected a whole number");
        assertThatThrownBy(() -> loader().yamlText("widgets:\n  perGadgte: 1\n", "a.yaml"))
                .hasMessage("unknown config key widgets.perGadgte (a.yaml line 2)");
    }

    @Test
    void aKnobIsListedAsKnown() {
        assertThat(loader().keys()).containsKeys("widgets.perGadget", "widgets.delayMs", "widgets.label");
        assertThat(loader().keys().get("widgets.maxBytes").envName()).isEqualTo("AGENTWIRE_WIDGETS_MAX_BYTES");
        assertThat(loader().keys().get("widgets.perGadget").help()).isEqualTo("widgets per gadget");
        assertThat(ConfigKeys.find("widgets.perGadget"))
                .as("a loader's own section is not everyone's")
                .isEmpty();
        assertThatThrownBy(() -> new ConfigLoader().set("widgets.perGadget", "1", "flag --set"))
                .hasMessageContaining("unknown config key widgets.perGadget");
    }

    @Test
    void theHubsOwnSectionsAreBound() {
        assertThat(ConfigKeys.find("sessions.ttl").orElseThrow().envName()).isEqualTo("AGENTWIRE_SESSIONS_TTL");
        assertThat(ConfigKeys.find("tools.callTimeoutMs").orElseThrow().defaultText())
                .isEqualTo("60000");
        HubConfig c = new ConfigLoader()
                .set("sessions.idleTimeout", "30", "t")
                .set("tools.callTimeoutMs", "2500", "t")
                .set("services.requestTimeoutMs", "700", "t")
                .load(HOME);
        var sessions = c.section(dev.agentwire.core.sessions.SessionsFeature.Settings.class);
        assertThat(sessions.ttl()).isEqualTo(Duration.ofHours(1));
        assertThat(sessions.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        var tools = c.section(dev.agentwire.core.tools.ToolsFeature.Settings.class);
        assertThat(tools.callTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(tools.maxResultBytes()).isEqualTo(8 << 20);
        assertThat(tools.pageSize()).isEqualTo(100);
        assertThat(tools.maxPerSession()).isEqualTo(1000);
        assertThat(c.section(dev.agentwire.core.services.ServicesFeature.Settings.class)
                        .requestTimeout())
                .isEqualTo(Duration.ofMillis(700));
        assertThat(c.section(dev.agentwire.core.terminals.TerminalService.Settings.class))
                .as("the annotations' defaults are the record's own")
                .isEqualTo(dev.agentwire.core.terminals.TerminalService.Settings.defaults());
    }

    /** A list knob: its items parse themselves ({@code Part.parse}), one bad item names the key and the source. */
    @Setting.Section("parts")
    record PartSettings(
            @Setting(value = "", kind = Kind.LIST, doc = "parts")
            java.util.List<Part> parts) {}

    record Part(String name) {
        public static Part parse(String text) {
            if (!text.matches("[a-z]+")) {
                throw new IllegalArgumentException("expected a part name in lower case letters");
            }
            return new Part(text);
        }
    }

    @Test
    void aListKnobIsParsedItemByItemByItsElementType() {
        ConfigLoader l = new ConfigLoader().section(PartSettings.class);
        assertThat(l.load(HOME).section(PartSettings.class).parts()).isEmpty();
        assertThat(new ConfigLoader()
                        .section(PartSettings.class)
                        .set("parts.parts", "wheel, axle", "flag --set")
                        .load(HOME)
                        .section(PartSettings.class)
                        .parts())
                .containsExactly(new Part("wheel"), new Part("axle"));
        assertThatThrownBy(() -> new ConfigLoader()
                        .section(PartSettings.class)
                        .set("parts.parts", "wheel,Axle", "flag --set")
                        .load(HOME))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("parts.parts")
                .hasMessageContaining("flag --set")
                .hasMessageContaining("expected a part name in lower case letters");
    }

    /**
     * Each settings record's {@code defaults()} (what tests and embedders without a configuration use) says what its
     * annotations say: the two are written apart, and tools' once differed (16 MiB against 8 MiB).
     */
    @Test
    void everySectionsDefaultsAreItsAnnotations() {
        HubConfig c = new ConfigLoader().load(HOME);
        assertThat(c.section(dev.agentwire.core.sessions.SessionsFeature.Settings.class))
                .isEqualTo(dev.agentwire.core.sessions.SessionsFeature.Settings.defaults());
        assertThat(c.section(dev.agentwire.core.tools.ToolsFeature.Settings.class))
                .isEqualTo(dev.agentwire.core.tools.ToolsFeature.Settings.defaults());
        assertThat(c.section(dev.agentwire.core.services.ServicesFeature.Settings.class))
                .isEqualTo(dev.agentwire.core.services.ServicesFeature.Settings.defaults());
        assertThat(c.section(dev.agentwire.core.terminals.TerminalService.Settings.class))
                .isEqualTo(dev.agentwire.core.terminals.TerminalService.Settings.defaults());
        assertThat(c.section(dev.agentwire.core.rooms.RoomSettings.class))
                .isEqualTo(dev.agentwire.core.rooms.RoomSettings.defaults());
        assertThat(c.section(dev.agentwire.core.router.RouterSettings.class))
                .isEqualTo(dev.agentwire.core.router.RouterSettings.defaults());
    }

    @Test
    void roomsAndRouterAreSectionsOfTheirOwn() {
        HubConfig c = new ConfigLoader()
                .set("rooms.maxPerConnection", "7", "t")
                .set("rooms.retention", "logs/*=100/60", "t")
                .set("router.dailyBudget", "2.5", "t")
                .load(HOME);
        var rooms = c.section(dev.agentwire.core.rooms.RoomSettings.class);
        assertThat(rooms.maxRoomsPerConnection()).isEqualTo(7);
        assertThat(rooms.retention())
                .containsExactly(new dev.agentwire.core.rooms.RoomSettings.Retention("logs/*", 100, 60));
        assertThat(c.rooms()).isSameAs(rooms);
        var router = c.section(dev.agentwire.core.router.RouterSettings.class);
        assertThat(router.dailyBudget()).isEqualTo(2.5);
        assertThat(router.providers())
                .as("no providers means the seed's four")
                .isEqualTo(dev.agentwire.core.router.RouterSettings.seedProviders());
    }

    @Test
    void aRecordsOwnCheckNamesItsSection() {
        assertThatThrownBy(() -> new ConfigLoader()
                        .section(RangeSettings.class)
                        .set("range.low", "9", "t")
                        .load(HOME))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config section range: low (9) exceeds high (5)");
    }

    @Test
    void aMalformedRecordFailsWhenDeclared() {
        assertThatThrownBy(() -> new ConfigLoader().section(MistypedSettings.class))
                .hasMessageContaining("component n of")
                .hasMessageContaining("cannot hold a BOOLEAN");
        assertThatThrownBy(() -> new ConfigLoader().section(UnsectionedSettings.class))
                .hasMessageContaining("has no @Setting.Section");
        assertThatThrownBy(
                        () -> new ConfigLoader().section(WidgetSettings.class).section(WidgetSettings.class))
                .hasMessageContaining("config key widgets.perGadget")
                .hasMessageContaining("declared twice");
    }
}
