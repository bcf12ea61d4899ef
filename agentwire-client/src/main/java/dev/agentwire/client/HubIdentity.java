package dev.agentwire.client;

import dev.agentwire.netty.PeerCreds;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Who may serve the hub's Unix socket for this process: this user or root (DESIGN.md §4). A client checks the
 * kernel's peer credentials of the listener right after connecting and before it sends a byte, so that another
 * local user who took the abstract name first, or swapped the socket file, learns nothing (not even the
 * {@code hub/hello} with its name and token). Where only a user name is known (the JDK's own Unix sockets, the
 * NIO fallback), the names are compared. Immutable.
 */
public final class HubIdentity {

    private final OptionalInt uid;
    private final Optional<String> user;

    /**
     * @param uid this process's uid, when known
     * @param user this process's user name, when known
     */
    public HubIdentity(OptionalInt uid, Optional<String> user) {
        this.uid = uid;
        this.user = user;
    }

    /** This process's user, as the operating system reports it. */
    public static HubIdentity ofThisProcess() {
        try {
            var me = new com.sun.security.auth.module.UnixSystem();
            return new HubIdentity(OptionalInt.of((int) me.getUid()), Optional.of(me.getUsername()));
        } catch (RuntimeException | LinkageError e) {
            return new HubIdentity(OptionalInt.empty(), Optional.ofNullable(System.getProperty("user.name")));
        }
    }

    /**
     * Accepts the listener behind {@code endpoint} if the kernel says it runs as this user or root.
     *
     * @throws UntrustedHubException for anyone else, or when the credentials cannot be read
     */
    public void verify(Endpoint endpoint, Optional<PeerCreds> peer) {
        if (peer.isEmpty()) {
            throw refuse(endpoint, "cannot tell who serves it (no peer credentials on this platform)");
        }
        PeerCreds p = peer.get();
        if (p.uid().isPresent()) {
            int theirs = p.uid().getAsInt();
            if (theirs == 0 || (uid.isPresent() && uid.getAsInt() == theirs)) {
                return;
            }
            String pid = p.pid().isPresent() ? " (pid " + p.pid().getAsLong() + ")" : "";
            String mine = uid.isPresent() ? " (uid " + uid.getAsInt() + ")" : "";
            throw refuse(endpoint, "it is served by uid " + theirs + pid + ", not by this user" + mine + " or root");
        }
        if (p.user().isPresent()) {
            String theirs = p.user().get();
            if (theirs.equals("root") || user.map(theirs::equals).orElse(false)) {
                return;
            }
            String mine = user.map(u -> " (" + u + ")").orElse("");
            throw refuse(endpoint, "it is served by user " + theirs + ", not by this user" + mine + " or root");
        }
        throw refuse(endpoint, "cannot tell who serves it (the peer credentials name no user)");
    }

    /** {@link #verify} for a connected JDK Unix-socket channel (its peer credentials give the user name). */
    public void verify(Endpoint endpoint, SocketChannel channel) throws IOException {
        UnixDomainPrincipal principal = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        verify(
                endpoint,
                principal == null
                        ? Optional.empty()
                        : Optional.of(new PeerCreds(
                                OptionalInt.empty(),
                                List.of(),
                                OptionalLong.empty(),
                                Optional.of(principal.user().getName()))));
    }

    private static UntrustedHubException refuse(Endpoint endpoint, String why) {
        return new UntrustedHubException(
                endpoint, "refusing " + endpoint + ": " + why + " — another user may be impersonating the hub");
    }
}
