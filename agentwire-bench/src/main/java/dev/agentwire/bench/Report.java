package dev.agentwire.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one harness run found: every figure as the median of its per-round ratios with their min–max, every
 * measure's values, and the latency distributions merged over the rounds; as a table, as JSON and as a chart.
 */
final class Report {

    /** One figure's per-round values and their summary. */
    record Row(Figure figure, double[] values, double median, double min, double max) {
        boolean measured() {
            return values.length > 0;
        }

        String verdict() {
            if (!measured()) {
                return "not measured";
            }
            if (!figure.hasGoal()) {
                return "";
            }
            return figure.met(median) ? "met" : "not met";
        }
    }

    private final Map<String, List<Measure>> measures;
    private final List<Row> rows = new ArrayList<>();
    private final String machine;
    private final int rounds;

    Report(Map<String, List<Measure>> measures, List<Figure> figures, int rounds, String machine) {
        this.measures = measures;
        this.rounds = rounds;
        this.machine = machine;
        for (Figure f : figures) {
            rows.add(row(f));
        }
    }

    List<Row> rows() {
        return rows;
    }

    private Row row(Figure f) {
        List<Measure> subject = measures.getOrDefault(f.subject(), List.of());
        List<Measure> baseline = f.baseline() == null ? null : measures.getOrDefault(f.baseline(), List.of());
        int n = baseline == null ? subject.size() : Math.min(subject.size(), baseline.size());
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            Measure s = subject.get(i);
            values[i] = baseline == null
                    ? s.value() * s.unit().scale
                    : s.value() / baseline.get(i).value();
        }
        if (n == 0) {
            return new Row(f, values, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Row(f, values, median, sorted[0], sorted[n - 1]);
    }

    /** Every latency measure's round trips over all rounds. */
    Map<String, Histogram> latencies() {
        Map<String, Histogram> merged = new java.util.LinkedHashMap<>();
        for (var e : measures.entrySet()) {
            for (Measure m : e.getValue()) {
                if (m.latency() != null) {
                    merged.computeIfAbsent(e.getKey(), k -> Stats.newHistogram())
                            .add(m.latency());
                }
            }
        }
        return merged;
    }

    void printTable(PrintWriter out) {
        out.printf(Locale.ROOT, "%s; %d interleaved rounds%n%n", machine, rounds);
        out.printf(Locale.ROOT, "%-48s %9s %17s %10s  %s%n", "figure", "median", "min–max", "goal", "");
        for (Row r : rows) {
            String unit = r.figure().baseline() == null ? "" : "×";
            out.printf(
                    Locale.ROOT,
                    "%-48s %9s %17s %10s  %s%n",
                    r.figure().label(),
                    r.measured() ? number(r.median()) + unit : "-",
                    r.measured() ? number(r.min()) + "–" + number(r.max()) + unit : "-",
                    r.figure().goalText(),
                    r.verdict());
        }
        out.println();
        out.printf(
                Locale.ROOT,
                "%-22s %10s %10s %10s   (all rounds' round trips)%n",
                "latency",
                "p50 µs",
                "p99 µs",
                "p99.9 µs");
        for (var e : latencies().entrySet()) {
            Histogram h = e.getValue();
            out.printf(
                    Locale.ROOT,
                    "%-22s %10.1f %10.1f %10.1f%n",
                    e.getKey(),
                    h.getValueAtPercentile(50) / 1e3,
                    h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3);
        }
        out.println();
        out.printf(Locale.ROOT, "%-22s %14s %14s   (median of the rounds)%n", "measure", "value", "unit");
        for (var e : measures.entrySet()) {
            Measure first = e.getValue().get(0);
            if (first.latency() != null) {
                continue;
            }
            double[] v =
                    e.getValue().stream().mapToDouble(Measure::value).sorted().toArray();
            out.printf(
                    Locale.ROOT,
                    "%-22s %14s %14s%n",
                    e.getKey(),
                    number(v[v.length / 2] * first.unit().scale),
                    first.unit().label);
        }
    }

    ObjectNode json() {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("machine", machine);
        root.put("rounds", rounds);
        ArrayNode figures = root.putArray("figures");
        for (Row r : rows) {
            ObjectNode f = figures.addObject();
            f.put("figure", r.figure().label());
            f.put("subject", r.figure().subject());
            if (r.figure().baseline() != null) {
                f.put("baseline", r.figure().baseline());
            }
            if (r.figure().hasGoal()) {
                f.put("goal", r.figure().goal());
                f.put("goalIsUpperBound", r.figure().atMost());
            }
            ArrayNode values = f.putArray("perRound");
            for (double v : r.values()) {
                values.add(v);
            }
            if (r.measured()) {
                f.put("median", r.median());
                f.put("min", r.min());
                f.put("max", r.max());
                if (r.figure().hasGoal()) {
                    f.put("met", r.figure().met(r.median()));
                }
            }
        }
        ObjectNode all = root.putObject("measures");
        for (var e : measures.entrySet()) {
            ObjectNode m = all.putObject(e.getKey());
            m.put("unit", e.getValue().get(0).unit().name());
            ArrayNode values = m.putArray("perRound");
            e.getValue().forEach(x -> values.add(x.value()));
        }
        ObjectNode lat = root.putObject("latencyNanos");
        for (var e : latencies().entrySet()) {
            ObjectNode m = lat.putObject(e.getKey());
            Histogram h = e.getValue();
            m.put("count", h.getTotalCount());
            for (double p : new double[] {50, 90, 99, 99.9, 99.99}) {
                m.put("p" + number(p), h.getValueAtPercentile(p));
            }
            m.put("max", h.getMaxValue());
        }
        return root;
    }

    /** Two significant decimals for ratios, fewer for large numbers. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%d", (long) v);
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
