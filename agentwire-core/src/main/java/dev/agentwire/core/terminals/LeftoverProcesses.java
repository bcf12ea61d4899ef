package dev.agentwire.core.terminals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * What is left of a terminal that a hub spawned and did not end (it was killed): the process recorded in
 * {@code session.json}, if the pid still names the process started at the recorded time, and the processes of its
 * session (on Linux the {@code session} field of {@code /proc/PID/stat}; elsewhere its descendants), which a
 * program that ignored the hangup of its terminal leaves running. A recorded pid that now names a process started
 * at another time is someone else's, and neither it nor anything else is touched then.
 *
 * <p>Why the session is safe to take on Linux: the kernel keeps a pid number in use while it names the session of
 * any process, so processes whose session is the recorded pid and that started after it are that terminal's.
 * Stateless.
 */
final class LeftoverProcesses {

    private static final Path PROC = Path.of("/proc");

    private LeftoverProcesses() {}

    /** When {@code pid} started, in epoch milliseconds as the OS reports it, if it runs. */
    static OptionalLong startedAt(long pid) {
        return ProcessHandle.of(pid)
                .flatMap(p -> p.info().startInstant())
                .map(i -> OptionalLong.of(i.toEpochMilli()))
                .orElse(OptionalLong.empty());
    }

    /** The processes of the terminal recorded as {@code pid} started at {@code startedAtMillis}; empty if none. */
    static List<ProcessHandle> of(long pid, long startedAtMillis) {
        Optional<ProcessHandle> leader = ProcessHandle.of(pid);
        OptionalLong leaderStart = startedAt(pid);
        if (leader.isPresent() && leaderStart.isPresent() && leaderStart.getAsLong() != startedAtMillis) {
            return List.of(); // the pid was reused
        }
        Map<Long, ProcessHandle> found = new LinkedHashMap<>();
        leader.filter(ProcessHandle::isAlive).ifPresent(p -> {
            found.put(p.pid(), p);
            p.descendants().forEach(d -> found.put(d.pid(), d));
        });
        if (Files.isDirectory(PROC)) {
            for (long member : sessionMembers(pid)) {
                ProcessHandle.of(member).ifPresent(p -> found.put(member, p));
            }
        }
        List<ProcessHandle> out = new ArrayList<>();
        for (ProcessHandle p : found.values()) {
            Optional<Instant> start = p.info().startInstant();
            if (p.isAlive() && start.isPresent() && start.get().toEpochMilli() >= startedAtMillis) {
                out.add(p);
            }
        }
        return out;
    }

    /** The pids whose session id is {@code sid}, from {@code /proc/PID/stat}. */
    private static List<Long> sessionMembers(long sid) {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(PROC)) {
            entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(p -> sessionOf(p).ifPresent(s -> {
                        if (s == sid) {
                            out.add(Long.parseLong(p.getFileName().toString()));
                        }
                    }));
        } catch (IOException e) {
            // no /proc to read: the leader's descendants are all there is
        }
        return out;
    }

    /** The session field of {@code /proc/PID/stat}: the 4th after the command name in parentheses. */
    private static OptionalLong sessionOf(Path procDir) {
        try {
            String stat = Files.readString(procDir.resolve("stat"), StandardCharsets.UTF_8);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return OptionalLong.of(Long.parseLong(fields[3]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty(); // gone meanwhile, or not a process directory
        }
    }
}
