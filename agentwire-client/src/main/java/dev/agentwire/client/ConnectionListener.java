package dev.agentwire.client;

/** Told about connection events, on the client's callback thread. */
@FunctionalInterface
public interface ConnectionListener {

    void onEvent(ConnectionEvent event, AgentwireClient client);
}
