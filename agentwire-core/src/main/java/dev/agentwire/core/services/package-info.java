/**
 * Services (orchestrator seed): named agents reached by request and response. A connection registers as an
 * instance of a service; a request goes to one live instance (least pending, then round robin) as
 * {@code services/handle}, and its answer, a timeout, a cancellation or the instance's disappearance goes back
 * to the caller.
 */
package dev.agentwire.core.services;
