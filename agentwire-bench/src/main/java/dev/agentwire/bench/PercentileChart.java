package dev.agentwire.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A self-contained HTML page with the figures' table and the latency subjects' percentile distributions drawn as
 * plain SVG: percentile on a log scale of 1/(1-p) (50%, 90%, 99%, 99.9%, 99.99%) across, latency on a log scale up,
 * one curve per subject, so a person can see the curves side by side.
 */
final class PercentileChart {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 480;
    private static final int LEFT = 70;
    private static final int BOTTOM = 40;
    private static final int TOP = 20;
    private static final int RIGHT = 180;
    private static final double MAX_NINES = 4; // 99.99%
    private static final String[] COLOURS = {
        "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666", "#1f78b4", "#b2182b"
    };

    private PercentileChart() {}

    static String html(Report report) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>agentwire bench</title>\n")
                .append("<style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{padding:2px 10px;text-align:right}td:first-child,th:first-child{text-align:left}")
                .append(".met{color:#1b7837}.miss{color:#b2182b}</style></head><body>\n")
                .append("<h1>agentwire bench</h1>\n<table><tr><th>figure</th><th>median</th><th>min–max</th>")
                .append("<th>goal</th><th></th></tr>\n");
        for (Report.Row r : report.rows()) {
            String unit = r.figure().baseline() == null ? "" : "×";
            String verdict = r.verdict();
            b.append("<tr><td>")
                    .append(escape(r.figure().label()))
                    .append("</td><td>")
                    .append(r.measured() ? Report.number(r.median()) + unit : "-")
                    .append("</td><td>")
                    .append(r.measured() ? Report.number(r.min()) + "–" + Report.number(r.max()) + unit : "-")
                    .append("</td><td>")
                    .append(escape(r.figure().goalText()))
                    .append("</td><td class=\"")
                    .append(verdict.equals("met") ? "met" : "miss")
                    .append("\">")
                    .append(verdict)
                    .append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Latency by percentile (all rounds)</h2>\n");
        b.append(svg(report.latencies()));
        b.append("\n</body></html>\n");
        return b.toString();
    }

    static String svg(Map<String, Histogram> latencies) {
        double maxMicros = 1;
        double minMicros = Double.MAX_VALUE;
        for (Histogram h : latencies.values()) {
            maxMicros = Math.max(maxMicros, h.getValueAtPercentile(99.99) / 1e3);
            minMicros = Math.min(minMicros, Math.max(0.1, h.getValueAtPercentile(1) / 1e3));
        }
        double yLow = Math.floor(Math.log10(Math.min(minMicros, maxMicros)));
        double yHigh = Math.ceil(Math.log10(maxMicros));
        if (yHigh <= yLow) {
            yHigh = yLow + 1;
        }
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
                        + " font-size=\"12\">%n",
                WIDTH,
                HEIGHT));
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        for (int nines = 0; nines <= MAX_NINES; nines++) {
            double x = LEFT + plotW * nines / MAX_NINES;
            String label = nines == 0 ? "0%" : nines == 1 ? "90%" : "99." + "9".repeat(nines - 2) + "%";
            if (nines == 2) {
                label = "99%";
            }
            s.append(line(x, TOP, x, TOP + plotH, "#ddd"));
            s.append(text(x, HEIGHT - BOTTOM + 16, label, "middle"));
        }
        for (double e = yLow; e <= yHigh; e++) {
            double y = TOP + plotH - plotH * (e - yLow) / (yHigh - yLow);
            s.append(line(LEFT, y, LEFT + plotW, y, "#ddd"));
            s.append(text(LEFT - 6, y + 4, Report.number(Math.pow(10, e)) + " µs", "end"));
        }
        s.append(text(LEFT + plotW / 2.0, HEIGHT - 6, "percentile", "middle"));
        int i = 0;
        for (var e : latencies.entrySet()) {
            String colour = COLOURS[i % COLOURS.length];
            List<String> points = new ArrayList<>();
            for (HistogramIterationValue v : e.getValue().percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo() / 100.0;
                double nines = p >= 1 ? MAX_NINES : Math.min(MAX_NINES, Math.log10(1 / (1 - p)));
                double micros = Math.max(Math.pow(10, yLow), v.getValueIteratedTo() / 1e3);
                double x = LEFT + plotW * nines / MAX_NINES;
                double y = TOP + plotH - plotH * (Math.log10(micros) - yLow) / (yHigh - yLow);
                points.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
                if (nines >= MAX_NINES) {
                    break;
                }
            }
            s.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
                    .append(colour)
                    .append("\" points=\"")
                    .append(String.join(" ", points))
                    .append("\"/>\n");
            double ly = TOP + 14 + 18 * i;
            s.append(line(LEFT + plotW + 12, ly - 4, LEFT + plotW + 32, ly - 4, colour));
            s.append(text(LEFT + plotW + 36, ly, escape(e.getKey()), "start"));
            i++;
        }
        s.append("</svg>");
        return s.toString();
    }

    private static String line(double x1, double y1, double x2, double y2, String colour) {
        return String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%s\"/>%n",
                x1,
                y1,
                x2,
                y2,
                colour,
                colour.equals("#ddd") ? "1" : "3");
    }

    private static String text(double x, double y, String t, String anchor) {
        return String.format(
                Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>%n", x, y, anchor, t);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
