/**
 * The Java client for the agentwire hub: {@link dev.agentwire.client.AgentwireClient} connects over a Unix
 * socket ({@code unix:/path}, {@code unix:@abstract}) or TCP ({@code tcp://host:port} with the token), finds the
 * local hub through {@code hub.json} by default, and reconnects with exponential backoff.
 *
 * <p>Futures returned by {@code request} complete on the client's I/O thread: chain blocking work with the
 * {@code *Async} variants. Notification and connection listeners run on one callback thread, in order.
 */
package dev.agentwire.client;
