package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@code aw sockets debug} found: its steps in order, each with its time and outcome, the sockets already
 * there, and what to check next. Filled by one probe ({@link TcpProbe}, {@link UnixProbe}); not thread-safe.
 */
final class DebugReport {

    /**
     * One step: {@code ms} is how long it took (-1 when it was not timed); {@code errno} the error's entry from
     * {@code errno.json} when it failed with one.
     */
    record Step(String name, double ms, boolean ok, String detail, Optional<JsonNode> errno) {}

    private final String target;
    private final List<Step> steps = new ArrayList<>();
    private final List<String> next = new ArrayList<>();
    private final List<String> sockets = new ArrayList<>();
    private final Map<String, Integer> counts = new TreeMap<>();
    private final List<JsonNode> socketJson = new ArrayList<>();
    private Optional<Boolean> outcome = Optional.empty();

    DebugReport(String target) {
        this.target = target;
    }

    void step(String name, double ms, boolean ok, String detail) {
        steps.add(new Step(name, ms, ok, detail, Optional.empty()));
    }

    void failed(String name, double ms, String detail, Optional<JsonNode> errno) {
        steps.add(new Step(name, ms, false, detail, errno));
    }

    void next(String what) {
        next.add(what);
    }

    /** A socket already there: its state, one line to print, and its JSON. */
    void socket(String state, String line, Object record) {
        counts.merge(state, 1, Integer::sum);
        sockets.add(line);
        socketJson.add(Json.mapper().valueToTree(record));
    }

    List<Step> steps() {
        return steps;
    }

    /**
     * Sets the outcome where not every step decides it: a TCP probe that connects to a name's second address
     * after its first refused has succeeded.
     */
    void outcome(boolean ok) {
        outcome = Optional.of(ok);
    }

    /** The outcome set, else whether every step went through. */
    boolean ok() {
        return outcome.orElseGet(() -> steps.stream().allMatch(Step::ok));
    }

    /** The name of the first errno a step failed with, if any. */
    Optional<String> errnoName() {
        return steps.stream()
                .flatMap(s -> s.errno().stream())
                .map(e -> e.path("name").asText())
                .findFirst();
    }

    ObjectNode json() {
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("target", target);
        r.put("ok", ok());
        var list = r.putArray("steps");
        for (Step s : steps) {
            ObjectNode n = list.addObject();
            n.put("step", s.name());
            if (s.ms() >= 0) {
                n.put("ms", Math.round(s.ms() * 1000) / 1000.0);
            }
            n.put("ok", s.ok());
            n.put("detail", s.detail());
            s.errno().ifPresent(e -> {
                n.put("errno", e.path("name").asText());
                n.put("errnoNumber", e.path("linux").asInt());
                n.put("meaning", e.path("meaning").asText());
                n.put("causes", e.path("causes").asText());
            });
        }
        ObjectNode local = r.putObject("localSockets");
        ObjectNode c = local.putObject("counts");
        counts.forEach(c::put);
        local.putArray("sockets").addAll(socketJson);
        next.forEach(r.putArray("next")::add);
        return r;
    }

    void print(PrintWriter out, String socketsHeading) {
        out.println("aw sockets debug " + target);
        for (Step s : steps) {
            String time = s.ms() < 0 ? "" : String.format("%.3f ms", s.ms());
            out.printf("  %-11s %-13s %s %s%n", s.name(), time, s.ok() ? "ok  " : "FAIL", s.detail());
            s.errno().ifPresent(e -> {
                out.printf(
                        "  %-25s     %s (%d): %s%n",
                        "",
                        e.path("name").asText(),
                        e.path("linux").asInt(),
                        e.path("meaning").asText());
                out.printf(
                        "  %-25s     usual causes: %s%n", "", e.path("causes").asText());
            });
        }
        out.println();
        out.println(socketsHeading + ": " + (sockets.isEmpty() ? "none" : sockets.size()));
        counts.forEach((state, n) -> out.printf("  %-12s %6d%n", state, n));
        sockets.forEach(line -> out.println("  " + line));
        out.println();
        out.println("Next:");
        next.forEach(n -> out.println("- " + n));
    }
}
