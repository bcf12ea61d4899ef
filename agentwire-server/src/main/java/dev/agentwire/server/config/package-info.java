/**
 * Configuration: {@code agentwire.yaml} (which also accepts the BTCP seed's {@code btcp-server.yaml} keys),
 * {@code AGENTWIRE_*} environment variables with the seed's {@code BTCP_*} aliases, and command-line flags,
 * in that order of increasing precedence. Every key is declared once: a feature's on its settings record
 * ({@link dev.agentwire.core.Setting}, bound by {@code SettingsBinder}), the rest in
 * {@link dev.agentwire.server.config.ConfigKeys}, which lists both. Unknown keys and bad values fail with the key,
 * the value and where it came from.
 */
package dev.agentwire.server.config;
