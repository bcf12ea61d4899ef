package dev.agentwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.OtherUser;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files the hub did not make are not trusted (issue 11, finding 5): a home writable by others, a home or a link
 * to it owned by another user, files in the home of another uid and links planted as state files are refused
 * with the reason; a link of ours is used through its real path, so swapping it later changes nothing.
 */
class HomeTrustTest {

    private static AgentwireHub start(Path home) {
        return AgentwireHub.builder()
                .home(home)
                .set("clientPort", "0")
                .set("limits.shutdownGraceMs", "2000")
                .build()
                .start();
    }

    /** A new directory under /tmp that uid 65534 may enter (0755). */
    private static Path enterableDir() throws IOException {
        Path dir = TestHubs.shortTempDir();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    private static Path homeWithMode(String mode) throws IOException {
        Path home = enterableDir().resolve("home");
        Files.createDirectory(home);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString(mode));
        return home;
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static UserPrincipal nobody() throws IOException {
        return Path.of("/tmp").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("65534");
    }

    @Test
    void aHomeWritableByOthersWithATokenPlantedInItIsRefusedAndNotTightened() throws Exception {
        OtherUser.assumeAvailable();
        Path home = homeWithMode("rwxrwxrwx");
        String planted = "a".repeat(64);
        OtherUser.run(
                "import os, sys\n"
                        + "open(os.path.join(sys.argv[1], 'token'), 'w').write(sys.argv[2] + '\\n')\n"
                        + "open(os.path.join(sys.argv[1], 'hub.db'), 'w').close()\n",
                home.toString(),
                planted);

        assertThatThrownBy(() -> start(home))
                .isInstanceOf(HubStartException.class)
                .hasMessageContaining("AGENTWIRE_HOME " + home)
                .hasMessageContaining("writable by others (rwxrwxrwx)")
                .hasMessageContaining("did not make");
        assertThat(mode(home)).as("a home others could write is not adopted").isEqualTo("rwxrwxrwx");
        assertThat(Files.readString(home.resolve("token"))).isEqualTo(planted + "\n");
        assertThat(home.resolve("hub.sock"))
                .as("nothing listens with the planted token")
                .doesNotExist();
        assertThat(home.resolve("hub.json")).doesNotExist();
    }

    @Test
    void aHomeWritableByItsGroupIsRefused() throws Exception {
        Path home = homeWithMode("rwxrwx---");
        assertThatThrownBy(() -> start(home))
                .isInstanceOf(HubStartException.class)
                .hasMessageContaining("AGENTWIRE_HOME " + home)
                .hasMessageContaining("writable by its group (rwxrwx---)");
        assertThat(mode(home)).isEqualTo("rwxrwx---");
    }

    @Test
    void aHomeOnlyReadableByOthersIsTightenedTo0700() throws Exception {
        Path home = homeWithMode("rwxr-xr-x");
        try (AgentwireHub hub = start(home)) {
            assertThat(mode(home)).isEqualTo("rwx------");
        }
    }

    @Test
    void aHomeOfAnotherUidIsRefused() throws Exception {
        OtherUser.assumeAvailable();
        Path home = homeWithMode("rwx------");
        Files.setOwner(home, nobody());
        assertThatThrownBy(() -> start(home))
                .isInstanceOf(HubStartException.class)
                .hasMessageContaining("AGENTWIRE_HOME " + home + " belongs to uid 65534");
    }

    @Test
    void aParentThatOthersMayWriteIsRefused() throws Exception {
        Path parent = TestHubs.shortTempDir();
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path home = parent.resolve("home");
        assertThatThrownBy(() -> start(home))
                .isInstanceOf(HubStartException.class)
                .hasMessageContaining(parent + " is writable by others (rwxrwxrwx)")
                .hasMessageContaining("could replace");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "token",
                "hub.db",
                "hub.db-wal",
                "hub.db-shm",
                "revoked.json",
                "router-spend.json",
                "hub.json",
                "agents"
            })
    void aFileOfAnotherUidInTheHomeIsRefused(String name) throws Exception {
        OtherUser.assumeAvailable();
        Path home = homeWithMode("rwx------");
        Path file = home.resolve(name);
        if (name.equals("agents")) {
            Files.createDirectory(
                    file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.writeString(file, name.equals("token") ? "b".repeat(64) : "");
        }
        Files.setOwner(file, nobody());
        assertThatThrownBy(() -> start(home))
                .isInstanceOf(HubStartException.class)
                .hasMessageContaining(file + " belongs to uid 65534")
                .hasMessageContaining("the hub did not make it");
        assertThat(home.resolve("hub.sock")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"token", "revoked.json", "router-spend.json", "hub.db", "hub.json"})
    void aLinkPlantedAsAStateFileIsRefusedNotFollowed(String name) throws Exception {
        Path home = homeWithMode("rwx------");
        Path target = TestHubs.shortTempDir().resolve("elsewhere");
        Files.writeString(
                target,
                switch (name) {
                    case "token" -> "c".repeat(64);
                    case "revoked.json" -> "{}";
                    case "router-spend.json" -> "{\"day\":\"2026-01-01\",\"spend\":0}";
                    case "hub.json" -> "{\"pid\":1}";
                    default -> "";
                });
        String before = Files.readString(target);
        Files.createSymbolicLink(home.resolve(name), target);
        assertThatThrownBy(() -> start(home))
                .isInstanceOf(HubStartException.class)
                .hasMessageContaining(home.resolve(name) + " is a symbolic link");
        assertThat(Files.readString(target)).isEqualTo(before);
        assertThat(home.resolve("hub.sock")).doesNotExist();
    }

    @Test
    void aHomeThatIsALinkOfAnotherUserIsRefused() throws Exception {
        OtherUser.assumeAvailable();
        Path ours = homeWithMode("rwx------");
        Path link = Path.of("/tmp", "aw-link-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        OtherUser.run("import os, sys\nos.symlink(sys.argv[1], sys.argv[2])\n", ours.toString(), link.toString());
        try {
            assertThat(Files.getAttribute(link, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                    .isEqualTo(OtherUser.UID);
            assertThatThrownBy(() -> start(link))
                    .isInstanceOf(HubStartException.class)
                    .hasMessageContaining("AGENTWIRE_HOME " + link)
                    .hasMessageContaining(link + " is a symbolic link owned by uid 65534");
            assertThat(ours.resolve("hub.sock")).doesNotExist();
        } finally {
            Files.deleteIfExists(link);
        }
    }

    @Test
    void aLinkOfOursIsUsedThroughItsRealPathSoSwappingItLaterChangesNothing() throws Exception {
        OtherUser.assumeAvailable();
        Path real = homeWithMode("rwx------");
        Path link = TestHubs.shortTempDir().resolve("home");
        Files.createSymbolicLink(link, real);
        Path foreign = Path.of("/tmp", "aw-foreign-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        OtherUser.run("import os, sys\nos.mkdir(sys.argv[1], 0o700)\n", foreign.toString());

        try (AgentwireHub hub = start(link)) {
            assertThat(hub.config().home()).isEqualTo(real);
            assertThat(hub.config().socketPath()).isEqualTo(real.resolve("hub.sock"));
            JsonNode hubJson = Json.mapper().readTree(real.resolve("hub.json").toFile());
            assertThat(hubJson.path("home").asText()).isEqualTo(real.toString());

            // The other user's directory takes the link's place while the hub runs.
            Files.delete(link);
            Files.createSymbolicLink(link, foreign);

            try (RawConnection c = RawConnection.unix(real.resolve("hub.sock"))) {
                JsonNode socket =
                        c.request(1, "services/socket", "{\"name\":\"x\"}").readJson();
                assertThat(socket.path("result").path("path").asText())
                        .isEqualTo(real.resolve("agents/x.sock").toString());
                JsonNode minted = c.request(2, "tokens/create", "{\"sub\":\"t\",\"scopes\":[\"rooms:read:*\"]}")
                        .readJson();
                String jti = minted.path("result").path("jti").asText();
                assertThat(c.request(3, "tokens/revoke", "{\"jti\":\"" + jti + "\"}")
                                .readJson()
                                .path("result")
                                .path("revoked")
                                .asText())
                        .isEqualTo(jti);
            }
            assertThat(real.resolve("revoked.json")).isRegularFile();
        }
        assertThat(real.resolve("hub.json"))
                .as("removed from the real home at stop")
                .doesNotExist();
        try (var entries = Files.list(foreign)) {
            assertThat(entries.toList())
                    .as("nothing of the hub's went to the other user's directory")
                    .isEmpty();
        }
    }
}
