package dev.agentwire.bench;

/**
 * A figure of the speed issue: a subject's measure as a ratio to a baseline measured in the same round, and
 * the goal it should meet. Without a baseline the figure is the subject's own value (in its unit's display scale).
 *
 * @param label what a person reads in the table
 * @param subject the measure's name
 * @param baseline the baseline measure's name, or null
 * @param atMost whether the goal is an upper bound (latency, wall time) or a lower one (rates)
 * @param goal the bound, or NaN for a figure shown without a goal
 */
public record Figure(String label, String subject, String baseline, boolean atMost, double goal) {

    static Figure atMost(String label, String subject, String baseline, double goal) {
        return new Figure(label, subject, baseline, true, goal);
    }

    static Figure atLeast(String label, String subject, String baseline, double goal) {
        return new Figure(label, subject, baseline, false, goal);
    }

    static Figure info(String label, String subject, String baseline) {
        return new Figure(label, subject, baseline, true, Double.NaN);
    }

    boolean hasGoal() {
        return !Double.isNaN(goal);
    }

    boolean met(double value) {
        return atMost ? value <= goal : value >= goal;
    }

    String goalText() {
        if (!hasGoal()) {
            return "";
        }
        return (atMost ? "≤ " : "≥ ") + Report.number(goal) + (baseline == null ? "" : "×");
    }
}
