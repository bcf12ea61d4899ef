package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request for a service this client serves.
 *
 * @param service the service's name
 * @param action what is asked
 * @param data the action's data
 * @param from who asks: {@code {identity, name, connectionId, interface}}
 */
public record ServiceRequest(String service, String action, JsonNode data, JsonNode from) {}
