/**
 * {@code AGENTWIRE_HOME}: the directory, the token file, {@code hub.json} and the other state files, with the modes
 * DESIGN.md gives; {@link dev.agentwire.server.home.HomeTrust} judges what in it the hub may trust.
 */
package dev.agentwire.server.home;
