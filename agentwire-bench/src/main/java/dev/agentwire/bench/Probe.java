package dev.agentwire.bench;

import java.util.List;

/** Measures one or more subjects once; the harness runs every probe once per round. */
interface Probe {

    /** What the progress bar shows while it runs. */
    String name();

    /** Runs once and returns what it measured (empty when what it needs is not installed). */
    List<Measure> run(BenchContext context) throws Exception;
}
