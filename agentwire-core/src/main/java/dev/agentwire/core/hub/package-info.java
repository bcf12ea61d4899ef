/** The hub's own methods: {@code hub/hello}, {@code hub/ping}, {@code hub/status}, and the MCP lifecycle. */
package dev.agentwire.core.hub;
