/**
 * The interceptors every call passes through, in the order {@link dev.agentwire.core.HubCore} assembles them:
 * trace, metrics, authentication, size limit, rate limit.
 */
package dev.agentwire.core.interceptors;
