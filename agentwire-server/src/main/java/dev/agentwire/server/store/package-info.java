/** The embedded SQLite store of room history ({@code AGENTWIRE_HOME/hub.db}, WAL, group commit). */
package dev.agentwire.server.store;
