package dev.agentwire.netty;

import dev.agentwire.protocol.RpcError;

/** Passed down the pipeline when the stream cannot be decoded any further: answer with the error and close. */
public record StreamFailure(RpcError error) {}
