/**
 * Tools (BTCP and MCP): providers register tools in their session; agents list and call them; the hub
 * validates arguments against the tool's JSON Schema and relays each call to its provider under the hub's
 * own id, mapping the answer, progress and cancellation back to the caller.
 */
package dev.agentwire.core.tools;
