/**
 * Wiring: builds the watch → filter → batch → transfer pipeline from a Config, owns its threads,
 * retries with backoff, signals, status and pid files. May import every other package but {@code cli}.
 */
package io.jclsync.daemon;
