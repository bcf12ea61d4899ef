/**
 * The web side's policy, free of Netty: browser logins (one-time codes traded for a cookie, as Jupyter does),
 * the pages a login may lead to, and the Host and Origin checks. The transport package applies them.
 */
package dev.agentwire.server.web;
