/**
 * Property-based fuzzing of the framings and the JSON-RPC codec (jqwik), and the support the other modules'
 * fuzz tests share through this module's test jar: readable byte inputs ({@link
 * dev.agentwire.protocol.fuzz.Input}), byte-level mutations, chunkings, a JSON-RPC corpus with structural
 * mutations, a specification oracle written from {@code docs/PROTOCOL.md}, and the try budget ({@link
 * dev.agentwire.protocol.fuzz.FuzzBudget}: CI size, {@code -Dfuzz.scale}, a deadline per try).
 */
package dev.agentwire.protocol.fuzz;
