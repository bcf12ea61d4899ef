/** Git follow mode (VibeTunnel seed): watch a repository and tell subscribers when its branch or worktrees change. */
package dev.agentwire.core.git;
