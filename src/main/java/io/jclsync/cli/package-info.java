/**
 * picocli commands only: parse, validate, build a Config, hand over to the daemon. No sync logic.
 * May import {@code config} and {@code daemon} (and {@code fs} for the demo's tree comparison).
 */
package io.jclsync.cli;
