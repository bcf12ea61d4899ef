/** {@code AGENTWIRE_HOME}: the directory, the token file and {@code hub.json}, with the modes DESIGN.md gives. */
package dev.agentwire.server.home;
