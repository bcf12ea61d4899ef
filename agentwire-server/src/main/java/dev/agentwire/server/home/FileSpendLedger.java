package dev.agentwire.server.home;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.router.SpendLedger;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.HubStartException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.OptionalDouble;

/**
 * The LLM router's spend for the current UTC day in {@code AGENTWIRE_HOME/router-spend.json}
 * ({@code {"day": "2026-11-22", "spend": 1.25}}, mode 0600, rewritten atomically on every record, read
 * without following a link), so that a
 * restart does not hand out the day's budget again. A file that is not such a record stops the hub with its
 * path and what is wrong: guessing 0 would lift the budget. Thread safe.
 */
public final class FileSpendLedger implements SpendLedger {

    private final Path file;
    private LocalDate day;
    private double spend;

    public FileSpendLedger(Path file) {
        this.file = file;
        AtomicFiles.read(file).ifPresent(this::read);
    }

    private void read(String text) {
        JsonNode json;
        try {
            json = Json.mapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new HubStartException(file + " is not JSON (" + e.getOriginalMessage()
                    + "); it holds the LLM router's spend for today: fix it or delete it");
        }
        try {
            if (json == null
                    || !json.path("day").isTextual()
                    || !json.path("spend").isNumber()) {
                throw new IllegalArgumentException("expected {\"day\": \"YYYY-MM-DD\", \"spend\": N}");
            }
            day = LocalDate.parse(json.path("day").asText());
            spend = json.path("spend").asDouble();
            if (spend < 0 || !Double.isFinite(spend)) {
                throw new IllegalArgumentException("spend must be zero or more, got " + json.path("spend"));
            }
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new HubStartException(
                    file + ": " + e.getMessage() + "; it holds the LLM router's spend for today: fix it or delete it");
        }
    }

    @Override
    public synchronized OptionalDouble spendOn(LocalDate d) {
        return d.equals(day) ? OptionalDouble.of(spend) : OptionalDouble.empty();
    }

    @Override
    public synchronized void record(LocalDate d, double s) {
        var json = Json.mapper().createObjectNode();
        json.put("day", d.toString());
        json.put("spend", s);
        AtomicFiles.write(file, json.toString());
        day = d;
        spend = s;
    }
}
