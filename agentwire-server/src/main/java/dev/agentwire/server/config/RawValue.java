package dev.agentwire.server.config;

import java.util.List;

/**
 * One configuration value as written, before it is parsed: the scalar's text (or the list's items) and where it
 * came from ("agentwire.yaml line 4", "environment AGENTWIRE_PORT", "flag --port").
 */
record RawValue(String text, List<String> items, String source) {

    static RawValue scalar(String text, String source) {
        return new RawValue(text, List.of(text), source);
    }

    static RawValue list(List<String> items, String source, String text) {
        return new RawValue(text, List.copyOf(items), source);
    }
}
