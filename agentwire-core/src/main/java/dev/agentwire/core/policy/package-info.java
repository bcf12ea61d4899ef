/** Who may connect and how much they may send: the peer policy and the token bucket. */
package dev.agentwire.core.policy;
