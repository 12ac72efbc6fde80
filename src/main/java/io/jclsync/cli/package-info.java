/**
 * picocli commands only: parse, validate, build a Config, hand over to the daemon. No sync logic.
 * May import {@code config}, {@code daemon}, {@code cluster} (the members check and the secret)
 * and {@code fs} (the demo's tree comparison).
 */
package io.jclsync.cli;
