package dev.agentwire.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** aw doctor names what the hub refuses in its home (a home others may write, a file not ours) with the fix. */
class DoctorHomeTrustTest {

    private record Run(int code, String out) {}

    private static Run doctor(Path home) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(AwRunner.processCommand("doctor")).redirectErrorStream(true);
        pb.environment().put("AGENTWIRE_HOME", home.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static Path home(String mode) throws Exception {
        Path home = Files.createTempDirectory(Path.of("/tmp"), "awdoc").resolve("home");
        Files.createDirectories(home);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString(mode));
        return home;
    }

    @Test
    void aHomeOthersMayWriteIsAFailureWithTheFix() throws Exception {
        Path home = home("rwxrwxrwx");
        Run r = doctor(home);
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.out())
                .contains("✗ AGENTWIRE_HOME " + home + " is writable by others (rwxrwxrwx)")
                .contains("fix: look at what is in it; then chmod 700 " + home);
    }

    @Test
    void aHomeOthersMayOnlyReadIsAWarning() throws Exception {
        Path home = home("rwxr-xr-x");
        Run r = doctor(home);
        assertThat(r.out()).contains("! home " + home + " is rwxr-xr-x, not rwx------");
    }

    @Test
    void aFileOfAnotherUidIsAFailureWithTheFix() throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "needs root to give a file away");
        Path home = home("rwx------");
        Path token = Files.writeString(home.resolve("token"), "e".repeat(64));
        Files.setOwner(
                token, token.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("65534"));
        Run r = doctor(home);
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.out())
                .contains("✓ home " + home + " (0700)")
                .contains("✗ " + token + " belongs to uid 65534, not to this user (uid 0): the hub did not make it")
                .contains("fix: if you did not put it there, another user did");
    }

    @Test
    void aLinkInPlaceOfAStateFileIsAFailure() throws Exception {
        Path home = home("rwx------");
        Path elsewhere = Files.writeString(home.getParent().resolve("elsewhere"), "f".repeat(64));
        Files.createSymbolicLink(home.resolve("token"), elsewhere);
        Run r = doctor(home);
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.out())
                .contains("✗ " + home.resolve("token") + " is a symbolic link: the hub does not follow links")
                .contains("fix: remove it (rm " + home.resolve("token") + ")");
    }
}
