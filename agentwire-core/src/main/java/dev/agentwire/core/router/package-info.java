/**
 * The LLM router (orchestrator seed): picks a provider for a request by the seed's multi-factor score
 * (quality, cost with budget awareness, latency against a bound, priority) plus capability and context fit,
 * and keeps the day's spend against a daily budget.
 */
package dev.agentwire.core.router;
