/** Hub events: {@code events/event {category, action, data}} to subscribed peers, members, and embedders. */
package dev.agentwire.core.events;
