/**
 * Prompts and resources (MCP's other two server features), the way tools work: providers register them in their
 * session ({@code prompts/register}, {@code resources/register}); MCP clients list them, get a prompt, read a
 * resource (by its URI or a template's), complete an argument and subscribe to a resource's updates, each relayed
 * to the provider that registered it.
 */
package dev.agentwire.core.catalog;
