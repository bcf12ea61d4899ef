package dev.agentwire.core.policy;

import dev.agentwire.core.Peer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which Unix-socket peers may connect: the hub owner's uid, plus {@code security.allowUids} and
 * {@code security.allowGids}; and, if {@code security.allowProcesses} is set, only those executables, matched by
 * their real path (what {@code /proc/PID/exe} resolves to), never by file name: a copy of an allowed program
 * elsewhere, under the same name, is refused. Immutable.
 *
 * @param ownerUid the uid the hub runs as (empty where unknown: then only the allow lists admit)
 * @param allowUids further uids
 * @param allowGids groups whose members may connect
 * @param allowProcesses real absolute paths of executables (links already resolved); empty means any
 */
public record PeerPolicy(
        OptionalInt ownerUid, Set<Integer> allowUids, Set<Integer> allowGids, Set<String> allowProcesses) {

    public PeerPolicy {
        allowUids = Set.copyOf(allowUids);
        allowGids = Set.copyOf(allowGids);
        allowProcesses = Set.copyOf(allowProcesses);
        for (String p : allowProcesses) {
            if (!Path.of(p).isAbsolute()) {
                throw new IllegalArgumentException("security.allowProcesses takes absolute paths, not '" + p + "'");
            }
        }
    }

    /** Only the owner. */
    public static PeerPolicy ownerOnly(int uid) {
        return new PeerPolicy(OptionalInt.of(uid), Set.of(), Set.of(), Set.of());
    }

    /**
     * Why this peer is refused, or empty when it may connect. Peers without credentials (TCP) are not judged
     * here: they authenticate with a token.
     */
    public Optional<String> refusal(Peer peer) {
        if (peer.uid().isEmpty()) {
            return Optional.empty();
        }
        int uid = peer.uid().getAsInt();
        boolean byUid = (ownerUid.isPresent() && ownerUid.getAsInt() == uid) || allowUids.contains(uid);
        boolean byGid = peer.gids().stream().anyMatch(allowGids::contains);
        if (!byUid && !byGid) {
            return Optional.of("uid " + uid + " is not allowed (hub owner uid "
                    + (ownerUid.isPresent() ? ownerUid.getAsInt() : "unknown")
                    + "; widen with security.allowUids or security.allowGids)");
        }
        if (!allowProcesses.isEmpty()) {
            Optional<String> exe = peer.executable();
            if (exe.isEmpty()) {
                return Optional.of("the peer's executable cannot be read and security.allowProcesses is set");
            }
            String path = exe.get();
            if (!allowProcesses.contains(path)) {
                return Optional.of("process " + path + " is not in security.allowProcesses (real paths: "
                        + new TreeSet<>(allowProcesses) + ")");
            }
        }
        return Optional.empty();
    }
}
